"""The seven steps of a "一镇一事" matter, and the only functions that move it.

A matter moves one step at a time, forward, when the guard of the step it leaves is met:

    委员提案 → 政协立案    a title and at least one proposing member (the clerk registers it)
    政协立案 → 政府交办    at least one responsible unit and a deadline
    政府交办 → 议前协商    the assignment has been made (its date is not in the future)
    议前协商 → 现场协商    a held 议前协商 meeting
    现场协商 → 督办协商    a held 现场协商 meeting
    督办协商 → 总结协商    a held 督办协商 meeting
    总结协商 → 已办结      a held 总结协商 meeting and the outcome filled in

A clerk may send it back one step with a reason (a completed matter goes back to 总结协商).

Records are often entered after the fact. Every move takes the real day it happened (`on`,
default today; never in the future, never before the day the matter entered the step it
leaves): the guards compare that day instead of today (the assignment made by then, a meeting
held by then), and it is stored as the day the matter entered its new step (MatterStepDate,
and step_entered_at / completed_at). The Transition row's own time is when the clerk pressed
the button, so its note says the real day when it differs.
Every move goes through cppcc.workflow.transition: the row is locked, the guard is re-checked
on what is stored, and of two people moving the same matter at once only the first wins; the
other gets a ConflictError naming the step the matter is in now. Each move is a Transition row
(who, when, from, to, note): the matter's step history.
"""

import datetime

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cppcc.notifications import notify
from cppcc.workflow import ConflictError, WorkflowError, transition

from . import selectors
from .models import (
    COMPLETED_STATE,
    STEPS,
    Matter,
    MatterStatus,
    MatterStepDate,
    MatterUnit,
    MeetingKind,
    Step,
    step_index,
)

# The step whose meeting must have been held before the matter may leave it.
MEETING_TO_LEAVE: dict[str, str] = {
    Step.PRE_MEETING: MeetingKind.PRE_MEETING,
    Step.ON_SITE: MeetingKind.ON_SITE,
    Step.SUPERVISION: MeetingKind.SUPERVISION,
    Step.CLOSING: MeetingKind.CLOSING,
}


def next_step(step: str) -> str | None:
    """The step after `step`, or None after 总结协商 (the next move completes the matter)."""
    i = step_index(step)
    return STEPS[i + 1] if i + 1 < len(STEPS) else None


def previous_step(step: str) -> str | None:
    i = step_index(step)
    return STEPS[i - 1] if i > 0 else None


def blockers(matter: Matter, today: datetime.date | None = None) -> list[str]:
    """Why the matter may not take its next move yet, in Chinese; empty when it may.
    `today` is the day of the move (a clerk entering last year's records gives the real one).

    The matter page shows these beside the action; the move functions refuse with them.
    """
    today = today or timezone.localdate()
    if matter.is_completed:
        return [_("议题已办结。")]
    reasons: list[str] = []
    step = matter.step
    if step == Step.PROPOSED:
        if not matter.title.strip():
            reasons.append(_("请填写议题名称。"))
        if not matter.proposers.exists():
            reasons.append(_("立案前须至少有一名提出委员。"))
    elif step == Step.REGISTERED:
        if not MatterUnit.objects.filter(matter=matter).exists():
            reasons.append(_("交办前须至少确定一个承办单位。"))
        if matter.deadline is None:
            reasons.append(_("交办前须填写办理期限。"))
    elif step == Step.ASSIGNED:
        if not MatterUnit.objects.filter(matter=matter).exists():
            reasons.append(_("尚无承办单位，不能开始议前协商。"))
        if matter.assigned_on is None or matter.assigned_on > today:
            reasons.append(_("政府尚未交办（交办日期未到），不能开始议前协商。"))
    if step in MEETING_TO_LEAVE:
        kind = MEETING_TO_LEAVE[step]
        if kind not in selectors.held_meeting_kinds(matter, today):
            if today == timezone.localdate():
                reason = _("须先召开并录入至少一次“%(kind)s”会议（日期不晚于今天）。")
            else:
                reason = _("须先召开并录入至少一次“%(kind)s”会议（日期不晚于 %(on)s）。")
            reasons.append(reason % {"kind": MeetingKind(kind).label, "on": today.isoformat()})
    if step == Step.CLOSING:
        missing = matter.outcome_missing()
        if missing:
            reasons.append(_("办结前须填写办理成效：%(fields)s。") % {"fields": "、".join(missing)})
    return reasons


