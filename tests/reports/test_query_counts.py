"""Issue 13: the figure pages and homes cost the same number of queries whatever the number of
rows, and at most 15.

Each test opens its page once (a visit whose to-do counts changed rewrites the badge snapshot in
the session: three more queries), counts the queries of a second visit, adds rows of everything
the page counts, and does the same again: both counts must be equal and within the pin.
"""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultations.models import (
    ConsultationMeeting,
    LivelihoodProject,
    Matter,
    MatterStatus,
    MeetingAttendance,
    MeetingKind,
    Step,
)
from cppcc.generations import settle_all
from proposals.models import LeaderInstruction, OpinionAdoption, OpinionReport, ProposalStatus
from studios.models import Activity, Problem, ProblemStatus
from tests.cppcc.test_todos import county  # noqa: F401  (the fixture)
from tests.factories import MemberFactory, MembershipFactory, ProposalFactory, StudioFactory
from tests.reports.test_homes import _more_rows

TODAY = timezone.localdate()
LAST_YEAR = TODAY.replace(year=TODAY.year - 1, day=1)

# (login fixture, URL, queries at most). Every figure page: session, user, roles; one statement
# for its to-dos and the unread count; then what the page lists. Its figure cards, both periods
# and the years covered (one statement, cppcc.navigation.run_together), the office home's
# sessions' attendance and the dashboard's charts come from the figure cache on these repeat
# visits (reports.figure_cache; tests/reports/test_figure_cache.py pins
# the first visit and the repeat).
PINS = {
    # + the current term (a to-do source's), the town selector's towns
    "office home": ("office_user", "/reports/office/", 6),
    # + the clerk's town, the town's studios and open problems
    "town home": ("town_user", "/reports/town/", 7),
    # + the current term (a to-do source's), the town selector's towns
    "dashboard": ("leader_user", "/reports/dashboard/", 6),
    # the unit, its matters, its open and done tasks, the proposals block (2), to-dos
    "unit home": ("unit_user", "/proposals/unit/", 13),
    # session, user, roles; the member, ledger years, points by kind, county ranks and medians
    # (cached), the page of entries and its count, the unread count
    "duty record": ("member_user", "/reports/portal/duty/", 9),
    # session, user, roles; the page of proposals and its count, invitations, the unread count
    "my proposals": ("member_user", "/proposals/portal/", 7),
    # ledger years, the page and its count, county ranks, flags (2), memberships, the filter
    # bar's sectors, studios and committees, the unread count
    "ranking": ("office_user", "/reports/duty/", 14),
    # session, user, roles; the member (shared by every block); to-dos and unread (1); who I
    # am: terms and pending request (1); sessions with my attendance and leave (1); duty points
    # (1: the county's ranks are cached; the member of these tests is not ranked); studios:
    # memberships with Party groups, duty days, activities (3); proposals with invitations (1);
    # consultations: matters, meetings ahead and attended (2); opinion reports, their adoptions
    # and instructions (2)
    "portal": ("member_user", "/portal/", 15),
}


