"""Status moves of the member register, each through cppcc.workflow.transition (row lock,
allowed-from check, Transition row with who/when/from/to/note).

Moves:  member        在任 -> 退出 (leave)   退出 -> 在任 (return)
        change request 待审核 -> 已通过 (approve, applies the change)   待审核 -> 已退回 (reject)
        leave request  (filed before the session starts) 待审批
                       待审批 -> 已批准 (approve: the member's attendance becomes 请假 with the reason)
                       待审批 -> 未批准 (refuse, with a note)
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cppcc.notifications import notify
from cppcc.workflow import ConflictError, WorkflowError, transition

from . import services
from .models import (
    AttendanceStatus,
    ChangeRequestStatus,
    CommitteeSession,
    LeaveRequest,
    LeaveStatus,
    Member,
    MemberChangeRequest,
    MemberStatus,
)
from .signals import member_changed


def member_leave(member: Member, *, on: datetime.date, reason: str, by) -> Member:
    """A member leaves the committee: kept with their history, never deleted."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("请填写退出原因。"))
    if on is None:
        raise WorkflowError(_("请填写退出日期。"))
    with transaction.atomic():
        transition(
            member,
            field="status",
            allowed_from=[MemberStatus.ACTIVE],
            to=MemberStatus.LEFT,
            by=by,
            note=reason,
            updates={"left_on": on, "left_reason": reason[:200]},
            conflict_message=_("%(name)s 已不是在任状态，无法办理退出。") % {"name": member.name},
        )
        # In the same transaction: studios flags a Party group this member led (members.signals).
        member_changed.send(sender=Member, member=member, changed=frozenset({"status"}), by=by)
    return member


def member_return(member: Member, *, by, note: str = "") -> Member:
    """A member who left returns (e.g. a mistaken exit); their ID number must still be free."""
    with transaction.atomic():
        if member.id_number and (
            Member.objects.active()
            .filter(id_number=member.id_number)
            .exclude(pk=member.pk)
            .exists()
        ):
            raise WorkflowError(_("在任委员中已有相同身份证号，无法恢复在任。"))
        return transition(
            member,
            field="status",
            allowed_from=[MemberStatus.LEFT],
            to=MemberStatus.ACTIVE,
            by=by,
            note=note,
            updates={"left_on": None, "left_reason": ""},
            conflict_message=_("%(name)s 已是在任状态。") % {"name": member.name},
        )


def _tell_member(request_obj: MemberChangeRequest, title: str, body: str) -> None:
    user = getattr(request_obj.member, "user", None)
    if user is not None:
        notify(user, title, body, reverse("portal"))


def _close_review(
    request_obj: MemberChangeRequest, *, to: str, by, note: str
) -> MemberChangeRequest:
    return transition(
        request_obj,
        field="status",
        allowed_from=[ChangeRequestStatus.PENDING],
        to=to,
        by=by,
        note=note,
        updates={"reviewed_by": by, "reviewed_at": timezone.now(), "review_note": note[:200]},
        conflict_message=_("该申请已被审核，请刷新后查看。"),
    )


def change_request_approve(
    request_obj: MemberChangeRequest, *, by, note: str = ""
) -> MemberChangeRequest:
    """Approves a member's correction and applies it to their record in the same transaction;
    of two reviewers clicking at once only the first wins (the second gets ConflictError)."""
    with transaction.atomic():
        _close_review(request_obj, to=ChangeRequestStatus.APPROVED, by=by, note=note)
        try:
            services.apply_change_request(request_obj, by=by)
        except ValidationError as exc:
            # A value that no longer validates (e.g. the mobile rules changed): refuse, roll back.
            raise WorkflowError(
                _("申请内容未通过校验：%(msg)s") % {"msg": "；".join(exc.messages)}
            ) from exc
        _tell_member(request_obj, _("您的信息修改申请已通过"), note or _("修改已生效。"))
    return request_obj


