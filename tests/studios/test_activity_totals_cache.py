"""The activity list's totals are kept in the cache (studios.totals_cache) and read again until an
activity, its attendance or a studio changes. Transactional: totals read inside a transaction
are never kept, so the ordinary rolled-back tests would not reach the cache."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cppcc.softdelete import soft_delete
from studios import services, totals_cache
from studios.models import Attendance, MembershipRole

from ..factories import MemberFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _new_generation():
    # The cache outlives the flushed rows of an earlier transactional test.
    totals_cache.TOTALS.bump()


@pytest.fixture
def members(gunan_studio, term, office_user):
    members = [MemberFactory(), MemberFactory()]
    services.assign_members(
        gunan_studio, members, role=MembershipRole.MEMBER, term=term, by=office_user
    )
    return members


def _record(studio, members, by, *, present: int = 1, title: str = "院坝会"):
    marks = {m.pk: Attendance.PRESENT for m in members[:present]}
    return services.record_activity(
        studio,
        {"kind": "courtyard", "title": title, "date": datetime.date(2026, 5, 1)},
        marks,
        by=by,
    )


_visits = itertools.count()


def _totals(client) -> tuple[dict, list[str]]:
    # A query parameter the filters ignore, new on every visit: the list page itself is kept
    # per query (cppcc.navigation.kept_list), and these tests are about the totals beneath it.
    url = f"{reverse('studios:activity_list')}?visit={next(_visits)}"
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    return response.context["totals"], [q["sql"] for q in ctx.captured_queries]


def _aggregated(sqls: list[str]) -> bool:
    return any("SUM(" in sql for sql in sqls)


def test_totals_are_read_from_the_cache_until_an_activity_is_recorded(
    client_for, office_user, gunan_studio, members
):
    _record(gunan_studio, members, office_user)
    c = client_for(office_user)
    first, sqls = _totals(c)
    assert _aggregated(sqls)
    again, sqls = _totals(c)
    assert again == first and not _aggregated(sqls)

    # Recorded through the bulk insert of its attendance, which sends no post_save.
    _record(gunan_studio, members, office_user, present=2, title="茶园夜话")
    after, sqls = _totals(c)
    assert _aggregated(sqls)
    assert after["activities"] == 2 and after["present"] == 3


def test_changed_attendance_and_the_trash_change_the_cached_totals(
    client_for, office_user, gunan_studio, members
):
    activity = _record(gunan_studio, members, office_user)
    c = client_for(office_user)
    assert _totals(c)[0]["present"] == 1
    # The second member's row is new: written by the bulk insert alone, no row is saved.
    services.update_activity(
        activity,
        {},
        {m.pk: Attendance.PRESENT for m in members},
        by=office_user,
    )
    assert _totals(c)[0]["present"] == 2
    soft_delete(activity, by=office_user)
    totals = _totals(c)[0]
    assert totals["activities"] == 0 and totals["present"] == 0


def test_each_scope_keeps_its_own_totals(
    client_for, office_user, town_user, other_town_user, gunan_studio, members
):
    _record(gunan_studio, members, office_user)
    assert _totals(client_for(office_user))[0]["activities"] == 1
    assert _totals(client_for(town_user))[0]["activities"] == 1
    # Another town's clerk does not get the cached county or 古南 figures.
    assert _totals(client_for(other_town_user))[0]["activities"] == 0


def test_the_paginator_takes_its_count_from_the_totals(
    client_for, office_user, gunan_studio, members
):
    _record(gunan_studio, members, office_user)
    _record(gunan_studio, members, office_user, title="第二场")
    response = client_for(office_user).get(reverse("studios:activity_list"))
    assert response.context["page_obj"].paginator.count == 2
    assert len(response.context["page_obj"].object_list) == 2
