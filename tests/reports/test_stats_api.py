"""/api/v1/stats/: who may read it, the town rule, bad input, and garbage on the figure pages."""

import pytest

from .year_fixture import build_year, freeze_today

API = "/api/v1/stats/"


@pytest.fixture
def county(monkeypatch, gunan, dongxi, gunan_studio, dongxi_studio, member_a, member_b, term):
    freeze_today(monkeypatch)
    return build_year(gunan, dongxi, gunan_studio, dongxi_studio, member_a, member_b, term)


@pytest.mark.parametrize("who", ["member_user", "unit_user"])
def test_members_and_units_may_not_read_the_figures(request, client_for, who):
    response = client_for(request.getfixturevalue(who)).get(API)
    assert response.status_code == 403


def test_a_bad_year_is_a_400_in_chinese(county, client_for, office_user):
    client = client_for(office_user)
    response = client.get(API, {"year": "abc"})
    assert response.status_code == 400
    assert response.json()["year"] == ["年度须为数字，如 2025。"]
    response = client.get(API, {"year": "1990"})
    assert response.status_code == 400
    assert "可查询2025年至2026年" in response.json()["year"][0]


def test_an_unknown_town_is_a_400(county, client_for, office_user):
    response = client_for(office_user).get(API, {"town": 999})
    assert response.status_code == 400
    assert response.json()["town"] == ["镇街不存在或您无权查看。"]


def test_a_town_clerk_gets_their_own_town_and_403_for_another(
    county, client_for, town_user, gunan, dongxi
):
    client = client_for(town_user)
    own = client.get(API).json()
    assert own["town"] == {"id": gunan.pk, "name": "古南街道"}
    assert own["consultations"]["totals"]["current"]["done"] == 2
    assert client.get(API, {"town": dongxi.pk}).status_code == 403


def test_a_past_year_reads_whole_years(county, client_for, leader_user, dongxi):
    data = client_for(leader_user).get(API, {"year": 2025}).json()
    assert data["period"]["label"] == "2025年全年"
    assert data["period"]["previous"] == {"year": 2024, "start": "2024-01-01", "end": "2024-12-31"}
    assert data["consultations"]["totals"]["current"]["done"] == 2
    assert data["consultations"]["totals"]["change"]["done"] == {"delta": 2, "direction": "up"}


def test_the_schema_documents_the_endpoint(client_for, office_user):
    schema = client_for(office_user).get("/api/schema/").content.decode()
    assert "/api/v1/stats/" in schema


@pytest.mark.parametrize("query", ["?year=0", "?year=abc", "?town=999", "?year=2025&town=x"])
@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("office_user", "/reports/office/"),
        ("leader_user", "/reports/dashboard/"),
        ("town_user", "/reports/town/"),
    ],
)
def test_garbage_on_the_figure_pages_falls_back_without_a_500(
    county, request, client_for, who, path, query
):
    response = client_for(request.getfixturevalue(who)).get(path + query)
    assert response.status_code == 200
    if "year=2025" not in query:
        assert "统计范围：2026年1月1日至6月30日" in response.content.decode()