def _require_manager(matter: Matter, by) -> None:
    if not selectors.can_manage_matter(by, matter):
        raise PermissionDenied


def _conflict(locked: Matter) -> str:
    return _("该议题已被他人处理，当前为“%(state)s”，请刷新后查看。") % {
        "state": locked.state_label
    }


def _stale(matter: Matter) -> ConflictError:
    """The caller's copy is not at the step its move starts from: name the stored state."""
    return ConflictError(_conflict(Matter.objects.get(pk=matter.pk)))


def as_seen(matter: Matter, state: str) -> Matter:
    """The matter as the person saw it when they pressed the button (a step, or
    COMPLETED_STATE). The move functions compare it with what is stored, so a press on a page
    someone else has moved on since is refused as a conflict instead of moving it again."""
    completed = state == COMPLETED_STATE
    matter.status = MatterStatus.COMPLETED if completed else MatterStatus.ACTIVE
    matter.step = Step.CLOSING if completed else state
    return matter


def _guard(expected_status: str, on: datetime.date | None = None):
    """Re-checks, on the locked row, the status and the guard of the step it leaves."""

    def check(locked: Matter) -> None:
        if locked.status != expected_status:
            raise ConflictError(_conflict(locked))
        if expected_status == MatterStatus.ACTIVE:
            reasons = blockers(locked, on)
            if reasons:
                raise WorkflowError(" ".join(reasons), code="guard")

    return check


def move_date(matter: Matter, on: datetime.date | None) -> datetime.date:
    """The day of a move: `on`, or today. Refused in the future, and before the day the matter
    entered the step (or state) it is in now."""
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise WorkflowError(_("推进日期不能晚于今天。"))
    entered = selectors.step_entered_on(matter, matter.state)
    if entered is not None and on < entered:
        raise WorkflowError(
            _("日期不能早于议题进入“%(step)s”环节的日期（%(date)s）。")
            % {"step": matter.state_label, "date": entered.isoformat()}
        )
    return on


def moment(on: datetime.date) -> datetime.datetime:
    """The time a move stores for its day: now for today, else the start of that day."""
    if on == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time.min))


def dated_note(note: str, on: datetime.date) -> str:
    """The Transition's own time is when the clerk pressed the button: say the real day."""
    if on == timezone.localdate():
        return note
    real = _("实际日期：%(date)s") % {"date": on.isoformat()}
    return f"{note}（{real}）" if note else real


def _record_step_date(matter: Matter, state: str, on: datetime.date) -> None:
    MatterStepDate.objects.update_or_create(
        matter_id=matter.pk, step=state, defaults={"entered_on": on}
    )


def _move_step(
    matter: Matter,
    to: str,
    *,
    by,
    note: str,
    on: datetime.date,
    updates: dict | None = None,
) -> Matter:
    with transaction.atomic():
        matter = transition(
            matter,
            field="step",
            allowed_from=[matter.step],
            to=to,
            by=by,
            note=dated_note(note, on),
            updates={"step_entered_at": moment(on), "stall_notified_at": None, **(updates or {})},
            conflict_message=_conflict,
            guard=_guard(MatterStatus.ACTIVE, on),
        )
        _record_step_date(matter, to, on)
    return matter


def _refuse_if_blocked(matter: Matter, on: datetime.date | None = None) -> None:
    """Fails fast, before taking the lock, with the same reasons the guard would give.

    The guard reads the stored row: the caller's copy may predate its own last write (a form
    that saved the units, then moves). A stored step or status other than the caller's means
    someone else moved the matter meanwhile: that is a conflict, not a guard.
    """
    stored = Matter.objects.select_related("town").get(pk=matter.pk)
    if stored.step != matter.step or stored.status != matter.status:
        raise ConflictError(_conflict(stored))
    if stored.is_completed:
        raise WorkflowError(_("议题已办结，不能再推进。"), code="guard")
    reasons = blockers(stored, on)
    if reasons:
        raise WorkflowError(" ".join(reasons), code="guard")


