"""The county duty figures (ranks, medians) are kept in the cache under the ledger's version
(members.duty.ledger_version): read once, then from the cache until the ledger or the ranked
members change; never kept from a transaction's own uncommitted changes."""

import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from members import duty as ledger
from members.models import DutyEntry, DutyKind, MemberStatus
from reports import duty
from tests.factories import MemberFactory

YEAR = 2025
_sources = itertools.count(1)


def entry(member, points, kind=DutyKind.PROPOSAL_LEAD):
    return DutyEntry.objects.create(
        member=member,
        kind=kind,
        date=datetime.date(YEAR, 3, 1),
        year=YEAR,
        points=Decimal(str(points)),
        source=f"tests.cache:{next(_sources)}",
        title="测试履职",
    )


def ranked(term, name, **fields):
    member = MemberFactory(name=name, **fields)
    member.terms.add(term)
    return member


def queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        value = fn()
    return value, len(ctx.captured_queries)


@pytest.fixture
def county(term, django_capture_on_commit_callbacks):
    """Two ranked members with entries, committed (the test's commit callbacks run)."""
    with django_capture_on_commit_callbacks(execute=True):
        first = ranked(term, "甲")
        second = ranked(term, "乙", sector=first.sector)
        entry(first, 20)
        entry(second, 10)
    return first, second


def test_county_figures_are_read_once_then_kept(county):
    first, second = county
    ranks, n = queries(lambda: duty.county_ranks(YEAR))
    assert ranks == {first.pk: 1, second.pk: 2}
    assert n == 1
    assert queries(lambda: duty.member_rank(second, YEAR)) == (
        {"county": 2, "county_of": 2, "sector": 2, "sector_of": 2},
        0,
    )
    assert queries(lambda: duty.county_median_by_category(YEAR))[1] == 0


def test_a_ranked_members_points_come_with_the_ranks(county):
    first, _second = county
    duty.county_ranks(YEAR)
    (total, rank), n = queries(lambda: duty.member_standing(first, YEAR))
    assert (total, rank["county"], n) == (Decimal("20"), 1, 0)


def test_a_new_entry_moves_the_ranks(county, django_capture_on_commit_callbacks):
    first, second = county
    assert duty.county_ranks(YEAR)[second.pk] == 2
    with django_capture_on_commit_callbacks(execute=True):
        entry(second, 15)
    assert duty.county_ranks(YEAR) == {first.pk: 2, second.pk: 1}
    assert duty.member_standing(second, YEAR)[0] == Decimal("25")


def test_a_rebuild_moves_the_ranks(county, django_capture_on_commit_callbacks):
    first, second = county
    assert duty.county_ranks(YEAR)[first.pk] == 1
    # The ledger is derived: a rebuild finds no source for the hand-made entries and drops them.
    with django_capture_on_commit_callbacks(execute=True):
        ledger.rebuild([first.pk], [YEAR])
    assert duty.county_ranks(YEAR) == {second.pk: 1, first.pk: 2}


def test_a_member_who_leaves_is_no_longer_ranked(county, django_capture_on_commit_callbacks):
    first, second = county
    assert len(duty.county_ranks(YEAR)) == 2
    with django_capture_on_commit_callbacks(execute=True):
        first.status = MemberStatus.LEFT
        first.save()
    assert duty.county_ranks(YEAR) == {second.pk: 1}


def test_a_member_who_joins_the_term_is_ranked(county, term, django_capture_on_commit_callbacks):
    duty.county_ranks(YEAR)
    with django_capture_on_commit_callbacks(execute=True):
        newcomer = MemberFactory(name="丙")
        newcomer.terms.add(term)
    assert duty.member_rank(newcomer, YEAR)["county"] == 3


def test_a_transactions_own_changes_are_neither_kept_nor_read_from_the_cache(county):
    first, second = county
    duty.county_ranks(YEAR)
    with pytest.raises(RuntimeError), transaction.atomic():
        entry(second, 50)
        # Inside the transaction: its own rows, read from the database, and not kept.
        assert duty.county_ranks(YEAR) == {first.pk: 2, second.pk: 1}
        assert queries(lambda: duty.county_ranks(YEAR))[1] == 1
        raise RuntimeError("roll back")
    # Rolled back: nothing of it was kept for others (a request outside any transaction).
    ledger.LEDGER.settle()
    assert duty.county_ranks(YEAR) == {first.pk: 1, second.pk: 2}
