"""The hand-built year (tests/reports/year_fixture.py) read four ways: the yearly summary's stored
figures, its Excel workbook, the stats API and the dashboard. Each number must be the same
wherever it is shown, because each is one function in reports/ (a copy that drifted would fail
here)."""

import io

import pytest
from django.test import TestCase
from openpyxl import load_workbook

from reports import summary
from reports.models import SummaryScope

from .test_hand_built_year import _card
from .year_fixture import THIS, build_year, freeze_today


@pytest.fixture
def county(monkeypatch, gunan, dongxi, gunan_studio, dongxi_studio, member_a, member_b, term):
    freeze_today(monkeypatch)
    # The Word and PDF files take seconds each (the CJK font subset) and are checked elsewhere;
    # the Excel workbook is built for real: it is one of the four readings compared.
    for name in ("summary_docx", "summary_pdf"):
        monkeypatch.setattr(f"reports.summary_documents.{name}", lambda row: b"-")
    return build_year(gunan, dongxi, gunan_studio, dongxi_studio, member_a, member_b, term)


@pytest.fixture
def compiled(county, office_user, eager_celery):
    # Compiled in this process: the figures are the subject here, not the worker (that is
    # tests/reports/test_summary_worker.py).
    with TestCase.captureOnCommitCallbacks(execute=True):
        (row,) = summary.start(office_user, THIS, SummaryScope.COUNTY)
    row.refresh_from_db()
    return row


def items(row) -> dict[tuple[str, str], dict]:
    return {(s["key"], i["key"]): i for s in row.figures["sections"] for i in s["items"]}


def test_the_summary_the_api_and_the_dashboard_give_the_same_numbers(
    compiled, client_for, office_user
):
    got = items(compiled)
    client = client_for(office_user)
    api = client.get("/api/v1/stats/", {"year": THIS}).json()
    dashboard = client.get("/reports/dashboard/", {"year": THIS}).content.decode()
    totals = api["consultations"]["totals"]["current"]
    pairs = {
        ("consultations", "participations"): totals["participations"],
        ("consultations", "funds_wan"): float(totals["funds_wan"]),
        ("consultations", "projects_done"): totals["done"],
        ("consultations", "beneficiaries"): totals["beneficiaries"],
        ("proposals", "filed"): api["proposals"]["current"]["filed"],
        ("proposals", "registered"): api["proposals"]["current"]["registered"],
        ("opinions", "submitted"): api["opinions"]["current"]["submitted"],
        ("opinions", "instructions"): api["opinions"]["current"]["instructions"],
        ("studios", "activities"): api["activities"]["current"]["count"],
        ("studios", "problems_solved"): api["problems"]["current"]["solved"],
    }
    for key, from_api in pairs.items():
        assert got[key]["value"] == from_api, key
    # The hand-counted values (year_fixture's docstring), so an agreement on a wrong number
    # fails too.
    assert got[("consultations", "participations")]["value"] == 43
    assert got[("consultations", "funds_wan")]["value"] == 130.5
    assert got[("consultations", "beneficiaries")]["value"] == 440
    assert _card(dashboard, "figure-participations") == "43"
    assert _card(dashboard, "figure-funds") == "130.50"
    assert _card(dashboard, "opinion-instructions") == str(
        got[("opinions", "instructions")]["value"]
    )


def test_every_figure_of_the_summary_is_in_its_workbook(compiled):
    book = load_workbook(io.BytesIO(compiled.xlsx.read()))
    checked = 0
    for section in compiled.figures["sections"]:
        if not section["items"]:
            continue
        rows = list(book[section["title"][:31]].iter_rows(min_row=2, values_only=True))
        assert len(rows) == len(section["items"]), section["key"]
        for row, item in zip(rows, section["items"], strict=True):
            assert (row[0], row[2], row[3]) == (item["label"], item["value"], item["previous"])
            checked += 1
    assert checked >= 20