def _registration_number(matter: Matter) -> str:
    """The next free number of the year: 2026-001, 2026-002 …"""
    taken = set(
        Matter.all_objects.filter(year=matter.year)
        .exclude(registration_no="")
        .values_list("registration_no", flat=True)
    )
    n = len(taken) + 1
    while f"{matter.year}-{n:03d}" in taken:
        n += 1
    return f"{matter.year}-{n:03d}"


def matter_register(
    matter: Matter,
    *,
    by,
    registered_on: datetime.date | None = None,
    number: str = "",
    note: str = "",
    on: datetime.date | None = None,
) -> Matter:
    """委员提案 → 政协立案: the clerk registers the matter, with a date (`registered_on`, or
    `on` as every move calls it) and a number (the next free number of the year when none is
    given)."""
    _require_manager(matter, by)
    if matter.step != Step.PROPOSED or matter.is_completed:
        raise _stale(matter)
    registered_on = registered_on or on or timezone.localdate()
    if registered_on > timezone.localdate():
        raise WorkflowError(_("立案日期不能晚于今天。"))
    registered_on = move_date(matter, registered_on)
    _refuse_if_blocked(matter, registered_on)
    number = (number or "").strip() or matter.registration_no or _registration_number(matter)
    if Matter.objects.filter(year=matter.year, registration_no=number).exclude(pk=matter.pk):
        raise WorkflowError(_("本年度已有立案编号“%(no)s”。") % {"no": number})
    try:
        with transaction.atomic():
            return _move_step(
                matter,
                Step.REGISTERED,
                by=by,
                note=note,
                on=registered_on,
                updates={
                    "registered_on": registered_on,
                    "registration_no": number,
                    "registered_by": by if getattr(by, "is_authenticated", False) else None,
                },
            )
    except IntegrityError as exc:
        # Two matters given the same automatic number at the same moment.
        raise WorkflowError(_("立案编号“%(no)s”已被占用，请重试。") % {"no": number}) from exc


def tell_units_assigned(matter: Matter, unit_ids=None) -> None:
    """Tells the logins of the matter's units (or of the newly added ones) that it is theirs."""
    for user in selectors.unit_logins(matter, unit_ids):
        notify(
            user,
            _("新交办议题：%(title)s"),
            _("%(town)s“一镇一事”议题已交办贵单位办理，办理期限 %(deadline)s。"),
            matter.get_absolute_url(),
            # A missing deadline reads 未定, never None (cppcc.notifications.fill).
            values={"title": matter.title, "town": matter.town, "deadline": matter.deadline},
        )


@transaction.atomic
def matter_assign(matter: Matter, *, by, note: str = "", on: datetime.date | None = None) -> Matter:
    """政协立案 → 政府交办, once the units and the deadline are recorded
    (consultations.services.set_assignment); the units' logins are told. The day of the move is
    the assignment date: `on` when given (it replaces a date the assignment form recorded),
    else the recorded assignment date, else today."""
    _require_manager(matter, by)
    if matter.step != Step.REGISTERED or matter.is_completed:
        raise _stale(matter)
    stored = Matter.objects.filter(pk=matter.pk).values("assigned_on", "deadline").get()
    on = move_date(matter, on or stored["assigned_on"])
    if stored["deadline"] is not None and stored["deadline"] < on:
        raise WorkflowError(_("办理期限不能早于交办日期。"))
    _refuse_if_blocked(matter, on)
    matter = _move_step(matter, Step.ASSIGNED, by=by, note=note, on=on, updates={"assigned_on": on})
    # The caller's copy may predate its own set_assignment (the notice would read "None").
    matter.refresh_from_db(fields=["deadline", "task"])
    tell_units_assigned(matter)
    return matter


