"""/studios/ and the activity lists: paged, with their per-row counts worked out for the rows
shown only, and a paginator COUNT that does not join what it does not need."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from studios import selectors, services
from studios.models import Attendance, MembershipRole, ProblemStatus, Studio

from ..factories import MemberFactory, StudioFactory, TownFactory
from .factories import ActivityFactory, PartyMemberFactory, ProblemFactory, SectorStudioFactory


def _studios(n: int) -> list[Studio]:
    return [StudioFactory(town=TownFactory(name=f"分页{i:03d}镇", order=i)) for i in range(n)]


def test_studio_list_is_paged_by_25(client_for, office_user, db):
    _studios(30)
    c = client_for(office_user)
    first = c.get(reverse("studios:list"))
    assert len(first.context["studios"]) == 25
    assert first.context["page_obj"].paginator.count == 30
    assert "1 / 2" in first.content.decode()
    second = c.get(reverse("studios:list"), {"page": 2})
    assert len(second.context["studios"]) == 5


def test_studio_counts_on_the_page_are_those_of_each_studio(client_for, office_user, term):
    this_year = timezone.localdate().year
    sector = SectorStudioFactory(name="医卫界别委员工作室")
    core = [PartyMemberFactory(), PartyMemberFactory(), MemberFactory()]
    linked = [MemberFactory(), MemberFactory()]
    services.assign_members(sector, core, role=MembershipRole.CORE, term=term, by=office_user)
    services.assign_members(sector, linked, role=MembershipRole.LINKED, term=term, by=office_user)
    ActivityFactory(studio=sector, date=datetime.date(this_year, 1, 5))
    ActivityFactory(studio=sector, date=datetime.date(this_year, 2, 5))
    ActivityFactory(studio=sector, date=datetime.date(this_year - 1, 2, 5))  # not this year's
    ProblemFactory(studio=sector)
    ProblemFactory(
        studio=sector,
        status=ProblemStatus.SOLVED,
        raised_on=datetime.date(this_year, 1, 2),
        solved_on=datetime.date(this_year, 1, 9),
    )
    ProblemFactory(
        studio=sector,
        status=ProblemStatus.SOLVED,
        raised_on=datetime.date(this_year, 1, 2),
        solved_on=datetime.date(this_year, 1, 9),
    )
    empty = StudioFactory(town=TownFactory(name="空白镇"))
    response = client_for(office_user).get(reverse("studios:list"))
    shown = {s.pk: s for s in response.context["studios"]}
    row = shown[sector.pk]
    assert (row.member_count, row.core_count, row.linked_count, row.party_count) == (5, 3, 2, 2)
    assert row.activities_this_year == 2
    assert (row.open_problems, row.solved_problems) == (1, 2)
    assert (shown[empty.pk].member_count, shown[empty.pk].open_problems) == (0, 0)
    # The page's numbers are the ones the export and the API annotate over every studio.
    annotated = selectors.with_studio_counts(Studio.objects.filter(pk=sector.pk)).get()
    assert [getattr(annotated, n) for n in selectors.STUDIO_COUNTS] == [
        getattr(row, n) for n in selectors.STUDIO_COUNTS
    ]


@pytest.mark.parametrize("n_studios", [3, 40])
def test_studio_list_query_count_is_the_same_at_two_sizes(
    client_for, office_user, term, n_studios, django_assert_max_num_queries
):
    for studio in _studios(n_studios):
        services.assign_members(
            studio,
            [MemberFactory(), PartyMemberFactory()],
            role="member",
            term=term,
            by=office_user,
        )
    c = client_for(office_user)
    c.get(reverse("studios:list"))  # the first request writes the session's last-seen time
    # session, user, roles, paginator COUNT, the page's studios (+town, leader, Party group),
    # their seven counts (one query over the page's ids), current term, unassigned count,
    # unread notifications
    with django_assert_max_num_queries(9):
        response = c.get(reverse("studios:list"))
    assert len(response.context["studios"]) == min(n_studios, 25)


def test_studio_list_count_and_counts_touch_only_what_they_need(client_for, office_user, db):
    _studios(30)
    c = client_for(office_user)
    c.get(reverse("studios:list"))
    with CaptureQueriesContext(connection) as ctx:
        c.get(reverse("studios:list"))
    sqls = [q["sql"] for q in ctx.captured_queries]
    count = next(s for s in sqls if "COUNT(*)" in s and "studios_studio" in s)
    assert "studios_studiomembership" not in count and "studios_activity" not in count
    counted = [s for s in sqls if "studios_problem" in s]
    # One query of the counts, over the page's studios named by id (not every studio).
    assert len(counted) == 1 and " IN (" in counted[0]


def test_a_filtered_studio_list_still_pages_and_counts(client_for, office_user, term):
    studios = _studios(3)
    response = client_for(office_user).get(reverse("studios:list"), {"town": studios[1].town_id})
    assert [s.pk for s in response.context["studios"]] == [studios[1].pk]
    assert response.context["page_obj"].paginator.count == 1


# --- activities --------------------------------------------------------------------------------


def _activities(studio, members, n: int, office_user):
    for i in range(n):
        services.record_activity(
            studio,
            {
                "kind": "courtyard",
                "title": f"院坝会{i}",
                "date": datetime.date(2026, 5, 1 + i % 20),
            },
            {
                members[0].pk: Attendance.PRESENT,
                members[1].pk: Attendance.LEAVE,
                members[2].pk: Attendance.ABSENT,
            },
            by=office_user,
        )


@pytest.fixture
def studio_members(gunan_studio, term, office_user):
    members = [MemberFactory(), MemberFactory(), MemberFactory()]
    services.assign_members(gunan_studio, members, role="member", term=term, by=office_user)
    return members


@pytest.mark.parametrize("n", [2, 60])
def test_activity_list_counts_the_page_only_at_a_flat_query_count(
    client_for, office_user, gunan_studio, studio_members, n, django_assert_max_num_queries
):
    _activities(gunan_studio, studio_members, n, office_user)
    c = client_for(office_user)
    c.get(reverse("studios:activity_list"))
    # session, user, roles, the totals (two aggregates; their count of activities is the
    # paginator's), the page, its attendance counts (grouped), unread notifications
    with django_assert_max_num_queries(8):
        response = c.get(reverse("studios:activity_list"))
    rows = list(response.context["page_obj"].object_list)
    assert len(rows) == min(n, 50)
    assert {a.present_count for a in rows} == {1}
    assert response.context["page_obj"].paginator.count == n


@pytest.mark.parametrize("n", [2, 60])
def test_activity_api_counts_each_row_at_a_flat_query_count(
    client_for, office_user, gunan_studio, studio_members, n, django_assert_max_num_queries
):
    _activities(gunan_studio, studio_members, n, office_user)
    c = client_for(office_user)
    c.get("/api/v1/activities/")
    with django_assert_max_num_queries(6) as ctx:
        # session, user, roles, COUNT, the page (+studio), its attendance (+members)
        data = c.get("/api/v1/activities/").json()
    assert data["count"] == n
    # Rows that carry their attendance: twenty a page (cppcc.api.NestedListPagination).
    assert len(data["results"]) == min(n, 20)
    assert {(r["present_count"], r["leave_count"], r["absent_count"]) for r in data["results"]} == {
        (1, 1, 1)
    }
    count = next(q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"])
    assert "studios_activityattendance" not in count


def test_activity_api_detail_carries_its_counts(
    client_for, office_user, gunan_studio, studio_members
):
    _activities(gunan_studio, studio_members, 1, office_user)
    activity = gunan_studio.activities.get()
    data = client_for(office_user).get(f"/api/v1/activities/{activity.pk}/").json()
    assert (data["present_count"], data["leave_count"], data["absent_count"]) == (1, 1, 1)


def test_studio_api_counts_the_page_only(client_for, office_user, term):
    studio = _studios(1)[0]
    services.assign_members(
        studio, [MemberFactory(), PartyMemberFactory()], role="member", term=term, by=office_user
    )
    c = client_for(office_user)
    rows = c.get("/api/v1/studios/").json()["results"]
    assert [(r["member_count"], r["party_count"]) for r in rows] == [(2, 1)]
    detail = c.get(f"/api/v1/studios/{studio.pk}/").json()
    assert (detail["member_count"], detail["party_count"]) == (2, 1)
