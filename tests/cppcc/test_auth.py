import re
import time

import pytest
from django.urls import reverse

from cppcc.roles import Role

from ..conftest import PASSWORD

LOGIN = "/accounts/login/"

HOMES = {
    Role.ADMIN: "/accounts/manage/",
    Role.OFFICE: "/reports/office/",
    Role.TOWN: "/reports/town/",
    Role.MEMBER: "/portal/",
    Role.UNIT: "/proposals/unit/",
    Role.LEADER: "/reports/dashboard/",
}


def login(client, username, password=PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password})


def test_login_page_is_chinese(client, db):
    response = client.get(LOGIN)
    html = response.content.decode()
    assert response.status_code == 200
    assert "用户名" in html and "密码" in html and "登录" in html
    assert '<html lang="zh-hans">' in html


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_lands_on_its_own_home_page(client, cast, role):
    response = login(client, cast[role].username)
    assert response.status_code == 302
    landing = client.get(response.url)
    assert landing.status_code == 302 and landing.url == HOMES[role]
    assert client.get(HOMES[role]).status_code == 200


def test_user_with_two_roles_lands_on_the_higher_one_and_sees_both_menus(client, town_user):
    from cppcc.roles import grant_role

    grant_role(town_user, Role.LEADER)
    login(client, town_user.username)
    assert client.get("/").url == HOMES[Role.LEADER]
    html = client.get(HOMES[Role.TOWN]).content.decode()
    assert "本镇街工作台" in html and "领导驾驶舱" in html


def test_wrong_password_gives_a_chinese_error_and_no_session(client, office_user):
    response = login(client, office_user.username, "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_account_locks_after_five_failures_even_with_the_right_password(client, office_user):
    for _ in range(5):
        login(client, office_user.username, "wrong-password")
    response = login(client, office_user.username)
    assert response.status_code == 429
    assert "账号已锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_one_locked_account_leaves_other_accounts_open(client, office_user, leader_user):
    # From the same address: locking office does not lock leader (the per-address limit is
    # larger than one account's five guesses; tests/cppcc/test_lockout.py covers it).
    for _ in range(5):
        login(client, office_user.username, "wrong-password")
    assert login(client, leader_user.username).status_code == 302


def test_lockout_ends_after_thirty_minutes(client, office_user, settings):
    from axes.models import AccessAttempt
    from django.utils import timezone

    for _ in range(5):
        login(client, office_user.username, "wrong-password")
    assert login(client, office_user.username).status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME)
    assert login(client, office_user.username).status_code == 302


def test_logout_needs_post_and_ends_the_session(client, office_user):
    login(client, office_user.username)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get(HOMES[Role.OFFICE]).status_code == 302


def _age_session(client, **ages):
    session = client.session
    now = time.time()
    for key, seconds in ages.items():
        session[key] = now - seconds
    session.save()


def test_session_ends_after_thirty_idle_minutes(client, office_user):
    login(client, office_user.username)
    assert client.get(HOMES[Role.OFFICE]).status_code == 200
    _age_session(client, cppcc_last_seen=31 * 60)
    response = client.get(HOMES[Role.OFFICE])
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert client.get(HOMES[Role.OFFICE]).status_code == 302


def test_session_survives_twenty_nine_idle_minutes(client, office_user):
    login(client, office_user.username)
    _age_session(client, cppcc_last_seen=29 * 60)
    assert client.get(HOMES[Role.OFFICE]).status_code == 200


def test_session_ends_twelve_hours_after_login_even_when_active(client, office_user):
    login(client, office_user.username)
    _age_session(client, cppcc_login_at=12 * 3600 + 60, cppcc_last_seen=10)
    response = client.get(HOMES[Role.OFFICE])
    assert response.status_code == 302 and response.url.startswith(LOGIN)


def test_logged_out_visitor_is_sent_to_login_from_every_home(client, db):
    for url in HOMES.values():
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(LOGIN), url


def test_a_role_cannot_open_another_roles_home(client_for, cast):
    assert client_for(cast[Role.MEMBER]).get(HOMES[Role.OFFICE]).status_code == 403
    assert client_for(cast[Role.UNIT]).get("/portal/").status_code == 403
    assert client_for(cast[Role.TOWN]).get(HOMES[Role.UNIT]).status_code == 403
    assert client_for(cast[Role.LEADER]).get(HOMES[Role.TOWN]).status_code == 403


def test_navigation_shows_only_what_the_role_may_use(client_for, cast):
    member_html = client_for(cast[Role.MEMBER]).get("/portal/").content.decode()
    assert "委员名册" not in member_html and "工作台" not in member_html
    unit_html = client_for(cast[Role.UNIT]).get(HOMES[Role.UNIT]).content.decode()
    assert "交办事项" in unit_html and "委员名册" not in unit_html
    office_html = client_for(cast[Role.OFFICE]).get(HOMES[Role.OFFICE]).content.decode()
    assert re.search(r'href="/members/"', office_html)


def test_home_redirects_to_login_when_logged_out(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url == reverse("login")


def test_empty_choice_in_selects_is_chinese(db):
    from django import forms

    from members.models import Member

    field = forms.models.fields_for_model(Member, fields=["sector"])["sector"]
    assert list(field.choices)[0][1] == "- 请选择 -"
