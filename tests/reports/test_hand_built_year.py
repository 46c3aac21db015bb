"""Every figure of the hand-built county (tests/reports/year_fixture.py) against numbers worked
out by hand; the same-span comparison; the per-town split; and the dashboard, the office home
and /api/v1/stats/ agreeing on each figure."""

import re
from decimal import Decimal

import pytest

from consultations.models import ConsultationMeeting, LivelihoodProject, Matter
from proposals.models import OpinionReport, Proposal
from reports import statistics
from reports.figures import FigureScope, page_figures
from reports.periods import Period
from studios.models import Activity, Problem

from .year_fixture import LAST, THIS, TODAY, build_year, freeze_today


@pytest.fixture
def county(monkeypatch, gunan, dongxi, gunan_studio, dongxi_studio, member_a, member_b, term):
    freeze_today(monkeypatch)
    return build_year(gunan, dongxi, gunan_studio, dongxi_studio, member_a, member_b, term)


def this() -> Period:
    return Period.for_year(THIS, TODAY)


def whole_last() -> Period:
    return Period.for_year(LAST, TODAY)


def test_the_periods_compare_the_same_span():
    assert (this().start.isoformat(), this().end.isoformat()) == ("2026-01-01", "2026-06-30")
    before = this().previous()
    assert (before.start.isoformat(), before.end.isoformat()) == ("2025-01-01", "2025-06-30")
    assert this().comparison_label == "与2025年同期（1月1日至6月30日）相比"
    assert whole_last().comparison_label == "与2024年全年相比"


def test_livelihood_projects_count_done_by_done_date_and_money_by_recorded_date(county):
    projects = LivelihoodProject.objects.all()
    # P1, P2 (recorded last year, done this year) and P4; funds and people of P1, P3, P4.
    assert statistics.livelihood_projects(projects, this()) == {
        "done": 3,
        "funds_wan": Decimal("130.5"),
        "beneficiaries": 440,
    }
    # Same span last year: P5 only (P6 is autumn, P2 was recorded in December).
    assert statistics.livelihood_projects(projects, this().previous()) == {
        "done": 1,
        "funds_wan": Decimal("50"),
        "beneficiaries": 200,
    }
    # The whole of last year: P5 and P6 done; P2, P5, P6 recorded.
    assert statistics.livelihood_projects(projects, whole_last()) == {
        "done": 2,
        "funds_wan": Decimal("140"),
        "beneficiaries": 750,
    }


def test_meetings_count_by_date_held_and_a_planned_one_not_yet(county):
    meetings = ConsultationMeeting.objects.all()
    assert statistics.meetings_by_kind(meetings, this()) == {
        "pre_meeting": 2,
        "on_site": 1,
        "supervision": 1,
        "closing": 0,
        "regular": 1,
        "micro": 1,
    }
    assert statistics.meetings_by_kind(meetings, whole_last())["closing"] == 1
    assert statistics.meetings_by_kind(meetings, this().previous())["closing"] == 0


def test_participations_count_the_sentences_meetings_and_the_others_apart(county):
    meetings = ConsultationMeeting.objects.all()
    # 议前/现场: 14 + 23 + 6; others: regular 5, micro 12, supervision 5.
    assert statistics.participations(meetings, this()) == {
        "participations": 43,
        "participations_other": 22,
    }
    assert statistics.participations(meetings, this().previous()) == {
        "participations": 5 + 38,
        "participations_other": 0,
    }
    assert statistics.participations(meetings, whole_last())["participations_other"] == 2


def test_matter_totals_and_steps_are_a_snapshot_of_the_years_matters(county):
    matters = Matter.objects.all()
    assert statistics.matter_totals(matters, this()) == {
        "total": 3,
        "annual": 2,
        "annual_completed": 1,
        "completed": 1,
    }
    steps = {
        r["step"]: r["count"] for r in statistics.matters_by_step(matters, this()) if r["count"]
    }
    assert steps == {"on_site": 1, "supervision": 1, "completed": 1}
    pipeline = statistics.matters_by_town_and_step(matters, this())
    assert [t["name"] for t in pipeline] == ["古南街道", "东溪镇"]
    assert pipeline[0]["counts"]["completed"] == 1
    assert (pipeline[1]["counts"]["on_site"], pipeline[1]["counts"]["supervision"]) == (1, 1)


def test_activities_problems_proposals_and_opinions_count_by_their_dates(county):
    activities = Activity.objects.all()
    assert statistics.activity_totals(activities, this()) == {
        "count": 3,
        "residents": 40,
        "sales_wan": Decimal("15.75"),
    }
    assert statistics.activity_totals(activities, this().previous())["count"] == 1
    assert statistics.activity_totals(activities, whole_last())["count"] == 3
    months = statistics.activities_by_month(activities, this())
    assert (months[2], months[4], sum(months)) == (2, 1, 3)

    problems = Problem.objects.all()
    assert statistics.problem_totals(problems, this()) == {"open": 1, "in_hand": 1, "solved": 1}
    assert statistics.problem_totals(problems, this().previous())["solved"] == 1

    proposals = Proposal.objects.all()
    assert statistics.proposals_filed(proposals, this()) == 2
    assert statistics.proposals_registered(proposals, this()) == 1
    assert statistics.proposals_filed(proposals, this().previous()) == 1
    assert statistics.proposals_filed(proposals, whole_last()) == 2

    reports = OpinionReport.objects.all()
    assert statistics.opinion_reports_submitted(reports, this()) == 1
    levels = {
        r["level"]: r["count"] for r in statistics.opinion_adoptions_by_level(reports, this())
    }
    assert levels == {"district": 2, "city": 1, "province": 0, "national": 0}
    assert statistics.opinion_instructions(reports, this()) == 1
    assert statistics.opinion_reports_submitted(reports, this().previous()) == 1
    assert statistics.opinion_instructions(reports, this().previous()) == 0


