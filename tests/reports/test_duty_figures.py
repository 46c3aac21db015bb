"""reports.duty on hand-built ledger entries: totals, ranks with ties, medians, distribution."""

import datetime
import itertools
from decimal import Decimal

import pytest

from members.models import DutyCategory, DutyEntry, DutyKind, Member, MemberStatus
from reports import duty
from tests.factories import MemberFactory, SectorFactory, TermFactory

YEAR = 2025
_sources = itertools.count(1)


def entry(member, kind, points, day=datetime.date(YEAR, 3, 1), title="测试履职"):
    return DutyEntry.objects.create(
        member=member,
        kind=kind,
        date=day,
        year=day.year,
        points=Decimal(str(points)),
        source=f"tests.duty:{next(_sources)}",
        title=title,
    )


def ranked(term, name, sector=None, **kwargs):
    member = MemberFactory(name=name, **({"sector": sector} if sector else {}), **kwargs)
    member.terms.add(term)
    return member


@pytest.fixture
def sector_a(db):
    return SectorFactory(name="教育界")


@pytest.fixture
def sector_b(db):
    return SectorFactory(name="经济界")


def test_points_by_kind_lists_every_kind_with_zeros(term):
    member = ranked(term, "甲")
    entry(member, DutyKind.PLENARY_PRESENT, 5)
    entry(member, DutyKind.CONSULTATION_MEETING, 2)
    entry(member, DutyKind.CONSULTATION_MEETING, 2)
    entry(member, DutyKind.CONSULTATION_MEETING, 2, day=datetime.date(YEAR - 1, 12, 31))

    rows = duty.points_by_kind(member, YEAR)

    assert [r["kind"] for r in rows] == list(DutyKind.values)
    by = {r["kind"]: r for r in rows}
    assert by[DutyKind.CONSULTATION_MEETING]["count"] == 2
    assert by[DutyKind.CONSULTATION_MEETING]["points"] == Decimal("4")
    assert by[DutyKind.PROPOSAL_LEAD] == {
        "kind": DutyKind.PROPOSAL_LEAD,
        "name": "领衔提案",
        "category": DutyCategory.PROPOSALS,
        "count": 0,
        "points": 0,
    }
    assert duty.member_points(member, YEAR) == Decimal("9")


def test_points_by_category_adds_kinds_up_including_deductions(term):
    member = ranked(term, "甲")
    entry(member, DutyKind.PLENARY_PRESENT, 5)
    entry(member, DutyKind.STANDING_ABSENT, -3)
    entry(member, DutyKind.OPINION_ADOPTED_CITY, 4)
    entry(member, DutyKind.OPINION_SUBMITTED, 1)

    cats = {
        r["category"]: r["points"]
        for r in duty.points_by_category(duty.points_by_kind(member, YEAR))
    }

    assert list(cats) == list(DutyCategory.values)
    assert cats[DutyCategory.MEETINGS] == Decimal("2")
    assert cats[DutyCategory.OPINIONS] == Decimal("5")
    assert cats[DutyCategory.VILLAGE] == 0


def test_ties_share_a_rank_and_the_next_rank_skips():
    assert duty.competition_ranks(
        {1: Decimal(30), 2: Decimal(20), 3: Decimal(20), 4: Decimal(10)}
    ) == {1: 1, 2: 2, 3: 2, 4: 4}


