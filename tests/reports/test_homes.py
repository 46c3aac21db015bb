"""Every home page opens on its to-do list (templates/includes/todos.html), the navigation is
not repeated as a "常用功能" list, and a home page costs the same queries for many rows as for
few."""

import datetime

import pytest
from django.utils import timezone

from consultations.models import ConsultationMeeting, FollowUpTask, MatterUnit, MeetingKind, Step
from consultations.services import create_matter
from members.models import MemberChangeRequest
from studios.models import DutyShift
from tests.cppcc.test_todos import county  # noqa: F401  (the fixture)
from tests.factories import MemberFactory, MembershipFactory, StudioFactory, TownFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)

HOMES = {
    "office_user": "/reports/office/",
    "town_user": "/reports/town/",
    "leader_user": "/reports/dashboard/",
    "unit_user": "/proposals/unit/",
    "member_user": "/portal/",
}


def body(response) -> str:
    return response.content.decode()


@pytest.mark.parametrize("who", list(HOMES))
def test_home_page_opens_on_its_todo_list(county, request, client_for, who):  # noqa: F811
    response = client_for(request.getfixturevalue(who)).get(HOMES[who])
    assert response.status_code == 200
    html = body(response)
    assert 'data-testid="todos"' in html
    assert html.count('data-testid="todo"') >= 2
    assert "暂无待办" not in html


@pytest.mark.parametrize("who", list(HOMES))
def test_empty_todo_list_says_so(db, request, client_for, who):
    html = body(client_for(request.getfixturevalue(who)).get(HOMES[who]))
    assert 'data-testid="todos"' in html
    assert "暂无待办" in html
    assert 'data-testid="todo"' not in html


def test_office_home_no_longer_repeats_the_navigation(client_for, office_user):
    html = body(client_for(office_user).get("/reports/office/"))
    assert "常用功能" not in html


def test_clerk_home_lists_only_their_towns_todos(county, client_for, other_town_user):  # noqa: F811
    html = body(client_for(other_town_user).get("/reports/town/"))
    assert "待调整组长的党小组" not in html  # 古南's group, not 东溪's
    assert f"date_to={(TODAY + datetime.timedelta(days=6 - TODAY.weekday())).isoformat()}" in html


def test_unit_home_shows_the_nearest_due_date_in_red(county, client_for, unit_user):  # noqa: F811
    html = body(client_for(unit_user).get("/proposals/unit/"))
    assert "todo-item todo-danger" in html
    assert f"最近到期 {(TODAY - 3 * DAY).isoformat()}" in html


# --- pinned query counts -----------------------------------------------------------------------


def _more_rows(n: int, office_user, unit, member_a):
    """n more of everything the to-dos count, in n more towns."""
    long_ago = timezone.now() - datetime.timedelta(days=400)
    for i in range(n):
        town = TownFactory(name=f"加{i}镇", order=20 + i)
        studio = StudioFactory(town=town)
        matter = create_matter(
            town, {"title": f"议题{i}", "year": TODAY.year}, [member_a], by=office_user
        )
        type(matter).objects.filter(pk=matter.pk).update(
            step=Step.ASSIGNED, step_entered_at=long_ago, deadline=TODAY - DAY
        )
        MatterUnit.objects.create(matter=matter, unit=unit, role="lead")
        meeting = ConsultationMeeting.objects.create(
            town=town, kind=MeetingKind.REGULAR, date=TODAY, place="村委会"
        )
        FollowUpTask.objects.create(meeting=meeting, description="任务", unit=unit, due_on=TODAY)
        member = MemberFactory()
        MembershipFactory(member=member, studio=studio)
        MemberChangeRequest.objects.create(member=member, changes={"employer": "新"})
        MemberFactory()
        DutyShift.objects.create(studio=studio, member=member_a, date=TODAY + (i + 1) * DAY)


# What each home page costs: session, user, roles; the page's own queries; one statement for
# all its to-do counts and the unread count (cppcc.navigation._read; a source that needs a date
# to colour its line reads it itself); and the session write that keeps the badges (savepoint,
# update, release). The office and town homes and the dashboard read every figure card of
# reports.figures.page_figures, for the period and the same span a year earlier, and the years
# covered in one statement (cppcc.navigation.run_together). tests/reports/test_query_counts.py
# pins the same pages without the session write, before and after adding rows.
PINS = {
    # figures (1), the town selector's towns, the last sessions' attendance, to-dos (1)
    "office_user": 11,
    # figures (1), the town's studios and open problems, to-dos (1)
    "town_user": 11,
    # figures with the months and kinds charts (1), towns; charts: sectors, parties, the towns ×
    # steps pipeline, points distribution, problems by town (5); to-dos (1)
    "leader_user": 15,
    # the unit, its matters, its open and its done tasks; the proposals block: the unit's active
    # assignments and its recent replies (2); to-dos: open matters, open tasks, the proposals it
    # owes a reply on (3, each coloured by its nearest due date), the rest (1)
    "unit_user": 16,
    # the member, read once for every block; the portal's blocks (who I am, studios,
    # consultations, sessions, proposals, opinion reports: see PINS of test_query_counts);
    # to-dos with duty days (coloured by the first) and unread, in one statement; the duty
    # block: points and county rank (1); the first visit's badge snapshot (3)
    "member_user": 21,
}


@pytest.mark.parametrize("extra", [0, 4])
@pytest.mark.parametrize("who", list(HOMES))
def test_home_page_query_count_does_not_grow_with_rows(
    county,  # noqa: F811
    request,
    client_for,
    office_user,
    unit,
    member_a,
    who,
    extra,
    django_assert_max_num_queries,
):
    _more_rows(extra, office_user, unit, member_a)
    client = client_for(request.getfixturevalue(who))
    with django_assert_max_num_queries(PINS[who]):
        response = client.get(HOMES[who])
    assert response.status_code == 200
    assert 'data-testid="todo"' in body(response)