def _grow(n: int, office_user, unit, member_a) -> None:
    """n more of every row the figure pages count, this year and last, in n more towns (and
    _more_rows' to-do rows)."""
    _more_rows(n, office_user, unit, member_a)
    for i in range(n):
        studio = StudioFactory()
        member = MemberFactory()
        MembershipFactory(member=member, studio=studio)
        for day in (TODAY, LAST_YEAR):
            Activity.objects.create(
                studio=studio,
                kind="livestream",
                title=f"活动{i}",
                date=day,
                residents_reached=5,
                sales_wan=Decimal("1.5"),
            )
            matter = Matter.objects.create(
                town=studio.town,
                year=day.year,
                title=f"议题{i}-{day.year}",
                step=Step.ON_SITE,
                status=MatterStatus.ACTIVE,
            )
            meeting = ConsultationMeeting.objects.create(
                town=studio.town,
                matter=matter,
                kind=MeetingKind.PRE_MEETING,
                date=day,
                place="村委会",
                officials_count=2,
                residents_count=3,
            )
            for who in (member, member_a):
                MeetingAttendance.objects.create(meeting=meeting, member=who, status="present")
            LivelihoodProject.objects.create(
                matter=matter,
                title="实事",
                recorded_on=day,
                done=True,
                done_on=day,
                funds_wan=Decimal("10"),
                beneficiaries=50,
            )
            Problem.objects.create(
                studio=studio,
                title="问题",
                raised_by="群众",
                raised_on=day,
                status=ProblemStatus.SOLVED,
                solved_on=day,
            )
            report = OpinionReport.objects.create(
                studio=studio,
                title=f"社情{i}",
                situation="情况",
                suggestion="建议",
                submitted_on=day,
                status="adopted",
            )
            OpinionAdoption.objects.create(
                report=report, level="district", adopted_on=day, source="第1期"
            )
            LeaderInstruction.objects.create(
                report=report, level="district", leader="区长", text="阅", instructed_on=day
            )
            ProposalFactory(year=day.year, submitted_on=day, status=ProposalStatus.SUBMITTED)


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _as_a_request() -> None:
    """Requests run outside any transaction, where what is kept (the figures, the county's
    duty figures) comes from the cache; the test's own transaction has changed the records,
    which turns the cache off inside it (cppcc.generations.Generation.keepable)."""
    settle_all()


@pytest.mark.parametrize("page", list(PINS))
def test_page_queries_do_not_grow_with_rows(
    county,  # noqa: F811
    request,
    client_for,
    office_user,
    unit,
    member_a,
    page,
):
    who, url, pin = PINS[page]
    client = client_for(request.getfixturevalue(who))
    _as_a_request()
    client.get(url)
    few = _queries(client, url)
    _grow(3, office_user, unit, member_a)
    _as_a_request()
    client.get(url)  # the to-do counts changed: this visit rewrites the session's snapshot
    many = _queries(client, url)
    assert few == many, f"{page}: {few} queries with few rows, {many} with more"
    assert many <= pin, f"{page}: {many} queries, pinned at {pin}"


def test_figure_pages_stay_within_fifteen_queries():
    """The issue's ceiling, for every page it names."""
    assert all(pin <= 15 for _who, _url, pin in PINS.values())


def test_a_years_figures_are_read_in_one_query(county, office_user):  # noqa: F811
    from reports.figures import page_figures
    from reports.periods import Period
    from reports.statistics import years_covered

    period = Period.for_year(TODAY.year)
    with CaptureQueriesContext(connection) as ctx:
        figures, years = page_figures(office_user, period, None, years_covered.pending())
    assert len(ctx.captured_queries) == 1
    assert years[0] == TODAY.year
    # The cards read as before: numbers, with a change against the same span last year.
    assert figures["activities"]["change"]["count"]["direction"] in ("up", "down", "same")
    assert isinstance(figures["proposals"]["current"]["filed"], int)


def test_batched_figures_equal_the_same_figures_read_alone(county, office_user):  # noqa: F811
    from reports import statistics
    from reports.figures import FigureScope, page_figures
    from reports.periods import Period

    period = Period.for_year(TODAY.year)
    scope = FigureScope(office_user)
    figures = page_figures(office_user, period)
    assert figures["activities"]["current"] == statistics.activity_totals(
        scope.activities(), period
    )
    assert figures["consultations"]["meetings"]["current"] == statistics.meetings_by_kind(
        scope.meetings(), period
    )
    assert figures["consultations"]["steps"] == statistics.matters_by_step(scope.matters(), period)
    assert figures["proposals"]["by_status"] == statistics.proposals_by_status(
        scope.proposals(), period
    )
    before = period.previous()
    assert figures["opinions"]["previous"]["submitted"] == statistics.opinion_reports_submitted(
        scope.opinion_reports(), before
    )


