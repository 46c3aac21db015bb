import re

from rest_framework.authtoken.models import Token


def test_api_needs_login_and_answers_in_chinese(client, db):
    response = client.get("/api/v1/members/")
    assert response.status_code in (401, 403)
    assert re.search(r"[\u4e00-\u9fff]", response.json()["detail"])


def test_token_auth_reaches_the_api(client, office_user):
    token = Token.objects.create(user=office_user)
    response = client.get("/api/v1/handling-units/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200


def test_obtaining_a_token_with_username_and_password(client, office_user):
    from ..conftest import PASSWORD

    response = client.post(
        "/api/v1/auth/token/", {"username": office_user.username, "password": PASSWORD}
    )
    assert response.status_code == 200 and len(response.json()["token"]) == 40


def test_schema_generates_and_docs_load_from_this_server(client_for, office_user):
    client = client_for(office_user)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/members/" in schema.content
    docs = client.get("/api/docs/").content.decode()
    assert "swagger" in docs.lower()
    assert not re.search(r'(src|href)="(https?:)?//', docs)


def test_handling_unit_login_sees_only_its_own_unit(client_for, unit_user, db):
    from ..factories import HandlingUnitFactory

    HandlingUnitFactory(name="区教委")
    names = [
        row["name"]
        for row in client_for(unit_user).get("/api/v1/handling-units/").json()["results"]
    ]
    assert names == ["区交通局"]


def test_member_sees_no_handling_units(client_for, member_user, unit):
    assert client_for(member_user).get("/api/v1/handling-units/").json()["count"] == 0
