"""The register's API: writes through services, filters shared with the page, workflow actions."""

import datetime

import pytest
from django.core.management import call_command

from members.models import Member, Sector, Term

from .conftest import make_id


@pytest.fixture
def api(office_user, client_for):
    return client_for(office_user)


def test_create_and_update_go_through_services(api, tables, office_user):
    sector = Sector.objects.get(name="医药卫生界")
    number = make_id(datetime.date(1980, 1, 2))
    response = api.post(
        "/api/v1/members/",
        {
            "name": "单医生",
            "gender": "F",
            "sector": sector.pk,
            "party": "js",
            "id_number": number,
            "mobile": "13912340000",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["name_pinyin"] == "shan yi sheng"
    assert data["mobile_masked"] == "139****0000" and "mobile" not in data
    member = Member.objects.get(pk=data["id"])
    assert member.id_number == number and member.history.first().history_user == office_user
    assert list(member.terms.all()) == [tables]  # the current term by default

    response = api.patch(
        f"/api/v1/members/{member.pk}/",
        {"name": "曾医生", "version": member.version},
        content_type="application/json",
    )
    assert response.json()["name_initials"] == "zys"


def test_filters_match_the_list_page(api, member_a, member_b, gunan_studio):
    assert [
        m["name"]
        for m in api.get("/api/v1/members/", {"studio": gunan_studio.pk}).json()["results"]
    ] == [member_a.name]
    assert api.get("/api/v1/members/", {"sector": member_b.sector_id}).json()["count"] == 1
    assert api.get("/api/v1/members/", {"status": "left"}).json()["count"] == 0
    assert api.get("/api/v1/members/", {"search": member_b.name}).json()["count"] == 1
    html = api.get("/members/", {"studio": gunan_studio.pk}).content.decode()
    assert member_a.name in html and member_b.name not in html


def test_leave_and_return_actions_use_the_workflow(api, member_a):
    response = api.post(
        f"/api/v1/members/{member_a.pk}/leave/",
        {"left_on": "2024-06-01", "left_reason": "辞职"},
        content_type="application/json",
    )
    assert response.status_code == 200 and response.json()["status"] == "left"
    again = api.post(
        f"/api/v1/members/{member_a.pk}/leave/",
        {"left_on": "2024-06-01", "left_reason": "辞职"},
        content_type="application/json",
    )
    assert again.status_code == 409
    assert api.post(f"/api/v1/members/{member_a.pk}/return/").json()["status"] == "active"


def test_only_one_current_term(api, tables):
    response = api.post(
        "/api/v1/terms/",
        {"name": "第十六届", "start_year": 2026, "end_year": 2031, "is_current": True},
        content_type="application/json",
    )
    assert response.status_code == 400 and "本届" in str(response.json())
    assert Term.objects.filter(is_current=True).count() == 1


def test_reference_tables_are_listed_and_filtered(api, tables):
    assert api.get("/api/v1/sectors/").json()["count"] == 24
    assert api.get("/api/v1/special-committees/", {"search": "提案"}).json()["count"] == 1
    assert (
        api.get("/api/v1/terms/", {"is_current": "true"}).json()["results"][0]["name"] == "第十五届"
    )


def test_sensitive_action_refuses_office_without_register(
    member_a, office_user_without_register, client_for
):
    response = client_for(office_user_without_register).post(
        f"/api/v1/members/{member_a.pk}/sensitive/"
    )
    assert response.status_code == 403
    assert "权限" in response.json()["detail"]


def test_schema_generates_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_api_requires_the_id_number_like_the_form_and_the_template(api, tables, member_a):
    sector = Sector.objects.get(name="医药卫生界")
    response = api.post(
        "/api/v1/members/",
        {"name": "无证号", "gender": "F", "sector": sector.pk, "party": "js"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["id_number"] in (["请填写身份证号。"], ["该字段是必填项。"])
    assert not Member.objects.filter(name="无证号").exists()
    stored = member_a.id_number
    response = api.patch(
        f"/api/v1/members/{member_a.pk}/",
        {"id_number": "", "version": member_a.version},
        content_type="application/json",
    )
    assert response.status_code == 400
    member_a.refresh_from_db()
    assert member_a.id_number == stored
