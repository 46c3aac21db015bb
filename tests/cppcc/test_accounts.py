"""The system administrator's accounts page (cppcc.accounts): logins for clerks, units, leaders
and office staff, temporary passwords that must be changed, deactivation, the password rules."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client

from cppcc import accounts
from cppcc.demo import DEMO_PASSWORD
from cppcc.models import User
from cppcc.roles import MEMBER_REGISTER_GROUP, Role, roles_of
from cppcc.workflow import WorkflowError

from ..conftest import PASSWORD
from ..factories import UserFactory

LIST = "/accounts/manage/"
NEW = "/accounts/manage/new/"
NEW_PASSWORD = "qijiang-gunan-2026"


def shown_password(html: str) -> str:
    return html.split('data-testid="password">')[1].split("<")[0]


def log_in(username: str, password: str) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def create_form(**fields) -> dict:
    return {"username": "gunan-li", "display_name": "李晓", "email": "", **fields}


# --- landing and access -------------------------------------------------------------------------


def test_admin_lands_on_the_accounts_page_with_links_to_it_and_to_the_django_admin(
    client_for, admin_user
):
    client = client_for(admin_user)
    assert client.get("/").url == LIST
    html = client.get(LIST).content.decode()
    assert "账号管理" in html
    assert 'href="/admin/"' in html and "后台管理" in html


@pytest.mark.parametrize("who", ["office_user", "town_user", "leader_user", "unit_user"])
def test_only_the_system_admin_opens_the_accounts_pages(request, client_for, who, admin_user):
    client = client_for(request.getfixturevalue(who))
    assert client.get(LIST).status_code == 403
    assert client.get(NEW).status_code == 403
    assert client.post(f"/accounts/manage/{admin_user.pk}/deactivate/").status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.is_active


# --- create --------------------------------------------------------------------------------------


def test_admin_creates_a_town_clerk_who_must_choose_a_password_at_first_login(
    client_for, admin_user, gunan
):
    response = client_for(admin_user).post(NEW, create_form(roles=[Role.TOWN], town=gunan.pk))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    temporary = shown_password(response.content.decode())
    clerk = User.objects.get(username="gunan-li")
    assert clerk.town == gunan and Role.TOWN in roles_of(clerk)
    assert clerk.must_change_password and clerk.check_password(temporary)
    # Who created it is recorded.
    assert clerk.history.filter(history_user=admin_user).exists()

    client = log_in("gunan-li", temporary)
    page = client.get("/reports/town/")
    assert page.status_code == 302 and page.url == "/accounts/password/"
    assert "临时密码" in client.get("/accounts/password/").content.decode()
    changed = client.post(
        "/accounts/password/",
        {"old_password": temporary, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert changed.status_code == 302
    clerk.refresh_from_db()
    assert not clerk.must_change_password
    assert client.get("/reports/town/").status_code == 200


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"roles": [Role.TOWN]}, "town", "镇街工作人员必须选择所属镇街"),
        ({"roles": [Role.UNIT]}, "handling_unit", "承办单位账号必须选择所属承办单位"),
        (
            {"roles": [Role.LEADER], "member_register": "on"},
            "member_register",
            "只有机关工作人员可以授予",
        ),
        ({"roles": []}, "roles", "该字段是必填项"),
    ],
)
def test_an_incomplete_login_is_refused_in_chinese_and_nothing_is_created(
    client_for, admin_user, fields, field, message
):
    response = client_for(admin_user).post(NEW, create_form(**fields))
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert message in response.content.decode()
    assert not User.objects.filter(username="gunan-li").exists()


def test_a_username_in_use_is_refused_whatever_its_case(client_for, admin_user, office_user):
    response = client_for(admin_user).post(
        NEW, create_form(username=office_user.username.upper(), roles=[Role.LEADER])
    )
    assert "已被使用" in str(response.context["form"].errors["username"])
    assert User.objects.filter(username__iexact=office_user.username).count() == 1


def test_the_service_checks_the_same_rules_as_the_form(admin_user, gunan):
    with pytest.raises(WorkflowError, match="镇街工作人员必须选择所属镇街"):
        accounts.account_create(by=admin_user, username="x1", display_name="x", roles=[Role.TOWN])
    with pytest.raises(WorkflowError, match="只能授予"):
        accounts.account_create(by=admin_user, username="x2", display_name="x", roles=[Role.ADMIN])
    assert not User.objects.filter(username__in=["x1", "x2"]).exists()


def test_office_login_may_get_the_member_register_right(client_for, admin_user):
    client_for(admin_user).post(
        NEW, create_form(username="office-zhao", roles=[Role.OFFICE], member_register="on")
    )
    user = User.objects.get(username="office-zhao")
    assert set(user.groups.values_list("name", flat=True)) == {Role.OFFICE, MEMBER_REGISTER_GROUP}
    assert user.has_perm("members.view_member_sensitive")


def test_a_unit_login_answers_for_its_unit(client_for, admin_user, unit):
    client_for(admin_user).post(
        NEW, create_form(username="jtj-2", roles=[Role.UNIT], handling_unit=unit.pk)
    )
    user = User.objects.get(username="jtj-2")
    assert user.handling_unit == unit and roles_of(user) == {Role.UNIT}


# --- edit ----------------------------------------------------------------------------------------


def test_editing_moves_a_clerk_and_clears_links_of_roles_taken_away(
    client_for, admin_user, town_user, dongxi, unit
):
    client = client_for(admin_user)
    response = client.post(
        f"/accounts/manage/{town_user.pk}/",
        create_form(username="ignored", roles=[Role.UNIT], handling_unit=unit.pk),
    )
    assert response.status_code == 302
    town_user.refresh_from_db()
    assert town_user.username == "t-town"  # the username cannot be changed here
    assert town_user.town is None and town_user.handling_unit == unit
    assert roles_of(town_user) == {Role.UNIT}
    html = client.get(f"/accounts/manage/{town_user.pk}/").content.decode()
    assert "修改记录" in html and "修改账号" in html


def test_editing_a_members_login_keeps_the_member_role(client_for, admin_user, member_user):
    response = client_for(admin_user).post(
        f"/accounts/manage/{member_user.pk}/", create_form(display_name="张古南委员")
    )
    assert response.status_code == 302
    member_user.refresh_from_db()
    assert roles_of(member_user) == {Role.MEMBER} and member_user.display_name == "张古南委员"


# --- reset, deactivate ----------------------------------------------------------------------------


def test_reset_shows_a_new_temporary_password_once_and_the_old_one_stops_working(
    client_for, admin_user, leader_user
):
    response = client_for(admin_user).post(f"/accounts/manage/{leader_user.pk}/password/")
    assert response["Cache-Control"] == "no-store"
    temporary = shown_password(response.content.decode())
    leader_user.refresh_from_db()
    assert leader_user.must_change_password
    assert leader_user.check_password(temporary) and not leader_user.check_password(PASSWORD)
    assert leader_user.history.filter(history_change_reason="重置密码").exists()
    # The edit page never shows it again.
    assert (
        temporary
        not in client_for(admin_user).get(f"/accounts/manage/{leader_user.pk}/").content.decode()
    )


def test_reset_needs_a_post(client_for, admin_user, leader_user):
    response = client_for(admin_user).get(f"/accounts/manage/{leader_user.pk}/password/")
    assert response.status_code == 405
    leader_user.refresh_from_db()
    assert not leader_user.must_change_password


def test_a_deactivated_login_cannot_log_in_and_its_open_session_ends(
    client_for, admin_user, office_user
):
    session = log_in(office_user.username, PASSWORD)
    response = client_for(admin_user).post(f"/accounts/manage/{office_user.pk}/deactivate/")
    assert response.status_code == 302
    office_user.refresh_from_db()
    assert not office_user.is_active
    assert session.get("/reports/office/").status_code == 302  # back to the login page
    refused = Client().post(
        "/accounts/login/", {"username": office_user.username, "password": PASSWORD}
    )
    assert refused.status_code == 200 and "该账号已停用" in refused.content.decode()

    client_for(admin_user).post(f"/accounts/manage/{office_user.pk}/activate/")
    log_in(office_user.username, PASSWORD)


def test_admin_cannot_deactivate_or_reset_themself(client_for, admin_user):
    client = client_for(admin_user)
    response = client.post(f"/accounts/manage/{admin_user.pk}/deactivate/", follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    client.post(f"/accounts/manage/{admin_user.pk}/password/")
    admin_user.refresh_from_db()
    assert admin_user.is_active and not admin_user.must_change_password
    assert admin_user.check_password(PASSWORD)


# --- list ----------------------------------------------------------------------------------------


def test_list_searches_filters_and_shows_the_last_login(client_for, cast):
    from django.utils import timezone

    cast[Role.TOWN].last_login = timezone.make_aware(timezone.datetime(2026, 3, 5, 9, 30))
    cast[Role.TOWN].save(update_fields=["last_login"])
    cast[Role.LEADER].is_active = False
    cast[Role.LEADER].save(update_fields=["is_active"])
    client = client_for(cast[Role.ADMIN])

    html = client.get(LIST, {"q": "t-town"}).content.decode()
    assert "t-town2" in html and "t-town<" in html and "t-office" not in html
    assert "2026-03-05 09:30" in html and "从未登录" in html
    html = client.get(LIST, {"role": Role.UNIT}).content.decode()
    assert "t-unit" in html and "t-town" not in html
    html = client.get(LIST, {"active": "0"}).content.decode()
    assert "t-leader" in html and "t-office" not in html
    html = client.get(LIST, {"role": Role.ADMIN}).content.decode()
    assert "t-admin" in html and "t-office" not in html


def test_list_is_paged_and_its_queries_do_not_grow_with_rows(
    client_for, admin_user, django_assert_max_num_queries
):
    for n in range(45):
        UserFactory(username=f"clerk{n:02d}", roles=[Role.LEADER])
    client = client_for(admin_user)
    # session, user, the admin's roles, count, page rows (town, unit, member joined), their
    # groups (one prefetch), unread notifications, and the session's last-seen write
    # (savepoint, update, release).
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    html = response.content.decode()
    assert html.count('href="/accounts/manage/') >= 30 and "clerk44" not in html
    assert "clerk44" in client.get(LIST, {"page": 2}).content.decode()


# --- password rules -----------------------------------------------------------------------------


def test_passwords_need_ten_characters_and_are_explained_in_chinese(client_for, leader_user):
    response = client_for(leader_user).post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "qj-2026ab", "new_password2": "qj-2026ab"},
    )
    assert response.status_code == 200
    assert "至少" in response.content.decode() and "10" in response.content.decode()
    leader_user.refresh_from_db()
    assert leader_user.check_password(PASSWORD)


def test_the_demo_password_and_temporary_passwords_pass_the_rules():
    validate_password(DEMO_PASSWORD)
    validate_password(PASSWORD)
    for _ in range(20):
        validate_password(accounts.temporary_password())
    with pytest.raises(ValidationError):
        validate_password("123456789")


# --- temporary passwords everywhere ------------------------------------------------------------


@pytest.fixture
def must_change(leader_user):
    leader_user.must_change_password = True
    leader_user.save(update_fields=["must_change_password"])
    return leader_user


def test_a_temporary_password_still_lets_the_person_log_out_and_load_static_files(must_change):
    client = log_in(must_change.username, PASSWORD)
    assert client.get("/reports/dashboard/").url == "/accounts/password/"
    assert client.get("/inbox/").url == "/accounts/password/"
    assert client.get("/healthz/").status_code == 200
    assert client.get("/static/js/app.js").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_the_api_refuses_a_person_with_a_temporary_password_in_chinese(must_change):
    from rest_framework.authtoken.models import Token

    response = Client().post(
        "/api/v1/auth/token/", {"username": must_change.username, "password": PASSWORD}
    )
    assert response.status_code == 400 and "修改初始密码" in response.content.decode()
    token = Token.objects.create(user=must_change)
    response = Client().get("/api/v1/members/", HTTP_AUTHORIZATION=f"Token {token.key}")
    # 401: the token authenticator comes first and names its scheme in WWW-Authenticate.
    assert response.status_code == 401 and "修改初始密码" in response.content.decode()
    assert response["WWW-Authenticate"].startswith("Token")
    session = log_in(must_change.username, PASSWORD)
    response = session.get("/api/v1/members/")
    assert response.status_code == 403 and "临时密码" in response.json()["detail"]


def test_a_members_login_opened_by_the_office_must_change_its_password(
    client_for, office_user, member_a
):
    html = client_for(office_user).post(f"/members/{member_a.pk}/login/").content.decode()
    temporary = shown_password(html)
    login = User.objects.get(member=member_a)
    assert login.must_change_password
    validate_password(temporary)
    client = log_in(login.username, temporary)
    assert client.get("/portal/").url == "/accounts/password/"
