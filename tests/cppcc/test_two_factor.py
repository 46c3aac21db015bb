"""Two-factor sign-in (TOTP) for staff and administrator accounts (cppcc.two_factor), with real
codes computed here from the device's key."""

import re
import time

import pytest
from django.test import Client
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from cppcc.roles import Role

from ..conftest import PASSWORD

LOGIN = "/accounts/login/"
CODE = "/accounts/login/code/"
PAGE = "/accounts/two-factor/"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _no_throttle(settings):
    # django-otp waits 2^n seconds after each wrong code; the tests do not sleep.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


def code(device, steps: int = 0) -> str:
    """The code the authenticator shows now (or `steps` periods later: a code is used once)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = time.time() + steps * device.step
    return f"{totp.token():0{device.digits}d}"


def wrong(device) -> str:
    right = {code(device, s) for s in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222", "333333") if c not in right)


@pytest.fixture
def enrolled(office_user):
    return TOTPDevice.objects.create(user=office_user, name="验证器", confirmed=True)


def test_office_clerk_turns_two_factor_on_with_a_real_code(client_for, office_user):
    c = client_for(office_user)
    assert "尚未开启" in c.get(PAGE).content.decode()
    assert c.post(PAGE, {"action": "start"}).status_code == 302
    html = c.get(PAGE).content.decode()
    device = TOTPDevice.objects.get(user=office_user)
    assert not device.confirmed
    assert device.config_url in html.replace("&amp;", "&")
    assert re.search(r"otpauth://totp/[^\s<]*secret=", html)
    secret = re.search(r'data-testid="otp-secret">([^<]+)<', html).group(1)
    assert len(secret.replace(" ", "")) == 32
    # No QR library is installed: nothing is loaded from elsewhere.
    assert not re.search(r'(src|href)="(https?:)?//', html)
    response = c.post(PAGE, {"action": "confirm", "otp": code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed
    assert 'data-testid="two-factor-on"' in c.get(PAGE).content.decode()


def test_a_wrong_code_does_not_turn_it_on(client_for, office_user):
    c = client_for(office_user)
    c.post(PAGE, {"action": "start"})
    device = TOTPDevice.objects.get(user=office_user)
    response = c.post(PAGE, {"action": "confirm", "otp": wrong(device)})
    assert response.status_code == 200
    assert "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed


def test_the_page_shows_nothing_and_creates_nothing_on_get(client_for, office_user):
    client_for(office_user).get(PAGE)
    assert not TOTPDevice.objects.exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.TOWN, Role.LEADER])
def test_other_staff_roles_may_turn_it_on(client_for, cast, role):
    assert client_for(cast[role]).get(PAGE).status_code == 200


@pytest.mark.parametrize("role", [Role.MEMBER, Role.UNIT])
def test_members_and_units_cannot_open_the_page(client_for, cast, role):
    c = client_for(cast[role])
    assert c.get(PAGE).status_code == 403
    assert c.post(PAGE, {"action": "start"}).status_code == 403
    assert not TOTPDevice.objects.exists()


def test_login_asks_for_the_code_after_the_password(client, office_user, enrolled):
    response = client.post(LOGIN, {"username": office_user.username, "password": PASSWORD})
    assert response.status_code == 302 and response.url.startswith(CODE)
    assert "_auth_user_id" not in client.session
    # The password alone opens nothing.
    assert client.get("/reports/office/").status_code == 302
    assert "验证码" in client.get(CODE).content.decode()
    response = client.post(CODE, {"otp": code(enrolled)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(office_user.pk)
    assert client.get("/reports/office/").status_code == 200


def test_a_wrong_code_is_refused_in_chinese(client, office_user, enrolled):
    client.post(LOGIN, {"username": office_user.username, "password": PASSWORD})
    response = client.post(CODE, {"otp": wrong(enrolled)})
    assert response.status_code == 200
    assert "验证码不正确或已过期" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_code_is_used_only_once(client, office_user, enrolled):
    used = code(enrolled)
    client.post(LOGIN, {"username": office_user.username, "password": PASSWORD})
    client.post(CODE, {"otp": used})
    other = Client()
    other.post(LOGIN, {"username": office_user.username, "password": PASSWORD})
    other.post(CODE, {"otp": used})
    assert "_auth_user_id" not in other.session


def test_the_code_step_goes_where_the_login_was_going(client, office_user, enrolled):
    response = client.post(
        f"{LOGIN}?next=/members/",
        {"username": office_user.username, "password": PASSWORD, "next": "/members/"},
    )
    assert "next=%2Fmembers%2F" in response.url
    html = client.get(response.url).content.decode()
    assert 'name="next" value="/members/"' in html
    response = client.post(CODE, {"otp": code(enrolled), "next": "/members/"})
    assert response.url == "/members/"


def test_the_code_step_refuses_a_foreign_next(client, office_user, enrolled):
    client.post(LOGIN, {"username": office_user.username, "password": PASSWORD})
    response = client.post(CODE, {"otp": code(enrolled), "next": "https://evil.example/"})
    assert response.status_code == 302 and "evil" not in response.url


def test_the_code_step_without_the_password_step_sends_to_login(client, enrolled):
    response = client.post(CODE, {"otp": code(enrolled)})
    assert response.status_code == 302 and response.url == LOGIN
    assert "_auth_user_id" not in client.session


def test_a_password_step_older_than_five_minutes_is_forgotten(client, office_user, enrolled):
    client.post(LOGIN, {"username": office_user.username, "password": PASSWORD})
    session = client.session
    session["cppcc_otp_pending"]["at"] -= 301
    session.save()
    response = client.post(CODE, {"otp": code(enrolled)})
    assert response.url == LOGIN and "_auth_user_id" not in client.session


def test_five_wrong_codes_lock_the_account_like_wrong_passwords(client, office_user, enrolled):
    client.post(LOGIN, {"username": office_user.username, "password": PASSWORD})
    statuses = [client.post(CODE, {"otp": wrong(enrolled)}).status_code for _ in range(5)]
    assert statuses[:4] == [200] * 4 and statuses[4] == 429
    again = Client()
    assert (
        again.post(LOGIN, {"username": office_user.username, "password": PASSWORD}).status_code
        == 429
    )


def test_turning_it_off_needs_a_current_code(client_for, office_user, enrolled):
    c = client_for(office_user)
    response = c.post(PAGE, {"action": "disable", "otp": wrong(enrolled)})
    assert response.status_code == 200 and "不正确" in response.content.decode()
    assert TOTPDevice.objects.filter(user=office_user).exists()
    assert c.post(PAGE, {"action": "disable", "otp": code(enrolled)}).status_code == 302
    assert not TOTPDevice.objects.filter(user=office_user).exists()
    response = Client().post(LOGIN, {"username": office_user.username, "password": PASSWORD})
    assert response.url == "/"


def test_the_token_endpoint_asks_for_the_code(office_user, enrolled):
    credentials = {"username": office_user.username, "password": PASSWORD}
    missing = Client().post(TOKEN_URL, credentials)
    assert missing.status_code == 400 and "两步验证" in missing.json()["otp"][0]
    refused = Client().post(TOKEN_URL, {**credentials, "otp": wrong(enrolled)})
    assert refused.status_code == 400 and "不正确" in refused.json()["otp"][0]
    accepted = Client().post(TOKEN_URL, {**credentials, "otp": code(enrolled)})
    assert accepted.status_code == 200 and len(accepted.json()["token"]) == 40


def test_a_person_without_two_factor_logs_in_with_the_password_alone(client, office_user):
    response = client.post(LOGIN, {"username": office_user.username, "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"
    assert "_auth_user_id" in client.session


def test_the_administrator_turns_it_off_for_a_lost_phone(
    client_for, admin_user, office_user, enrolled
):
    admin = client_for(admin_user)
    page = admin.get(f"/accounts/manage/{office_user.pk}/").content.decode()
    assert 'data-testid="two-factor">已开启' in page
    response = admin.post(f"/accounts/manage/{office_user.pk}/two-factor/")
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=office_user).exists()
    assert office_user.history.latest().history_change_reason == "关闭两步验证"
    assert Client().post(LOGIN, {"username": office_user.username, "password": PASSWORD}).url == "/"


def test_only_the_administrator_may_turn_it_off_for_someone_else(client_for, cast, enrolled):
    office = cast[Role.OFFICE]
    response = client_for(cast[Role.LEADER]).post(f"/accounts/manage/{office.pk}/two-factor/")
    assert response.status_code == 403
    assert client_for(office).get(f"/accounts/manage/{office.pk}/two-factor/").status_code == 403
    assert TOTPDevice.objects.filter(user=office).exists()


# --- the audit trail: a two-factor login is one row, like any other ---------------------------


def _rows_after(since: int) -> list:
    from cppcc.models import AuditEvent

    return list(AuditEvent.objects.filter(id__gt=since).order_by("id"))


def _mark() -> int:
    from cppcc.models import AuditEvent

    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def test_a_two_factor_login_makes_exactly_one_login_row(client, office_user, enrolled):
    from cppcc.models import AuditKind, AuditOutcome

    since = _mark()
    client.post(LOGIN, {"username": office_user.username, "password": PASSWORD})
    # The password step logs nobody in, so it is no login row of its own.
    assert _rows_after(since) == []
    client.post(CODE, {"otp": code(enrolled)}, REMOTE_ADDR="10.1.2.3")
    rows = _rows_after(since)
    assert [(r.kind, r.outcome, r.user, r.action, r.client_ip) for r in rows] == [
        (AuditKind.LOGIN, AuditOutcome.SUCCESS, office_user, "login_otp", "10.1.2.3")
    ]


def test_a_wrong_code_makes_exactly_one_failed_login_row(client, office_user, enrolled):
    from cppcc.models import AuditKind, AuditOutcome

    since = _mark()
    client.post(LOGIN, {"username": office_user.username, "password": PASSWORD})
    client.post(CODE, {"otp": wrong(enrolled)})
    rows = _rows_after(since)
    assert [(r.kind, r.outcome, r.username) for r in rows] == [
        (AuditKind.LOGIN_FAILED, AuditOutcome.REFUSED, office_user.username)
    ]


def test_a_wrong_password_of_a_two_factor_account_makes_one_failed_row(
    client, office_user, enrolled
):
    from cppcc.models import AuditKind

    since = _mark()
    client.post(LOGIN, {"username": office_user.username, "password": "wrong-password"})
    assert [r.kind for r in _rows_after(since)] == [AuditKind.LOGIN_FAILED]


def test_a_token_with_its_code_makes_one_login_row(office_user, enrolled):
    from cppcc.models import AuditKind

    since = _mark()
    credentials = {"username": office_user.username, "password": PASSWORD}
    assert Client().post(TOKEN_URL, {**credentials, "otp": code(enrolled)}).status_code == 200
    assert [(r.kind, r.user) for r in _rows_after(since)] == [(AuditKind.LOGIN, office_user)]


# --- the admin's own login page cannot skip the code ------------------------------------------


def test_the_admin_login_sends_to_the_sites_login(client, admin_user):
    response = client.get("/admin/login/?next=/admin/members/")
    assert response.status_code == 302
    assert response.url == "/accounts/login/?next=/admin/members/"


def test_the_password_alone_does_not_open_the_admin_for_a_two_factor_admin(client, admin_user):
    TOTPDevice.objects.create(user=admin_user, name="验证器", confirmed=True)
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": admin_user.username, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302 and response.url.startswith(LOGIN)
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302


def test_the_admin_opens_after_both_steps(client, admin_user):
    device = TOTPDevice.objects.create(user=admin_user, name="验证器", confirmed=True)
    client.post(LOGIN, {"username": admin_user.username, "password": PASSWORD, "next": "/admin/"})
    response = client.post(CODE, {"otp": code(device), "next": "/admin/"})
    assert response.url == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_logged_in_person_without_admin_rights_is_refused_not_looped(client_for, cast):
    response = client_for(cast[Role.MEMBER]).get("/admin/", follow=True)
    assert response.status_code == 403
