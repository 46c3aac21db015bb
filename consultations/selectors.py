"""Reads that decide who sees which matter and meeting, and the shaped reads the board, the
matter page, the API, the portal and the reminder job share."""

import datetime

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from cppcc.roles import Role, clerk_town_id, has_role, is_countywide
from studios.selectors import can_edit_town_records, scope_to_town

from .models import (
    COMPLETED_STATE,
    STEPS,
    ConsultationMeeting,
    Matter,
    MatterStatus,
    MatterUnit,
    MeetingAttendance,
    Step,
    state_label,
)


def scope_consultations(qs: QuerySet, user) -> QuerySet:
    """The access rule of matters, meetings and progress reports: county roles see all, a town
    clerk their town's, a member what they proposed or attended, and a handling unit's login
    only what was assigned to (or attended by) its unit."""
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if not is_countywide(user) and clerk_town_id(user) is None and has_role(user, Role.UNIT):
        if not user.handling_unit_id:
            return qs.none()
        return qs.filter(
            pk__in=qs.model.objects.filter(qs.unit_q(user.handling_unit_id)).values("pk")
        )
    return scope_to_town(qs, user)


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


def board_columns(matters, now: datetime.datetime | None = None) -> list[dict]:
    """The board: one column per step, then the finished matters; each card carries the days in
    its step and the overdue / stalled flags."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    columns = {step: [] for step in STEPS}
    done = []
    for matter in matters:
        matter.days_in_step = days_in_step(matter, now)
        matter.overdue = is_overdue(matter, today)
        matter.stalled = is_stalled(matter, now)
        (done if matter.is_completed else columns[matter.step]).append(matter)
    result = [{"step": step, "label": Step(step).label, "matters": columns[step]} for step in STEPS]
    result.append({"step": COMPLETED_STATE, "label": state_label(COMPLETED_STATE), "matters": done})
    return result


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
    return list(
        meetings_with_counts(ConsultationMeeting.objects.filter(matter=matter))
        .prefetch_related("units")
        .order_by("date", "id")
    )


def held_meeting_kinds(matter: Matter, today: datetime.date | None = None) -> set[str]:
    """Kinds of the matter's meetings already held (dated today or earlier): the guards read
    this, since a meeting planned for next week does not let the matter leave its step."""
    today = today or timezone.localdate()
    return set(
        ConsultationMeeting.objects.filter(matter=matter, date__lte=today)
        .order_by()
        .values_list("kind", flat=True)
        .distinct()
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
    matters = list(
        Matter.objects.filter(Q(proposers=member) | Q(meetings__attendances__member=member))
        .distinct()
        .select_related("town")
        .order_by("-year", "town__order", "id")[:10]
    )
    towns = StudioMembership.objects.filter(
        member=member, end_on__isnull=True, studio__town__isnull=False
    ).values("studio__town_id")
    upcoming = list(
        ConsultationMeeting.objects.filter(date__gte=today)
        .filter(Q(town_id__in=towns) | Q(matter__proposers=member))
        .distinct()
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
        .annotate(
            is_lead=Exists(
                MatterUnit.objects.filter(matter=OuterRef("pk"), unit_id=unit_id, role="lead")
            )
        )
        .order_by("status", "deadline", "id")
    )
