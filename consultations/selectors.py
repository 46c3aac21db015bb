"""Reads that decide what a person may do with a matter or meeting, and the shaped reads the
board, the lists and their exports, the matter page, the API, the portal, the unit's home and
the reminder job share. Who sees which row is the querysets' own rule (`visible_to` in
consultations.models); these start from it."""

import datetime

from django.conf import settings
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext as _

from cppcc import deadlines
from cppcc.roles import Role, has_role
from studios.selectors import attach_attendance_counts, can_edit_town_records

from .models import (
    COMPLETED_STATE,
    STEPS,
    ConsultationMeeting,
    FollowUpTask,
    Matter,
    MatterStatus,
    MatterStepDate,
    MatterUnit,
    MeetingAttendance,
    Step,
    state_label,
)


def can_manage_matter(user, matter: Matter) -> bool:
    """Office staff everywhere, a town clerk in their own town: they register, assign, record
    meetings, move the matter and send it back. Leaders, members and units only read."""
    return can_edit_town_records(user, matter.town_id)


def can_report_progress(user, matter: Matter) -> bool:
    """A unit's login on a matter assigned to its unit, from 政府交办 until the matter is done."""
    if not has_role(user, Role.UNIT) or not user.handling_unit_id or matter.is_completed:
        return False
    if STEPS.index(matter.step) < STEPS.index(Step.ASSIGNED):
        return False
    return MatterUnit.objects.filter(matter=matter, unit_id=user.handling_unit_id).exists()


def assignment_refused(matter: Matter) -> str:
    """Why the government's assignment cannot be recorded now ('' when it can): the form, the
    matter page's button and services.set_assignment all ask this."""
    if matter.is_completed:
        return _("议题已办结，不能再修改交办信息。")
    if STEPS.index(matter.step) < STEPS.index(Step.REGISTERED):
        return _("议题尚未立案，不能交办。")
    return ""


def outcome_refused(matter: Matter) -> str:
    """Why the outcome cannot be recorded now ('' when it can)."""
    if STEPS.index(matter.step) < STEPS.index(Step.SUPERVISION):
        return _("议题进入督办协商后才能填写办理成效。")
    return ""


def projects_refused(matter: Matter) -> str:
    """Why 民生实事 cannot be entered now ('' when they can): from 督办协商 on, completed
    matters included. The matter page, the API and consultations.services ask this."""
    if STEPS.index(matter.step) < STEPS.index(Step.SUPERVISION):
        return _("议题进入“督办协商”环节后才能录入民生实事。")
    return ""


def town_clerks(town_id: int) -> QuerySet:
    """Who hears about a town's matters: its clerks' active logins."""
    from cppcc.models import User

    return User.objects.filter(groups__name=Role.TOWN, town_id=town_id, is_active=True)


def unit_logins(matter: Matter, unit_ids=None) -> QuerySet:
    """Active logins of the matter's units (or of the given ones among them)."""
    from cppcc.models import User

    units = MatterUnit.objects.filter(matter=matter).values("unit_id")
    if unit_ids is not None:
        units = units.filter(unit_id__in=list(unit_ids))
    return User.objects.filter(handling_unit_id__in=units, is_active=True)


def stall_days() -> int:
    return int(settings.CPPCC_MATTER_STALL_DAYS)


def deadline_warn_days() -> int:
    return int(settings.CPPCC_MATTER_DEADLINE_WARN_DAYS)


def days_in_step(matter: Matter, now: datetime.datetime | None = None) -> int:
    now = now or timezone.now()
    return max((now - matter.step_entered_at).days, 0)


