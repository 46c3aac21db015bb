import datetime

import pytest

from members.models import Member, PartyAffiliation
from reports import statistics
from reports.periods import Period
from studios.models import Activity, ActivityKind, Problem, ProblemStatus

from ..factories import MemberFactory, MembershipFactory, SectorFactory

# A past year, so the figures do not depend on today's date.
Y2026 = Period.for_year(2026, datetime.date(2027, 1, 15))


@pytest.fixture
def activities(gunan_studio, dongxi_studio):
    rows = [
        (gunan_studio, ActivityKind.TEA_TALK, datetime.date(2026, 3, 2), 40, None),
        (gunan_studio, ActivityKind.LIVESTREAM, datetime.date(2026, 3, 20), 0, "12.50"),
        (dongxi_studio, ActivityKind.LIVESTREAM, datetime.date(2026, 5, 1), 0, "3.25"),
        (dongxi_studio, ActivityKind.CLINIC, datetime.date(2025, 12, 30), 80, None),
    ]
    return [
        Activity.objects.create(
            studio=s, kind=k, title="活动", date=d, residents_reached=r, sales_wan=sales
        )
        for s, k, d, r, sales in rows
    ]


def test_member_totals_count_active_members_by_party_and_gender(member_a, member_b):
    member_a.party = PartyAffiliation.CPC
    member_a.gender = "F"
    member_a.save()
    MemberFactory(status="left")
    totals = statistics.member_totals(Member.objects.all())
    assert totals == {"total": 2, "cpc": 1, "women": 1, "city_level": 0}


def test_members_by_sector_lists_largest_first(db):
    big, small = SectorFactory(name="经济界"), SectorFactory(name="教育界")
    for _ in range(3):
        MemberFactory(sector=big)
    MemberFactory(sector=small)
    assert statistics.members_by_sector(Member.objects.all()) == [
        {"name": "经济界", "count": 3},
        {"name": "教育界", "count": 1},
    ]


def test_activity_figures_count_only_the_year_asked(activities):
    totals = statistics.activity_totals(Activity.objects.all(), Y2026)
    assert totals["count"] == 3
    assert totals["residents"] == 40
    assert float(totals["sales_wan"]) == 15.75
    months = statistics.activities_by_month(Activity.objects.all(), Y2026)
    assert months[2] == 2 and months[4] == 1 and sum(months) == 3


def test_a_town_clerks_figures_are_their_towns_only(activities, town_user):
    scoped = Activity.objects.visible_to(town_user)
    assert statistics.activity_totals(scoped, Y2026)["count"] == 2
    assert float(statistics.activity_totals(scoped, Y2026)["sales_wan"]) == 12.5


def test_problem_totals_count_solved_in_the_year_by_solved_date(gunan_studio):
    Problem.objects.create(
        studio=gunan_studio,
        title="甲",
        raised_by="甲",
        raised_on="2025-11-01",
        status=ProblemStatus.SOLVED,
        solved_on="2026-01-10",
    )
    Problem.objects.create(
        studio=gunan_studio,
        title="乙",
        raised_by="乙",
        raised_on="2025-05-01",
        status=ProblemStatus.SOLVED,
        solved_on="2025-06-10",
    )
    Problem.objects.create(studio=gunan_studio, title="丙", raised_by="丙", raised_on="2026-02-01")
    assert statistics.problem_totals(Problem.objects.all(), Y2026) == {
        "open": 1,
        "in_hand": 0,
        "solved": 1,
    }


def test_dashboard_figures_match_the_statistics_functions(
    client_for, leader_user, activities, member_a
):
    html = client_for(leader_user).get("/reports/dashboard/").content.decode()
    assert 'data-testid="figure-members">1<' in html
    assert "带货 15.75 万元" in html


@pytest.mark.parametrize("extra", [0, 30])
def test_dashboard_query_count_does_not_grow_with_rows(
    client_for, leader_user, gunan_studio, term, django_assert_max_num_queries, extra
):
    for i in range(extra):
        MembershipFactory(studio=gunan_studio, term=term)
        Activity.objects.create(
            studio=gunan_studio,
            kind=ActivityKind.LECTURE,
            title=f"讲座{i}",
            date=datetime.date(2026, 1 + i % 12, 1),
        )
    client = client_for(leader_user)
    # As the dashboard's pin in tests/reports/test_homes.py (PINS["leader_user"]): the
    # figures for this span and last year's, the proposal figures, the charts and the to-dos.
    with django_assert_max_num_queries(50):
        assert client.get("/reports/dashboard/").status_code == 200
