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
            reasons.append(
                _("须先召开并录入至少一次“%(kind)s”会议（日期不晚于今天）。")
                % {"kind": MeetingKind(kind).label}
            )
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


def _guard(expected_status: str):
    """Re-checks, on the locked row, the status and the guard of the step it leaves."""

    def check(locked: Matter) -> None:
        if locked.status != expected_status:
            raise ConflictError(_conflict(locked))
        if expected_status == MatterStatus.ACTIVE:
            reasons = blockers(locked)
            if reasons:
                raise WorkflowError(" ".join(reasons), code="guard")

    return check


def _move_step(matter: Matter, to: str, *, by, note: str, updates: dict | None = None) -> Matter:
    return transition(
        matter,
        field="step",
        allowed_from=[matter.step],
        to=to,
        by=by,
        note=note,
        updates={"step_entered_at": timezone.now(), "stall_notified_at": None, **(updates or {})},
        conflict_message=_conflict,
        guard=_guard(MatterStatus.ACTIVE),
    )


def _refuse_if_blocked(matter: Matter) -> None:
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
    reasons = blockers(stored)
    if reasons:
        raise WorkflowError(" ".join(reasons), code="guard")


def _registration_number(matter: Matter) -> str:
    """The next free number of the year: 2026-001, 2026-002 …"""
    taken = set(
        Matter.objects.filter(year=matter.year)
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
) -> Matter:
    """委员提案 → 政协立案: the clerk registers the matter, with a date and a number (the next
    free number of the year when none is given)."""
    _require_manager(matter, by)
    if matter.step != Step.PROPOSED or matter.is_completed:
        raise _stale(matter)
    _refuse_if_blocked(matter)
    registered_on = registered_on or timezone.localdate()
    if registered_on > timezone.localdate():
        raise WorkflowError(_("立案日期不能晚于今天。"))
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
def matter_assign(matter: Matter, *, by, note: str = "") -> Matter:
    """政协立案 → 政府交办, once the units and the deadline are recorded
    (consultations.services.set_assignment); the units' logins are told."""
    _require_manager(matter, by)
    if matter.step != Step.REGISTERED or matter.is_completed:
        raise _stale(matter)
    _refuse_if_blocked(matter)
    updates = {}
    if not Matter.objects.filter(pk=matter.pk, assigned_on__isnull=False).exists():
        updates["assigned_on"] = timezone.localdate()
    matter = _move_step(matter, Step.ASSIGNED, by=by, note=note, updates=updates)
    # The caller's copy may predate its own set_assignment (the notice would read "None").
    matter.refresh_from_db(fields=["deadline", "task"])
    tell_units_assigned(matter)
    return matter


def matter_advance(matter: Matter, *, by, note: str = "") -> Matter:
    """The next move from wherever the matter is, with that move's guard: what the API's
    advance and the matter page's button call."""
    if matter.is_completed:
        raise _stale(matter)
    if matter.step == Step.PROPOSED:
        return matter_register(matter, by=by, note=note)
    if matter.step == Step.REGISTERED:
        return matter_assign(matter, by=by, note=note)
    if matter.step == Step.CLOSING:
        return matter_complete(matter, by=by, note=note)
    _require_manager(matter, by)
    _refuse_if_blocked(matter)
    return _move_step(matter, next_step(matter.step), by=by, note=note)


def matter_complete(matter: Matter, *, by, note: str = "") -> Matter:
    """总结协商 → 已办结: needs the closing meeting held and the outcome recorded."""
    _require_manager(matter, by)
    if matter.step != Step.CLOSING or matter.is_completed:
        raise _stale(matter)
    _refuse_if_blocked(matter)

    def guard(locked: Matter) -> None:
        if locked.step != Step.CLOSING:
            raise ConflictError(_conflict(locked))
        _guard(MatterStatus.ACTIVE)(locked)

    return transition(
        matter,
        field="status",
        allowed_from=[MatterStatus.ACTIVE],
        to=MatterStatus.COMPLETED,
        by=by,
        note=note,
        updates={"completed_at": timezone.now(), "stall_notified_at": None},
        conflict_message=_conflict,
        guard=guard,
    )


def matter_send_back(matter: Matter, *, reason: str, by) -> Matter:
    """One step back, with the reason recorded. A completed matter reopens in 总结协商."""
    _require_manager(matter, by)
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("请填写退回原因。"))
    if matter.is_completed:

        def still_completed(locked: Matter) -> None:
            if locked.step != Step.CLOSING:
                raise ConflictError(_conflict(locked))

        return transition(
            matter,
            field="status",
            allowed_from=[MatterStatus.COMPLETED],
            to=MatterStatus.ACTIVE,
            by=by,
            note=reason,
            updates={"completed_at": None, "step_entered_at": timezone.now()},
            conflict_message=_conflict,
            guard=still_completed,
        )
    back = previous_step(matter.step)
    if back is None:
        raise WorkflowError(_("议题处于第一个环节“委员提案”，不能再退回。"))

    def still_active(locked: Matter) -> None:
        if locked.status != MatterStatus.ACTIVE:
            raise ConflictError(_conflict(locked))

    return transition(
        matter,
        field="step",
        allowed_from=[matter.step],
        to=back,
        by=by,
        note=reason,
        updates={"step_entered_at": timezone.now(), "stall_notified_at": None},
        conflict_message=_conflict,
        guard=still_active,
    )
