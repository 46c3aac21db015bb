"""The board and the meeting and matter lists cost the same however many rows are not shown:
board columns are capped with a "更多" link, attendance is counted for the page's meetings only,
and no paginator COUNT joins attendance."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import selectors, services
from consultations.models import ConsultationMeeting, MeetingKind
from studios.models import Attendance

from ..factories import MemberFactory, TownFactory
from .conftest import YEAR


def _matters(new_matter, n: int, **fields):
    return [new_matter(title=f"议题{i:03d}", **fields) for i in range(n)]


def test_board_column_shows_its_first_cards_and_links_to_the_rest(
    client_for, office_user, new_matter
):
    _matters(new_matter, selectors.BOARD_CARDS + 3)
    response = client_for(office_user).get(reverse("consultations:board"))
    proposed = response.context["columns"][0]
    assert proposed["count"] == selectors.BOARD_CARDS + 3
    assert len(proposed["matters"]) == selectors.BOARD_CARDS
    assert proposed["more"] == 3
    # The board's order: the first cards are the first matters.
    assert [m.title for m in proposed["matters"]][:2] == ["议题000", "议题001"]
    html = response.content.decode()
    assert f"?year={YEAR}&amp;step=proposed&amp;sort=town" in html
    assert "更多 3 个" in html
    assert response.context["total"] == selectors.BOARD_CARDS + 3


@pytest.mark.parametrize("n", [2, 30])
def test_board_query_count_does_not_grow_with_the_matters(
    client_for, office_user, new_matter, n, django_assert_max_num_queries
):
    _matters(new_matter, n)
    c = client_for(office_user)
    c.get(reverse("consultations:board"))
    # session, user, roles, years, counts per column, the capped cards, their units,
    # unread notifications
    with django_assert_max_num_queries(9):
        response = c.get(reverse("consultations:board"))
    assert response.context["columns"][0]["count"] == n


def test_board_offers_a_town_search_not_a_select_of_every_town(
    client_for, office_user, town_user, matter, dongxi
):
    for i in range(5):
        TownFactory(name=f"看板{i}镇")
    html = client_for(office_user).get(reverse("consultations:board")).content.decode()
    assert 'data-url="/search/towns/"' in html or 'data-search-select="single"' in html
    assert "看板3镇" not in html
    # A town clerk sees one town: no town filter at all.
    clerk = client_for(town_user).get(reverse("consultations:board"))
    assert clerk.context["town_form"] is None


def test_board_town_filter_shows_the_chosen_town(client_for, office_user, new_matter, dongxi):
    new_matter(title="东溪的议题", town=dongxi)
    response = client_for(office_user).get(reverse("consultations:board"), {"town": dongxi.pk})
    html = response.content.decode()
    assert "东溪的议题" in html
    assert 'data-label="东溪镇"' in html


# --- meetings ------------------------------------------------------------------------------------


def _meetings(gunan, office_user, n: int):
    present, leave, absent = MemberFactory(), MemberFactory(), MemberFactory()
    for i in range(n):
        services.record_meeting(
            {
                "kind": MeetingKind.REGULAR,
                "date": timezone.localdate() - datetime.timedelta(days=i % 60 + 1),
                "place": f"会议室{i}",
            },
            town=gunan,
            attendance={
                present.pk: Attendance.PRESENT,
                leave.pk: Attendance.LEAVE,
                absent.pk: Attendance.ABSENT,
            },
            by=office_user,
        )


@pytest.mark.parametrize("n", [2, 40])
def test_meeting_list_counts_the_page_only_at_a_flat_query_count(
    client_for, office_user, gunan, n, django_assert_max_num_queries
):
    _meetings(gunan, office_user, n)
    c = client_for(office_user)
    c.get(reverse("consultations:meeting_list"))
    with django_assert_max_num_queries(8) as ctx:
        # session, user, roles, paginator COUNT, the page (+town, matter), its attendance
        # counts (one grouped query), unread notifications
        response = c.get(reverse("consultations:meeting_list"))
    page = response.context["page_obj"]
    assert page.paginator.count == n
    rows = list(page.object_list)
    assert len(rows) == min(n, 30)
    assert {(m.present_count, m.leave_count, m.absent_count) for m in rows} == {(1, 1, 1)}
    count = next(q["sql"] for q in ctx.captured_queries if "COUNT(*)" in q["sql"])
    assert "consultations_meetingattendance" not in count


def test_meeting_list_export_still_counts_every_row(client_for, office_user, gunan):
    from openpyxl import load_workbook

    _meetings(gunan, office_user, 3)
    response = client_for(office_user).get(reverse("consultations:meeting_list_export"))
    import io

    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    present = header.index("出席委员")
    assert [row[present] for row in sheet.iter_rows(min_row=2, values_only=True)] == [1, 1, 1]


@pytest.mark.parametrize("n", [2, 40])
def test_meeting_api_count_does_not_join_attendance(
    client_for, office_user, gunan, n, django_assert_max_num_queries
):
    _meetings(gunan, office_user, n)
    c = client_for(office_user)
    c.get("/api/v1/meetings/")
    with django_assert_max_num_queries(8) as ctx:
        # session, user, roles, COUNT, the page (+town, matter), units, attendance (+members),
        # tasks (+units)
        data = c.get("/api/v1/meetings/").json()
    assert data["count"] == n
    assert {(r["present_count"], r["leave_count"], r["absent_count"]) for r in data["results"]} == {
        (1, 1, 1)
    }
    count = next(q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"])
    assert "consultations_meetingattendance" not in count


def test_meeting_api_pages_twenty_rows_unless_asked_for_more(client_for, office_user, gunan):
    # Each row carries its attendance list: a smaller first page (cppcc.api.NestedListPagination).
    _meetings(gunan, office_user, 25)
    c = client_for(office_user)
    first = c.get("/api/v1/meetings/").json()
    assert (first["count"], len(first["results"])) == (25, 20)
    assert first["next"] and "page=2" in first["next"]
    assert len(c.get("/api/v1/meetings/?page_size=50").json()["results"]) == 25


def test_meeting_api_detail_carries_its_counts(client_for, office_user, gunan):
    _meetings(gunan, office_user, 1)
    meeting_id = client_for(office_user).get("/api/v1/meetings/").json()["results"][0]["id"]
    data = client_for(office_user).get(f"/api/v1/meetings/{meeting_id}/").json()
    assert (data["present_count"], data["leave_count"], data["absent_count"]) == (1, 1, 1)


@pytest.mark.parametrize("n", [2, 40])
def test_matter_list_query_count_does_not_grow_and_its_count_is_plain(
    client_for, office_user, new_matter, n, django_assert_max_num_queries
):
    _matters(new_matter, n)
    c = client_for(office_user)
    c.get(reverse("consultations:matter_list"))
    with django_assert_max_num_queries(8) as ctx:
        # session, user, roles, years, paginator COUNT, the page (+town, lead unit's name),
        # unread notifications
        response = c.get(reverse("consultations:matter_list"))
    assert response.context["page_obj"].paginator.count == n
    count = next(q["sql"] for q in ctx.captured_queries if "COUNT(*)" in q["sql"])
    assert "consultations_matterunit" not in count


def test_a_clerks_meetings_are_their_towns_by_the_column_itself(town_user, gunan, office_user):
    # `pk IN (SELECT … WHERE town_id = …)` ORed with the matter rule made PostgreSQL scan every
    # meeting of the county (studios.models.ScopedQuerySet.visible_to).
    _meetings(gunan, office_user, 2)
    sql = str(ConsultationMeeting.objects.visible_to(town_user).query)
    assert f'"consultations_consultationmeeting"."town_id" = {gunan.pk}' in sql
    assert ConsultationMeeting.objects.visible_to(town_user).count() == 2
