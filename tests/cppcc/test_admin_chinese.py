"""The Django admin reads in Chinese, django-axes' pages included (it ships no zh_Hans
catalogue: locale/zh_Hans and cppcc.apps.AxesConfig translate it)."""

import re

import pytest

ENGLISH_LEFT = re.compile(
    r"Access (?:attempt|log|failure)|Attempt Time|Axes|Filter by|Can (?:add|change|delete|view) "
)


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize(
    ("url", "title"),
    [
        ("/admin/", "登录保护"),
        ("/admin/axes/", "登录保护"),
        ("/admin/axes/accessattempt/", "登录尝试"),
        ("/admin/axes/accesslog/", "登录日志"),
        ("/admin/axes/accessfailurelog/", "登录失败记录"),
    ],
)
def test_admin_index_and_axes_pages_read_in_chinese(client_for, admin_user, url, title):
    response = client_for(admin_user).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert title in html
    left = ENGLISH_LEFT.search(visible_text(html))
    assert left is None, f"{url} still says {left.group(0)!r}"


def test_the_axes_changelists_have_chinese_titles_and_columns(client_for, admin_user):
    html = client_for(admin_user).get("/admin/axes/accesslog/").content.decode()
    title = re.search(r"<title>(.*?)</title>", html, flags=re.S).group(1)
    assert "登录日志" in title
    for column in ("尝试时间", "退出时间", "访问路径", "浏览器标识"):
        assert column in html


def test_the_user_change_page_lists_permissions_in_chinese(client_for, admin_user, office_user):
    client = client_for(admin_user)
    html = client.get(f"/admin/cppcc/user/{office_user.pk}/change/").content.decode()
    assert "政协履职" in html and "下次登录须修改密码" in html
    assert "委员｜委员｜查看" in html and "（修改记录）" in html
    assert ENGLISH_LEFT.search(visible_text(html)) is None
    password = client.get(f"/admin/cppcc/user/{office_user.pk}/password/").content.decode()
    assert "If disabled" not in password and "当前的密码将丢失" in password


def test_an_axes_record_page_names_the_record_in_chinese(client_for, admin_user):
    from axes.models import AccessLog
    from django.utils import timezone

    log = AccessLog.objects.create(
        username="office", ip_address="10.0.0.8", user_agent="x", attempt_time=timezone.now()
    )
    html = client_for(admin_user).get(f"/admin/axes/accesslog/{log.pk}/change/").content.decode()
    assert "office 的登录记录（" in html
    assert "Access Log for" not in html


def test_the_admin_history_page_shows_no_none_for_a_missing_reason(
    client_for, admin_user, member_a
):
    html = client_for(admin_user).get(f"/admin/members/member/{member_a.pk}/history/")
    text = visible_text(html.content.decode())
    assert member_a.name in text
    assert "None" not in text