def test_each_town_counts_its_own(county, gunan, dongxi, office_user):
    g = page_figures(office_user, this(), gunan)
    x = page_figures(office_user, this(), dongxi)
    gt, xt = g["consultations"]["totals"]["current"], x["consultations"]["totals"]["current"]
    assert (gt["done"], gt["funds_wan"], gt["beneficiaries"]) == (2, Decimal("100"), 300)
    assert (xt["done"], xt["funds_wan"], xt["beneficiaries"]) == (1, Decimal("30.5"), 140)
    assert (gt["participations"], gt["participations_other"]) == (37, 5)
    assert (xt["participations"], xt["participations_other"]) == (6, 17)
    assert g["activities"]["current"]["count"] == 2 and x["activities"]["current"]["count"] == 1
    assert g["opinions"]["current"]["adopted"] == 2 and x["opinions"]["current"]["adopted"] == 1
    # Proposals belong to no town.
    assert g["proposals"] is None
    scoped = FigureScope(office_user, dongxi)
    assert statistics.matter_totals(scoped.matters(), this())["total"] == 2


def test_the_change_compares_the_same_span(county, office_user):
    figures = page_figures(office_user, this())
    totals = figures["consultations"]["totals"]
    assert totals["previous"]["done"] == 1
    assert totals["change"]["done"] == {"delta": 2, "direction": "up"}
    assert totals["change"]["participations"] == {"delta": 0, "direction": "same"}
    assert figures["activities"]["change"]["count"] == {"delta": 2, "direction": "up"}
    assert figures["proposals"]["change"]["filed"] == {"delta": 1, "direction": "up"}


def test_years_covered_run_from_the_first_record_to_this_year(county):
    assert statistics.years_covered() == [THIS, LAST]


def _card(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}">([^<]*)<', html)
    assert match, testid
    return match.group(1).strip()


def test_dashboard_office_home_and_api_agree_on_every_figure(county, client_for, office_user):
    client = client_for(office_user)
    dashboard = client.get("/reports/dashboard/").content.decode()
    office = client.get("/reports/office/").content.decode()
    api = client.get("/api/v1/stats/").json()
    c = api["consultations"]
    expected = {
        "figure-activities": "3",
        "figure-problems-solved": "1",
        "figure-participations": "43",
        "figure-funds": "130.50",
        "figure-solved": "3 / 440",
        "figure-proposals-filed": "2 / 1",
        "opinion-submitted": "1",
        "opinion-adopted-district": "2",
        "opinion-adopted-city": "1",
        "opinion-instructions": "1",
    }
    for html in (dashboard, office):
        for testid, value in expected.items():
            assert _card(html, testid) == value, testid
    assert api["activities"]["current"]["count"] == 3
    assert api["problems"]["current"]["solved"] == 1
    assert c["totals"]["current"]["participations"] == 43
    assert Decimal(str(c["totals"]["current"]["funds_wan"])) == Decimal("130.5")
    assert (c["totals"]["current"]["done"], c["totals"]["current"]["beneficiaries"]) == (3, 440)
    assert (api["proposals"]["current"]["filed"], api["proposals"]["current"]["registered"]) == (
        2,
        1,
    )
    assert api["opinions"]["current"]["adopted_district"] == 2
    assert api["opinions"]["current"]["instructions"] == 1
    assert api["period"]["comparison_label"] == "与2025年同期（1月1日至6月30日）相比"
    assert "与2025年同期（1月1日至6月30日）相比" in dashboard


def test_a_past_year_is_shown_whole_and_linked_by_its_dates(county, client_for, leader_user):
    html = client_for(leader_user).get("/reports/dashboard/?year=2025").content.decode()
    assert "统计范围：2025年全年" in html
    assert _card(html, "figure-activities") == "3"
    assert "date_from=2025-01-01&amp;date_to=2025-12-31" in html


def test_the_town_selector_narrows_the_dashboard(county, client_for, leader_user, dongxi):
    response = client_for(leader_user).get(f"/reports/dashboard/?town={dongxi.pk}")
    html = response.content.decode()
    assert _card(html, "figure-solved") == "1 / 140"
    assert 'data-testid="proposal-figures"' not in html
    assert f"town={dongxi.pk}" in html


def test_a_town_clerk_is_kept_to_their_town(county, client_for, town_user, dongxi):
    html = client_for(town_user).get(f"/reports/town/?town={dongxi.pk}").content.decode()
    assert _card(html, "figure-solved") == "2 / 300"