def matter_advance(
    matter: Matter,
    *,
    by,
    note: str = "",
    on: datetime.date | None = None,
    registration_no: str = "",
) -> Matter:
    """The next move from wherever the matter is, with that move's guard, on the day `on`
    (default today): what the API's advance and the matter page's button call.
    `registration_no` is the number a registration takes (ignored by the other moves)."""
    if matter.is_completed:
        raise _stale(matter)
    if matter.step == Step.PROPOSED:
        return matter_register(matter, by=by, note=note, on=on, number=registration_no)
    if matter.step == Step.REGISTERED:
        return matter_assign(matter, by=by, note=note, on=on)
    if matter.step == Step.CLOSING:
        return matter_complete(matter, by=by, note=note, on=on)
    _require_manager(matter, by)
    on = move_date(matter, on)
    _refuse_if_blocked(matter, on)
    return _move_step(matter, next_step(matter.step), by=by, note=note, on=on)


def matter_complete(
    matter: Matter, *, by, note: str = "", on: datetime.date | None = None
) -> Matter:
    """总结协商 → 已办结: needs the closing meeting held by `on` and the outcome recorded."""
    _require_manager(matter, by)
    if matter.step != Step.CLOSING or matter.is_completed:
        raise _stale(matter)
    on = move_date(matter, on)
    _refuse_if_blocked(matter, on)

    def guard(locked: Matter) -> None:
        if locked.step != Step.CLOSING:
            raise ConflictError(_conflict(locked))
        _guard(MatterStatus.ACTIVE, on)(locked)

    with transaction.atomic():
        matter = transition(
            matter,
            field="status",
            allowed_from=[MatterStatus.ACTIVE],
            to=MatterStatus.COMPLETED,
            by=by,
            note=dated_note(note, on),
            updates={"completed_at": moment(on), "stall_notified_at": None},
            conflict_message=_conflict,
            guard=guard,
        )
        _record_step_date(matter, COMPLETED_STATE, on)
    return matter


def matter_send_back(matter: Matter, *, reason: str, by, on: datetime.date | None = None) -> Matter:
    """One step back, with the reason recorded, on the day `on` (default today). A completed
    matter reopens in 总结协商."""
    _require_manager(matter, by)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("请填写退回原因。"))
    on = move_date(matter, on)
    if matter.is_completed:

        def still_completed(locked: Matter) -> None:
            if locked.step != Step.CLOSING:
                raise ConflictError(_conflict(locked))

        with transaction.atomic():
            matter = transition(
                matter,
                field="status",
                allowed_from=[MatterStatus.COMPLETED],
                to=MatterStatus.ACTIVE,
                by=by,
                note=dated_note(reason, on),
                updates={"completed_at": None, "step_entered_at": moment(on)},
                conflict_message=_conflict,
                guard=still_completed,
            )
            MatterStepDate.objects.filter(matter_id=matter.pk, step=COMPLETED_STATE).delete()
        return matter
    back = previous_step(matter.step)
    if back is None:
        raise WorkflowError(_("议题处于第一个环节“委员提案”，不能再退回。"))

    def still_active(locked: Matter) -> None:
        if locked.status != MatterStatus.ACTIVE:
            raise ConflictError(_conflict(locked))

    with transaction.atomic():
        matter = transition(
            matter,
            field="step",
            allowed_from=[matter.step],
            to=back,
            by=by,
            note=dated_note(reason, on),
            updates={"step_entered_at": moment(on), "stall_notified_at": None},
            conflict_message=_conflict,
            guard=still_active,
        )
        # The steps after the one it returns to are entered anew when it moves on again; the
        # one it returns to keeps the day it was first reached, which its meetings date from.
        MatterStepDate.objects.filter(
            matter_id=matter.pk, step__in=STEPS[step_index(back) + 1 :]
        ).delete()
        MatterStepDate.objects.get_or_create(
            matter_id=matter.pk, step=back, defaults={"entered_on": on}
        )
    return matter