def change_request_reject(
    request_obj: MemberChangeRequest, *, by, note: str = ""
) -> MemberChangeRequest:
    note = (note or "").strip()
    if not note:
        raise WorkflowError(_("退回时请填写审核意见。"))
    with transaction.atomic():
        _close_review(request_obj, to=ChangeRequestStatus.REJECTED, by=by, note=note)
        _tell_member(request_obj, _("您的信息修改申请已退回"), note)
    return request_obj


# --- leave requests (请假) -----------------------------------------------------------------------


def leave_request_file(
    session: CommitteeSession, member: Member, *, reason: str, by
) -> LeaveRequest:
    """A member asks for leave from a session that has not started yet. One request that still
    counts (waiting or approved) per member and session; after a refusal they may ask again."""
    from .selectors import expected_members

    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("请填写请假事由。"))
    if len(reason) > 200:
        raise WorkflowError(_("请假事由不能超过200字。"))
    if session.has_started:
        raise WorkflowError(
            _("%(name)s已于%(day)s开始，不能再请假。")
            % {"name": session.name, "day": session.starts_on.strftime("%Y-%m-%d")}
        )
    if not expected_members(session).filter(pk=member.pk).exists():
        raise WorkflowError(_("您不在%(name)s的应出席名单中，无需请假。") % {"name": session.name})
    if LeaveRequest.objects.filter(
        session=session, member=member, status__in=[LeaveStatus.PENDING, LeaveStatus.APPROVED]
    ).exists():
        raise ConflictError(_("您已提交过该会议的请假申请。"))
    leave = LeaveRequest(
        session=session,
        member=member,
        reason=reason,
        filed_by=by if getattr(by, "is_authenticated", False) else None,
    )
    leave._history_user = leave.filed_by
    try:
        # The partial unique constraint settles two submissions racing past the check above.
        with transaction.atomic():
            leave.save()
    except IntegrityError as exc:
        raise ConflictError(_("您已提交过该会议的请假申请。")) from exc
    return leave


def _decided(locked: LeaveRequest) -> str:
    return _("该请假申请已%(status)s，请刷新后查看。") % {"status": locked.get_status_display()}


def _tell_leave(leave: LeaveRequest, title: str, body: str) -> None:
    user = getattr(leave.member, "user", None)
    if user is not None:
        notify(user, title, body, reverse("portal"))


def leave_request_approve(leave: LeaveRequest, *, by, note: str = "") -> LeaveRequest:
    """Grants the leave. Where the session's attendance is already recorded and the member was
    marked absent (or not at all), the row becomes 请假 with the request's reason; a member the
    office marked present stays present."""
    from .models import SessionAttendance

    note = (note or "").strip()
    with transaction.atomic():
        transition(
            leave,
            field="status",
            allowed_from=[LeaveStatus.PENDING],
            to=LeaveStatus.APPROVED,
            by=by,
            note=note,
            updates={"decided_by": by, "decided_at": timezone.now(), "decision_note": note[:200]},
            conflict_message=_decided,
        )
        rows = SessionAttendance.objects.filter(
            session_id=leave.session_id, member_id=leave.member_id, status=AttendanceStatus.ABSENT
        )
        for row in rows:
            row.status, row.leave_reason = AttendanceStatus.LEAVE, leave.reason
            row._history_user = by if getattr(by, "is_authenticated", False) else None
            row.save(update_fields=["status", "leave_reason"])
        _tell_leave(
            leave,
            _("您的请假申请已批准"),
            _("%(name)s：%(note)s") % {"name": leave.session.name, "note": note or _("已批准。")},
        )
    return leave


def leave_request_refuse(leave: LeaveRequest, *, by, note: str = "") -> LeaveRequest:
    note = (note or "").strip()
    if not note:
        raise WorkflowError(_("不批准时请填写审批意见。"))
    with transaction.atomic():
        transition(
            leave,
            field="status",
            allowed_from=[LeaveStatus.PENDING],
            to=LeaveStatus.REFUSED,
            by=by,
            note=note,
            updates={"decided_by": by, "decided_at": timezone.now(), "decision_note": note[:200]},
            conflict_message=_decided,
        )
        _tell_leave(
            leave,
            _("您的请假申请未批准"),
            _("%(name)s：%(note)s") % {"name": leave.session.name, "note": note},
        )
    return leave