def test_member_rank_in_county_and_sector_among_current_active_members(term, sector_a, sector_b):
    top = ranked(term, "甲", sector_a)
    tied_a = ranked(term, "乙", sector_a)
    tied_b = ranked(term, "丙", sector_b)
    last = ranked(term, "丁", sector_b)
    entry(top, DutyKind.PROPOSAL_EXCELLENT, 30)
    entry(tied_a, DutyKind.PROPOSAL_LEAD, 20)
    entry(tied_b, DutyKind.PROPOSAL_LEAD, 20)
    entry(last, DutyKind.PROPOSAL_LEAD, 5)
    # Neither counts: one left, the other belongs to an earlier term only.
    gone = ranked(term, "戊", sector_a, status=MemberStatus.LEFT)
    entry(gone, DutyKind.PROPOSAL_EXCELLENT, 99)
    old_term = TermFactory(name="第十四届", start_year=2016, end_year=2021, is_current=False)
    old = MemberFactory(name="己", sector=sector_b)
    old.terms.add(old_term)
    entry(old, DutyKind.PROPOSAL_EXCELLENT, 99)

    assert duty.member_rank(tied_b, YEAR) == {
        "county": 2,
        "county_of": 4,
        "sector": 1,
        "sector_of": 2,
    }
    assert duty.member_rank(last, YEAR)["county"] == 4
    assert duty.member_rank(last, YEAR)["sector"] == 2
    assert duty.member_rank(gone, YEAR)["county"] is None
    assert duty.county_ranks(YEAR) == {top.pk: 1, tied_a.pk: 2, tied_b.pk: 2, last.pk: 4}


def test_county_median_per_category_counts_members_without_entries_as_zero(term):
    a, b, c = (ranked(term, n) for n in "甲乙丙")
    ranked(term, "丁")  # no entries: 0 everywhere
    entry(a, DutyKind.STUDIO_ACTIVITY, 2)
    entry(b, DutyKind.STUDIO_ACTIVITY, 6)
    entry(c, DutyKind.STUDIO_ACTIVITY, 10)
    entry(c, DutyKind.PLENARY_PRESENT, 5)

    median = duty.county_median_by_category(YEAR)

    assert median[DutyCategory.STUDIO] == Decimal("4")  # 0, 2, 6, 10
    assert median[DutyCategory.MEETINGS] == Decimal("0")
    assert set(median) == set(DutyCategory.values)


def test_points_distribution_bins_of_ten_with_empty_bins_and_deductions(term):
    zero = ranked(term, "甲")
    nine = ranked(term, "乙")
    ten = ranked(term, "丙")
    thirty_five = ranked(term, "丁")
    minus = ranked(term, "戊")
    left = ranked(term, "己", status=MemberStatus.LEFT)
    entry(nine, DutyKind.PLENARY_PRESENT, 9.5)
    entry(ten, DutyKind.PLENARY_PRESENT, 10)
    entry(thirty_five, DutyKind.PROPOSAL_EXCELLENT, 35)
    entry(minus, DutyKind.PLENARY_ABSENT, -5)
    entry(left, DutyKind.PROPOSAL_EXCELLENT, 50)
    entry(zero, DutyKind.PLENARY_PRESENT, 40, day=datetime.date(YEAR + 1, 1, 2))

    rows = duty.points_distribution(Member.objects.all(), YEAR)

    assert rows == [
        {"name": "0分以下", "count": 1},
        {"name": "0–9", "count": 2},
        {"name": "10–19", "count": 1},
        {"name": "20–29", "count": 0},
        {"name": "30–39", "count": 1},
    ]


def test_points_distribution_counts_only_the_given_members(term, sector_a):
    mine = ranked(term, "甲", sector_a)
    other = ranked(term, "乙")
    entry(mine, DutyKind.PLENARY_PRESENT, 12)
    entry(other, DutyKind.PLENARY_PRESENT, 25)

    rows = duty.points_distribution(Member.objects.filter(sector=sector_a), YEAR)

    assert rows == [{"name": "0–9", "count": 0}, {"name": "10–19", "count": 1}]


def test_distribution_of_nobody_is_empty(db):
    assert duty.points_distribution(Member.objects.none(), YEAR) == []


def test_figures_take_a_constant_number_of_queries(term, django_assert_num_queries):
    members = [ranked(term, f"委员{i}") for i in range(6)]
    for i, member in enumerate(members):
        entry(member, DutyKind.STUDIO_ACTIVITY, i)
    with django_assert_num_queries(1):  # one grouped query over members and their entries
        duty.county_median_by_category(YEAR)
    with django_assert_num_queries(1):
        duty.member_rank(members[0], YEAR)
    with django_assert_num_queries(1):
        duty.points_distribution(Member.objects.all(), YEAR)