def test_participations_leave_out_members_in_the_trash(db, gunan, member_a, member_b):
    from reports import statistics
    from reports.periods import Period

    matter = Matter.objects.create(town=gunan, year=TODAY.year, title="议题", step=Step.PRE_MEETING)
    meeting = ConsultationMeeting.objects.create(
        town=gunan,
        matter=matter,
        kind=MeetingKind.PRE_MEETING,
        date=TODAY,
        place="村委会",
        officials_count=1,
        residents_count=2,
    )
    for who in (member_a, member_b):
        MeetingAttendance.objects.create(meeting=meeting, member=who, status="present")
    period = Period.for_year(TODAY.year)
    meetings = ConsultationMeeting.objects.all()
    assert statistics.participations(meetings, period)["participations"] == 5
    type(member_b).objects.filter(pk=member_b.pk).update(deleted_at=timezone.now())
    assert statistics.participations(meetings, period)["participations"] == 4


def test_todo_counts_given_unread_are_read_with_the_unread_count_in_one_query(
    db, office_user, gunan, dongxi, monkeypatch
):
    from django.db.models import Min
    from django.test import RequestFactory

    from cppcc import navigation
    from cppcc.notifications import notify
    from cppcc.roles import Role, roles_of
    from studios.models import Town

    def items(user):
        first = navigation.Pending(
            (navigation.one_row(Town.objects.all(), first=Min("order")),),
            lambda rows: rows[0]["first"],
        )
        return [
            navigation.TodoItem("全部镇街", Town.objects.all(), "/", due=first),
            navigation.TodoItem("古南", Town.objects.filter(pk=gunan.pk), "/"),
            navigation.TodoItem("算好的", 7, "/"),
            navigation.TodoItem("没有的", Town.objects.none(), "/"),
        ]

    source = navigation.TodoSource("test.unread", frozenset({Role.OFFICE}), items)
    monkeypatch.setattr(navigation.registry, "todos", [source])
    notify(office_user, "通知")
    request = RequestFactory().get("/")
    request.user, request.session = office_user, {}
    roles_of(office_user)
    with CaptureQueriesContext(connection) as ctx:
        todos = navigation.todos_for(request, {Role.OFFICE})
    assert len(ctx.captured_queries) == 1
    assert [(t.label, t.count) for t in todos] == [("全部镇街", 2), ("古南", 1), ("算好的", 7)]
    assert todos[0].due == min(gunan.order, dongxi.order)
    assert request._cppcc_unread == 1


def test_parts_that_can_match_nothing_are_answered_without_asking(db, gunan):
    from django.db.models import Count, Sum

    from cppcc.navigation import Pending, one_row, run_together
    from studios.models import Town

    nothing = Town.objects.none()
    with CaptureQueriesContext(connection) as ctx:
        counted, row, some = run_together(
            [
                Pending.count(nothing),
                Pending((one_row(nothing, n=Count("pk"), s=Sum("order", default=0)),), list),
                Pending.count(Town.objects.all()),
            ]
        )
    assert len(ctx.captured_queries) == 1
    assert (counted, some) == (0, 1)
    assert (row[0]["n"], row[0]["s"]) == (0, 0)


def test_session_attendance_leaves_out_members_in_the_trash(db, member_a, member_b):
    from members.models import CommitteeSession, SessionAttendance
    from members.selectors import with_attendance_counts
    from tests.factories import CommitteeSessionFactory

    session = CommitteeSessionFactory()
    for who in (member_a, member_b):
        SessionAttendance.objects.create(session=session, member=who, status="present")

    def present() -> int:
        qs = with_attendance_counts(CommitteeSession.objects.filter(pk=session.pk))
        return qs.get().present_count

    assert present() == 2
    type(member_b).objects.filter(pk=member_b.pk).update(deleted_at=timezone.now())
    assert present() == 1
