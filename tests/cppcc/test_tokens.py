"""API tokens expire, are revoked on password change, deactivation and logout, and are issued
only to the roles that need the API (cppcc.api_auth)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token

from cppcc.roles import Role

from ..conftest import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
API_URL = "/api/v1/handling-units/"
NEW_PASSWORD = "Qijiang-new-pass-2026"


def obtain(user, **extra):
    return Client().post(TOKEN_URL, {"username": user.username, "password": PASSWORD, **extra})


def call_api(key):
    return Client().get(API_URL, HTTP_AUTHORIZATION=f"Token {key}")


def token_for(user) -> str:
    response = obtain(user)
    assert response.status_code == 200, response.content
    return response.json()["token"]


def age(key, **delta):
    Token.objects.filter(key=key).update(created=timezone.now() - timedelta(**delta))


def test_token_answers_for_eleven_hours_and_fifty_nine_minutes(office_user):
    key = token_for(office_user)
    age(key, hours=11, minutes=59)
    assert call_api(key).status_code == 200


def test_token_is_refused_with_a_chinese_401_after_twelve_hours(office_user):
    key = token_for(office_user)
    age(key, hours=12, minutes=1)
    response = call_api(key)
    assert response.status_code == 401
    assert response.json()["detail"] == "令牌已过期，请重新获取。"
    assert not Token.objects.filter(key=key).exists()


def test_token_lifetime_follows_the_setting(office_user, settings):
    settings.CPPCC_TOKEN_TTL_HOURS = 1
    key = token_for(office_user)
    age(key, minutes=61)
    assert call_api(key).status_code == 401


def test_token_answer_says_when_it_expires(office_user):
    before = timezone.now()
    data = obtain(office_user).json()
    expires = timezone.datetime.fromisoformat(data["expires_at"])
    assert timedelta(hours=11, minutes=59) < expires - before <= timedelta(hours=12, seconds=5)


def test_asking_again_after_expiry_gives_a_new_token_even_with_the_old_header(office_user):
    key = token_for(office_user)
    age(key, hours=13)
    response = Client().post(
        TOKEN_URL,
        {"username": office_user.username, "password": PASSWORD},
        HTTP_AUTHORIZATION=f"Token {key}",
    )
    assert response.status_code == 200
    new_key = response.json()["token"]
    assert new_key != key and call_api(new_key).status_code == 200


def test_own_password_change_revokes_the_token(client, office_user):
    key = token_for(office_user)
    client.force_login(office_user)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert call_api(key).status_code == 401


def test_administrators_reset_on_the_accounts_page_revokes_the_token(
    client_for, admin_user, office_user
):
    key = token_for(office_user)
    response = client_for(admin_user).post(f"/accounts/manage/{office_user.pk}/password/")
    assert response.status_code == 200
    assert call_api(key).status_code == 401


def test_password_set_in_the_django_admin_revokes_the_token(client_for, admin_user, office_user):
    key = token_for(office_user)
    response = client_for(admin_user).post(
        f"/admin/cppcc/user/{office_user.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert call_api(key).status_code == 401


def test_a_wrong_old_password_changes_nothing_and_keeps_the_token(client, office_user):
    key = token_for(office_user)
    client.force_login(office_user)
    client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert call_api(key).status_code == 200


def test_deactivation_revokes_the_token_for_good(client_for, admin_user, office_user):
    key = token_for(office_user)
    admin = client_for(admin_user)
    admin.post(f"/accounts/manage/{office_user.pk}/deactivate/")
    assert call_api(key).status_code == 401
    admin.post(f"/accounts/manage/{office_user.pk}/activate/")
    assert call_api(key).status_code == 401


def test_logging_out_of_the_pages_revokes_the_token(client, office_user):
    key = token_for(office_user)
    client.force_login(office_user)
    client.post("/accounts/logout/")
    assert call_api(key).status_code == 401


def test_delete_on_the_token_endpoint_revokes_it(office_user):
    key = token_for(office_user)
    response = Client().delete(TOKEN_URL, HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 204
    assert call_api(key).status_code == 401


def test_delete_without_a_token_is_401(db):
    assert Client().delete(TOKEN_URL).status_code == 401


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OFFICE, Role.TOWN, Role.UNIT])
def test_roles_that_use_the_api_get_a_token(cast, role):
    assert len(token_for(cast[role])) == 40


@pytest.mark.parametrize("role", [Role.MEMBER, Role.LEADER])
def test_members_and_leaders_are_refused_a_token_with_a_chinese_reason(cast, role):
    response = obtain(cast[role])
    assert response.status_code == 403
    assert "无需使用接口" in response.json()["detail"]
    assert not Token.objects.filter(user=cast[role]).exists()


def test_a_wrong_password_gets_no_token_and_no_role_hint(leader_user):
    response = Client().post(TOKEN_URL, {"username": leader_user.username, "password": "x"})
    assert response.status_code == 400
    assert "无需使用接口" not in response.content.decode()


def test_schema_documents_the_token_endpoint_its_lifetime_and_expiry(client_for, office_user):
    schema = client_for(office_user).get("/api/schema/?format=json").json()
    operations = schema["paths"]["/api/v1/auth/token/"]
    post = operations["post"]
    assert "12 小时" in post["description"] and "令牌已过期，请重新获取。" in post["description"]
    assert {"200", "400", "403"} <= set(post["responses"])
    body = post["requestBody"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert "otp" in schema["components"]["schemas"][body]["properties"]
    ok = post["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].split("/")[-1]
    assert set(schema["components"]["schemas"][ok]["properties"]) == {"token", "expires_at"}
    assert "令牌已过期" in operations["delete"]["responses"]["401"]["description"]