def is_overdue(matter: Matter, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return not matter.is_completed and matter.deadline is not None and matter.deadline < today


def is_stalled(matter: Matter, now: datetime.datetime | None = None) -> bool:
    """No move for the configured number of days, or a passed deadline (issue 5)."""
    if matter.is_completed:
        return False
    now = now or timezone.now()
    return days_in_step(matter, now) >= stall_days() or is_overdue(matter, timezone.localdate(now))


def stalled_matters(now: datetime.datetime | None = None) -> QuerySet:
    """The same rule as is_stalled(), as one query for the reminder job and the board filter."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    return Matter.objects.filter(status=MatterStatus.ACTIVE).filter(
        Q(step_entered_at__lte=now - datetime.timedelta(days=stall_days())) | Q(deadline__lt=today)
    )


def board_queryset(user, *, year: int, town_id: int | None = None) -> QuerySet:
    qs = (
        Matter.objects.visible_to(user)
        .filter(year=year)
        .select_related("town")
        .prefetch_related(
            Prefetch(
                "unit_assignments",
                queryset=MatterUnit.objects.select_related("unit").order_by("-role", "unit__name"),
            )
        )
        .order_by("town__order", "town_id", "-is_annual_topic", "id")
    )
    if town_id is not None:
        qs = qs.filter(town_id=town_id)
    return qs


# Cards per board column: a column of the year's matters would otherwise grow with the county;
# the rest of a column is one "更多" link away, on the matter list filtered by step.
BOARD_CARDS = 12


def _board_column():
    return Case(
        When(status=MatterStatus.COMPLETED, then=Value(COMPLETED_STATE)),
        default=F("step"),
        output_field=CharField(),
    )


def board_columns(
    matters: QuerySet, *, per_column: int = BOARD_CARDS, now: datetime.datetime | None = None
) -> list[dict]:
    """The board: one column per step, then the finished matters, each with its full count and
    its first `per_column` cards (days in step, overdue and stalled flags). Two queries and the
    cards' prefetch, however many matters the year has: the counts grouped by column, the cards
    ranked within their column by the board's order and cut in the database."""
    column = _board_column()
    counts = dict(
        matters.prefetch_related(None)
        .order_by()
        .annotate(column=column)
        .values_list("column")
        .annotate(n=Count("pk"))
        .values_list("column", "n")
    )
    ranked = matters.annotate(
        column=column,
        rank=Window(
            RowNumber(),
            partition_by=[column],
            order_by=[
                F("town__order").asc(),
                F("town_id").asc(),
                F("is_annual_topic").desc(),
                F("id").asc(),
            ],
        ),
    ).filter(rank__lte=per_column)
    cards: dict[str, list] = {step: [] for step in (*STEPS, COMPLETED_STATE)}
    for matter in mark_flags(ranked, now):
        cards[matter.column].append(matter)
    return [
        {
            "step": key,
            "label": Step(key).label if key != COMPLETED_STATE else state_label(key),
            "matters": cards[key],
            "count": counts.get(key, 0),
            "more": max(counts.get(key, 0) - len(cards[key]), 0),
        }
        for key in (*STEPS, COMPLETED_STATE)
    ]


def matter_page_counts(user, matter: Matter) -> dict:
    """The matter page's one-row reads in one statement: its projects' totals, its step dates
    (as step_dates reads them), whether the
    person may open the source proposal, and their unread notifications (the layout's)."""
    from cppcc.navigation import Pending, one_row, run_together
    from cppcc.notifications import unread_pending
    from proposals.models import Proposal

    from .models import PROJECT_TOTALS, LivelihoodProject

    # One column per state (the seven steps and completion): the step dates in the same row.
    states = [*STEPS, COMPLETED_STATE]
    per_state = {f"d{i}": Max("entered_on", filter=Q(step=state)) for i, state in enumerate(states)}
    totals, days, proposal_visible, unread = run_together(
        [
            Pending(
                (one_row(LivelihoodProject.objects.filter(matter=matter), **PROJECT_TOTALS),),
                lambda rows: {k: v for k, v in rows[0].items() if k != "one"},
            ),
            Pending(
                (one_row(MatterStepDate.objects.filter(matter_id=matter.pk), **per_state),),
                lambda rows: {
                    state: rows[0][f"d{i}"]
                    for i, state in enumerate(states)
                    if rows[0][f"d{i}"] is not None
                },
            ),
            Pending.count(
                Proposal.objects.visible_to(user).filter(pk=matter.proposal_id)
                if matter.proposal_id
                else Proposal.objects.none()
            ),
            unread_pending(user),
        ]
    )
    return {
        "project_totals": totals,
        "step_dates": days,
        "proposal_visible": bool(proposal_visible),
        "unread": unread,
    }


def matter_detail_queryset(user) -> QuerySet:
    return (
        Matter.objects.visible_to(user)
        .select_related("town", "proposal", "registered_by", "created_by")
        .prefetch_related(
            "proposers",
            Prefetch(
                "unit_assignments",
                queryset=MatterUnit.objects.select_related("unit").order_by("-role", "unit__name"),
            ),
        )
    )


def matter_moves(matter: Matter) -> QuerySet:
    """The matter's step and status moves (cppcc Transition rows), oldest first: its timeline
    and the API's history read them."""
    from django.contrib.contenttypes.models import ContentType

    from cppcc.models import Transition

    return (
        Transition.objects.filter(
            content_type=ContentType.objects.get_for_model(Matter), object_id=str(matter.pk)
        )
        .select_related("by")
        .order_by("at", "id")
    )


def meetings_with_counts(qs: QuerySet) -> QuerySet:
    return qs.annotate(
        present_count=Count("attendances", filter=Q(attendances__status="present"), distinct=True),
        leave_count=Count("attendances", filter=Q(attendances__status="leave"), distinct=True),
        absent_count=Count("attendances", filter=Q(attendances__status="absent"), distinct=True),
    )


def matter_meetings(matter: Matter) -> list[ConsultationMeeting]:
    """Every meeting of the matter. They are kept on the matter as the kinds held so far, so
    that the matter page's blockers (held_meeting_kinds) do not read them again; a move locks
    and reads a fresh matter, which carries none."""
    meetings = list(
        meetings_with_counts(ConsultationMeeting.objects.filter(matter=matter))
        .prefetch_related("units")
        .order_by("date", "id")
    )
    today = timezone.localdate()
    matter._held_meeting_kinds = (today, {m.kind for m in meetings if m.date <= today})
    return meetings


def held_meeting_kinds(matter: Matter, today: datetime.date | None = None) -> set[str]:
    """Kinds of the matter's meetings already held (dated today or earlier): the guards read
    this, since a meeting planned for next week does not let the matter leave its step."""
    today = today or timezone.localdate()
    read_on, kinds = getattr(matter, "_held_meeting_kinds", (None, None))
    if read_on == today:
        return set(kinds)
    return set(
        ConsultationMeeting.objects.filter(matter=matter, date__lte=today)
        .order_by()
        .values_list("kind", flat=True)
        .distinct()
    )


def step_entered_on(matter: Matter, state: str) -> datetime.date | None:
    """The real day the matter entered `state` (a step, or COMPLETED_STATE), as the move that
    brought it there recorded it; None for a matter that never recorded one (made before step
    dates were kept, or built in tests without moves)."""
    return (
        MatterStepDate.objects.filter(matter_id=matter.pk, step=state)
        .values_list("entered_on", flat=True)
        .first()
    )


def step_dates(matter: Matter) -> dict[str, datetime.date]:
    """Every recorded step date of the matter: state → day (the matter page's timeline)."""
    return dict(
        MatterStepDate.objects.filter(matter_id=matter.pk).values_list("step", "entered_on")
    )


def attendance_members(meeting: ConsultationMeeting) -> QuerySet:
    return (
        MeetingAttendance.objects.filter(meeting=meeting)
        .select_related("member")
        .order_by("status", "member__name_pinyin", "member_id")
    )


def candidate_attendees(town_id: int):
    """The members offered on a meeting's attendance sheet: the town studio's current members
    first; the sheet also accepts any other active member (search), as county members join
    on-site consultations."""
    from members.models import Member

    return (
        Member.objects.active()
        .filter(
            studio_memberships__studio__town_id=town_id,
            studio_memberships__end_on__isnull=True,
        )
        .distinct()
        .order_by("name_pinyin", "pk")
    )


def portal_context(member, today: datetime.date | None = None) -> dict | None:
    """The member's consultations block on /portal/: the matters they proposed or attended, the
    meetings coming up in their studios' towns or on their matters (planned meetings have no
    attendance yet, so they are found by town), and the meetings they were at, with dates."""
    from studios.models import StudioMembership

    today = today or timezone.localdate()
    # The access rule's subqueries (Matter.objects.member_q): no OR across joins, no DISTINCT.
    matters = list(
        Matter.objects.filter(Matter.objects.member_q(member.pk))
        .select_related("town")
        .order_by("-year", "town__order", "id")[:10]
    )
    towns = StudioMembership.objects.filter(
        member=member, end_on__isnull=True, studio__town__isnull=False
    ).values("studio__town_id")
    proposed = Matter.proposers.through.objects.filter(member_id=member.pk).values("matter_id")
    upcoming = list(
        ConsultationMeeting.objects.filter(date__gte=today)
        .filter(Q(town_id__in=towns) | Q(matter_id__in=proposed))
        .select_related("matter", "town")
        .order_by("date", "id")[:8]
    )
    past = list(
        MeetingAttendance.objects.filter(member=member, meeting__date__lt=today)
        .select_related("meeting", "meeting__matter", "meeting__town")
        .order_by("-meeting__date", "-meeting_id")[:8]
    )
    if not matters and not upcoming and not past:
        return None
    return {"matters": matters, "upcoming": upcoming, "past": past, "today": today}


def unit_matters(unit_id: int) -> QuerySet:
    """What a handling unit's home page lists: its matters, open ones first."""
    return (
        Matter.objects.filter(Matter.objects.unit_q(unit_id))
        .select_related("town")
        # What the rows show, not the matters' long texts.
        .only("title", "step", "status", "deadline", "town__name")
        .annotate(
            is_lead=Exists(
                MatterUnit.objects.filter(matter=OuterRef("pk"), unit_id=unit_id, role="lead")
            )
        )
        .order_by("status", "deadline", "id")
    )


# --- the lists beside the board, their exports and the unit's home ------------------------------


def lead_unit_name() -> Subquery:
    """The lead unit's name as a column: one row per matter, however many units it has."""
    return Subquery(
        MatterUnit.objects.filter(matter=OuterRef("pk"), role="lead").values("unit__name")[:1]
    )


def matter_list_queryset(user) -> QuerySet:
    """The matter list and its export: the matters the person may see, with the town and the
    lead unit's name in the same query."""
    return (
        Matter.objects.visible_to(user)
        .select_related("town")
        .annotate(lead_unit_name=lead_unit_name())
    )


def overdue_matters(qs: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """The same rule as is_overdue(), as a filter."""
    today = today or timezone.localdate()
    return qs.filter(status=MatterStatus.ACTIVE, deadline__lt=today)


def mark_flags(matters, now: datetime.datetime | None = None) -> list[Matter]:
    """Sets days_in_step, overdue and stalled on each matter shown (the rows of one page)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    matters = list(matters)
    for matter in matters:
        matter.days_in_step = days_in_step(matter, now)
        matter.overdue = is_overdue(matter, today)
        matter.stalled = is_stalled(matter, now)
    return matters


def meeting_list_queryset(user, *, counted: bool = False) -> QuerySet:
    """The meeting list and its export. The export (`counted`) has each meeting's attendance
    annotated; the page leaves it out, so that its COUNT does not join attendance, and counts
    its own rows after the cut (attach_meeting_counts)."""
    qs = ConsultationMeeting.objects.visible_to(user).select_related("town", "matter")
    return meetings_with_counts(qs) if counted else qs


def attach_meeting_counts(meetings) -> list:
    """present_count / leave_count / absent_count of the meetings of one page: one grouped
    query over their ids (the rule studios' activity lists share)."""
    return attach_attendance_counts(meetings, MeetingAttendance.objects.all(), "meeting_id")


def task_list_queryset(user) -> QuerySet:
    """The follow-up task list and its export: open tasks first, soonest due first."""
    return (
        FollowUpTask.objects.visible_to(user)
        .select_related("meeting__town", "meeting__matter", "unit")
        .order_by(F("done_on").desc(nulls_first=True), "due_on", "id")
    )


def open_tasks(qs: QuerySet) -> QuerySet:
    return qs.filter(done_on__isnull=True)


def overdue_tasks(qs: QuerySet, today: datetime.date | None = None) -> QuerySet:
    return qs.filter(done_on__isnull=True, due_on__lt=today or timezone.localdate())


def due_state(due: datetime.date | None, *, done: bool, today: datetime.date | None = None) -> str:
    """cppcc.deadlines.due_state with a matter's warning days (CPPCC_MATTER_DEADLINE_WARN_DAYS):
    the unit's home and the task list."""
    return deadlines.due_state(due, warn_days=deadline_warn_days(), done=done, today=today)


def can_mark_task_done(user, task: FollowUpTask) -> bool:
    """Office staff everywhere and a town clerk in their town mark any follow-up task done; a
    unit's login only its own unit's (visible_to has already narrowed it to those)."""
    if can_edit_town_records(user, task.meeting.town_id):
        return True
    return (
        has_role(user, Role.UNIT)
        and user.handling_unit_id is not None
        and task.unit_id == user.handling_unit_id
    )


def unit_tasks(unit_id: int, *, done_shown: int = 5) -> tuple[list, list]:
    """A unit's follow-up tasks for its home: all open ones, soonest due first, and the few it
    finished last."""
    # What the rows show, not the matters' long texts (a unit's tasks grow with the years).
    qs = (
        FollowUpTask.objects.filter(unit_id=unit_id)
        .select_related("meeting__town", "meeting__matter")
        .only(
            "description",
            "unit_id",
            "due_on",
            "done_on",
            "done_note",
            "meeting__date",
            "meeting__kind",
            "meeting__town__name",
            "meeting__matter__title",
        )
    )
    open_ = list(qs.filter(done_on__isnull=True).order_by("due_on", "id"))
    done = list(qs.filter(done_on__isnull=False).order_by("-done_on", "-id")[:done_shown])
    return open_, done


def unit_home_context(unit) -> dict:
    """The consultations block of a handling unit's home: its matters and its follow-up tasks,
    each due date with its colour (due_state), and the tasks it may still mark done."""
    today = timezone.localdate()
    assigned = list(unit_matters(unit.pk))
    for matter in assigned:
        matter.overdue = is_overdue(matter, today)
        matter.due_state = due_state(matter.deadline, done=matter.is_completed, today=today)
    open_, done = unit_tasks(unit.pk)
    for task in [*open_, *done]:
        task.due_state = due_state(task.due_on, done=task.done_on is not None, today=today)
    return {
        "assigned": assigned,
        "open_tasks": open_,
        "done_tasks": done,
        "warn_days": deadline_warn_days(),
    }


# --- to-dos on the home pages (registered in apps.py) -------------------------------------------


def todo_matters(user) -> list:
    """Stalled matters (stalled_matters: no move for CPPCC_MATTER_STALL_DAYS, or past the
    deadline) and, among them, the overdue ones (overdue_matters), counted in one query over
    the matters the person may see. Overdue is not added to the board's badge: stalled covers
    it."""
    from cppcc.navigation import TodoItem, todo_url

    now = timezone.now()
    stalled = stalled_matters(now).visible_to(user)
    # Counted with the page's other to-dos (cppcc.navigation reads a QuerySet's count).
    overdue = overdue_matters(stalled, timezone.localdate(now))
    return [
        TodoItem(
            _("进展滞后的议题"),
            stalled,
            todo_url("consultations:matter_list", {"stalled": 1}),
            nav="consultations:board",
        ),
        TodoItem(
            _("超过办理期限的议题"),
            overdue,
            todo_url("consultations:matter_list", {"overdue": 1}),
            level="danger",
            nav="consultations:board",
            badge=False,
        ),
    ]


def todo_overdue_tasks(user) -> list:
    """Open follow-up tasks past their due date, among those the person may see."""
    from cppcc.navigation import TodoItem, todo_url

    count = overdue_tasks(FollowUpTask.objects.visible_to(user))
    return [
        TodoItem(
            _("逾期未完成的后续任务"),
            count,
            todo_url("consultations:task_list", {"overdue": 1}),
            level="danger",
            nav="consultations:meeting_list",
        )
    ]


def todo_meetings_this_week(user) -> list:
    """A town clerk's consultation meetings planned from today to Sunday."""
    from cppcc.navigation import TodoItem, todo_url

    today = timezone.localdate()
    sunday = today + datetime.timedelta(days=6 - today.weekday())
    count = ConsultationMeeting.objects.visible_to(user).filter(date__range=(today, sunday))
    return [
        TodoItem(
            _("本周安排的协商会议"),
            count,
            todo_url(
                "consultations:meeting_list",
                {
                    "town": user.town_id,
                    "date_from": today.isoformat(),
                    "date_to": sunday.isoformat(),
                },
            ),
            level="info",
        )
    ]


def todo_unit_work(user) -> list:
    """A handling unit's open matters and open follow-up tasks, each coloured by the nearest
    due date (due_state); the unit's home lists them."""
    from django.db.models import Min

    from cppcc.navigation import TodoItem, todo_url

    if not user.handling_unit_id:
        return []
    today = timezone.localdate()
    matters = (
        Matter.objects.visible_to(user)
        .filter(status=MatterStatus.ACTIVE)
        .aggregate(n=Count("pk"), due=Min("deadline"))
    )
    tasks = open_tasks(FollowUpTask.objects.filter(unit_id=user.handling_unit_id)).aggregate(
        n=Count("pk"), due=Min("due_on")
    )
    return [
        TodoItem(
            _("交办本单位办理中的议题"),
            matters["n"],
            todo_url("proposals:unit_home", anchor="unit-matters"),
            level=deadlines.TODO_LEVEL.get(
                due_state(matters["due"], done=False, today=today), "info"
            ),
            due=matters["due"],
        ),
        TodoItem(
            _("本单位待完成的后续任务"),
            tasks["n"],
            todo_url("consultations:task_list", {"open": 1}),
            level=deadlines.TODO_LEVEL.get(
                due_state(tasks["due"], done=False, today=today), "info"
            ),
            nav="proposals:unit_home",
            due=tasks["due"],
        ),
    ]


def todo_member_consultations(user) -> list:
    """A member's coming consultation meetings (as the /portal/ block finds them: in their
    studios' towns or on matters they proposed) and the matters they proposed still in hand."""
    from django.db.models import Min

    from cppcc.navigation import Pending, TodoItem, one_row, todo_url
    from studios.models import StudioMembership

    if not user.member_id:
        return []
    member_id = user.member_id
    today = timezone.localdate()
    towns = StudioMembership.objects.filter(
        member_id=member_id, end_on__isnull=True, studio__town__isnull=False
    ).values("studio__town_id")
    proposed_by_member = Matter.objects.filter(proposers__id=member_id).values("pk")
    upcoming = ConsultationMeeting.objects.filter(date__gte=today).filter(
        Q(town_id__in=towns) | Q(matter_id__in=proposed_by_member)
    )
    # Read with the page's other to-dos (cppcc.navigation).
    first = Pending((one_row(upcoming, first=Min("date")),), lambda rows: rows[0]["first"])
    proposed = Matter.objects.filter(proposers__id=member_id, status=MatterStatus.ACTIVE)
    anchor = todo_url("portal", anchor="portal-consultations")
    return [
        TodoItem(_("待参加的协商会议"), upcoming, anchor, level="info", due=first),
        TodoItem(_("我提出的办理中议题"), proposed, anchor, level="info"),
    ]
