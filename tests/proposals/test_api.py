"""The handling units API (/api/v1/handling-units/): kind, office-only writes, unique names."""

import pytest

from proposals.models import HandlingUnit

from ..factories import HandlingUnitFactory


@pytest.fixture
def other_unit(db):
    return HandlingUnitFactory(name="区住房城乡建委")


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def names(response):
    assert response.status_code == 200, response.content
    return sorted(row["name"] for row in response.json()["results"])


def test_office_staff_add_a_unit_with_its_kind(client_for, office_user):
    response = post(
        client_for(office_user),
        "/api/v1/handling-units/",
        {"name": "区妇联", "kind": "party", "contact_person": "王芳"},
    )
    assert response.status_code == 201, response.content
    assert (response.json()["kind"], response.json()["kind_display"]) == ("party", "党群部门")
    assert HandlingUnit.objects.get(name="区妇联").kind == "party"


def test_a_unit_name_is_unique_with_a_chinese_message(client_for, office_user, unit):
    response = post(client_for(office_user), "/api/v1/handling-units/", {"name": " 区交通局 "})
    assert response.status_code == 400
    assert response.json()["name"] == ["已有名为“区交通局”的承办单位。"]
    assert HandlingUnit.objects.filter(name="区交通局").count() == 1


def test_renaming_a_unit_to_anothers_name_is_refused(client_for, office_user, unit, other_unit):
    response = client_for(office_user).patch(
        f"/api/v1/handling-units/{other_unit.pk}/",
        {"name": "区交通局"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "区交通局" in response.json()["name"][0]
    other_unit.refresh_from_db()
    assert other_unit.name == "区住房城乡建委"


def test_office_staff_change_a_units_kind(client_for, office_user, unit):
    response = client_for(office_user).patch(
        f"/api/v1/handling-units/{unit.pk}/", {"kind": "other"}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    unit.refresh_from_db()
    assert unit.kind == "other"


@pytest.mark.parametrize("who", ["town_user", "leader_user", "unit_user"])
def test_only_office_staff_write_units(who, request, client_for, unit):
    c = client_for(request.getfixturevalue(who))
    assert post(c, "/api/v1/handling-units/", {"name": "区教委"}).status_code == 403
    response = c.patch(
        f"/api/v1/handling-units/{unit.pk}/", {"kind": "other"}, content_type="application/json"
    )
    assert response.status_code == 403
    unit.refresh_from_db()
    assert not HandlingUnit.objects.filter(name="区教委").exists() and unit.kind == "government"


def test_units_filter_by_kind(client_for, town_user, unit):
    HandlingUnitFactory(name="区妇联", kind="party")
    c = client_for(town_user)
    assert names(c.get("/api/v1/handling-units/?kind=party")) == ["区妇联"]
    assert names(c.get("/api/v1/handling-units/?kind=government")) == ["区交通局"]


def test_a_unit_login_reads_only_its_own_unit(client_for, unit_user, other_unit):
    c = client_for(unit_user)
    assert names(c.get("/api/v1/handling-units/")) == ["区交通局"]
    assert c.get(f"/api/v1/handling-units/{other_unit.pk}/").status_code == 404
