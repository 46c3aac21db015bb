"""The flow of a public-opinion report (社情民意信息), and the only functions that move it.

    (new)      → 已提交   report_submit: a member from the portal, or the office on a member's or
                          an information officer's behalf; title, situation, suggestion, at least
                          one author, a date not in the future (recorded after the fact allowed)
    已提交     → 已编辑   report_edit: the office edits it; the original text is never touched,
                          the edited title and text are kept beside it (re-editing stays 已编辑)
    已编辑     → 已报送   report_forward: to whom and when (not before it was submitted)
    已报送     → 已采用   report_adopt: a level (区 / 市 / 省 / 全国) with its date and source;
    已采用     → 已采用     further levels are added later, one adoption per level
    已报送     → 未采用   report_reject: with the reason
    已报送/已采用         instruction_add: a leader's 批示 (level, leader, text, date); the
                          status stays, the Transition row records it

Every move goes through cppcc.workflow.transition: the row is locked, the state the caller saw
is compared with what is stored, and of two clicks on the same report only the first wins; the
other gets a ConflictError naming the state the report is in now. Each move is a Transition row
(who, when, from, to, note): the report's timeline.
"""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cppcc.roles import Role, can_edit_county, has_role
from cppcc.workflow import ConflictError, WorkflowError, transition
from members.models import Member

from .models import (
    AdoptionLevel,
    LeaderInstruction,
    OpinionAdoption,
    OpinionReport,
    OpinionStatus,
)

# The moves and the states each may start from: the views and the API offer a move only where
# it is listed here, and the tests walk this table.
MOVES: dict[str, frozenset[str]] = {
    "edit": frozenset({OpinionStatus.SUBMITTED, OpinionStatus.EDITED}),
    "forward": frozenset({OpinionStatus.EDITED}),
    "adopt": frozenset({OpinionStatus.FORWARDED, OpinionStatus.ADOPTED}),
    "reject": frozenset({OpinionStatus.FORWARDED}),
    "instruct": frozenset({OpinionStatus.FORWARDED, OpinionStatus.ADOPTED}),
}


def can_manage(user) -> bool:
    """Office staff and admins edit, forward and record adoptions; leaders only read."""
    return can_edit_county(user)


def may_submit(user) -> bool:
    """Members submit their own reports; the office records anyone's (report_submit)."""
    return can_manage(user) or (has_role(user, Role.MEMBER) and user.member_id is not None)


def moves_open(report: OpinionReport, user) -> list[str]:
    if not can_manage(user):
        return []
    return [name for name, states in MOVES.items() if report.status in states]


def _require_manager(by) -> None:
    if not can_manage(by):
        raise PermissionDenied


def _conflict(locked: OpinionReport) -> str:
    return _("该信息已被他人处理，当前为“%(state)s”，请刷新后查看。") % {
        "state": locked.get_status_display()
    }


def _not_now(report: OpinionReport, move: str) -> WorkflowError:
    """The caller's copy is in a state the move does not start from: a conflict if the stored
    row moved on meanwhile, else a plain refusal naming the state."""
    stored = OpinionReport.objects.get(pk=report.pk)
    if stored.status != report.status:
        return ConflictError(_conflict(stored))
    return WorkflowError(
        _("当前为“%(state)s”，不能%(move)s。")
        % {"state": stored.get_status_display(), "move": MOVE_LABELS[move]},
        code="guard",
    )


MOVE_LABELS = {
    "edit": gettext_lazy("编辑"),
    "forward": gettext_lazy("报送"),
    "adopt": gettext_lazy("登记采用"),
    "reject": gettext_lazy("登记未采用"),
    "instruct": gettext_lazy("登记批示"),
}


def _check_date(value: datetime.date, what: str) -> None:
    if value > timezone.localdate():
        raise WorkflowError(_("%(what)s不能晚于今天。") % {"what": what})


def _move(report: OpinionReport, move: str, *, to: str, by, note: str, updates=None, guard=None):
    if report.status not in MOVES[move]:
        raise _not_now(report, move)
    return transition(
        report,
        field="status",
        # The state the person saw: a press on a page someone has moved on since is a conflict.
        allowed_from=[report.status],
        to=to,
        by=by,
        note=note,
        updates=updates,
        conflict_message=_conflict,
        guard=guard,
    )


def report_submit(
    *,
    by,
    title: str,
    situation: str,
    suggestion: str,
    members: Iterable[Member] = (),
    officer_names: str = "",
    studio=None,
    sector_group: str = "",
    submitted_on: datetime.date | None = None,
    source_proposal=None,
    note: str = "",
) -> OpinionReport:
    """(new) → 已提交. A member submitting from the portal is always among the authors and may
    not submit in others' names only; the office may record any member or officer as author."""
    members = list(members)
    if has_role(by, Role.MEMBER) and not can_manage(by):
        if by.member_id is None:
            raise PermissionDenied
        if by.member_id not in {m.pk for m in members}:
            members.insert(0, by.member)
    elif not can_manage(by):
        raise PermissionDenied
    title, situation, suggestion = title.strip(), situation.strip(), suggestion.strip()
    officer_names = officer_names.strip()
    missing = [
        label
        for label, value in ((_("标题"), title), (_("情况"), situation), (_("建议"), suggestion))
        if not value
    ]
    if missing:
        raise WorkflowError(_("请填写%(fields)s。") % {"fields": "、".join(missing)})
    if not members and not officer_names:
        raise WorkflowError(_("请至少填写一位作者（委员或信息员）。"))
    submitted_on = submitted_on or timezone.localdate()
    _check_date(submitted_on, _("提交日期"))
    with transaction.atomic():
        # Born without a state so that its first state, too, is set by transition() and
        # recorded as a Transition row; nobody sees it stateless (one transaction).
        report = OpinionReport.objects.create(
            title=title,
            situation=situation,
            suggestion=suggestion,
            officer_names=officer_names,
            studio=studio,
            sector_group=sector_group.strip(),
            submitted_on=submitted_on,
            source_proposal=source_proposal,
            status="",
            created_by=by if getattr(by, "is_authenticated", False) else None,
        )
        report.members.set(members)
        transition(
            report, field="status", allowed_from=[""], to=OpinionStatus.SUBMITTED, by=by, note=note
        )
    return report


def report_edit(
    report: OpinionReport, *, by, edited_title: str, edited_text: str, note: str = ""
) -> OpinionReport:
    """已提交 / 已编辑 → 已编辑: the office's edited version, beside the untouched original."""
    _require_manager(by)
    edited_title, edited_text = edited_title.strip(), edited_text.strip()
    if not edited_title or not edited_text:
        raise WorkflowError(_("请填写编辑后的标题和正文。"))
    return _move(
        report,
        "edit",
        to=OpinionStatus.EDITED,
        by=by,
        note=note,
        updates={"edited_title": edited_title, "edited_text": edited_text},
    )


def report_forward(
    report: OpinionReport,
    *,
    by,
    forwarded_to: str,
    forwarded_on: datetime.date | None = None,
    note: str = "",
) -> OpinionReport:
    """已编辑 → 已报送: to whom (e.g. 市政协办公厅) and when."""
    _require_manager(by)
    forwarded_to = forwarded_to.strip()
    if not forwarded_to:
        raise WorkflowError(_("请填写报送单位。"))
    forwarded_on = forwarded_on or timezone.localdate()
    _check_date(forwarded_on, _("报送日期"))
    if forwarded_on < report.submitted_on:
        raise WorkflowError(_("报送日期不能早于提交日期。"))
    return _move(
        report,
        "forward",
        to=OpinionStatus.FORWARDED,
        by=by,
        note=note or _("报送%(to)s") % {"to": forwarded_to},
        updates={"forwarded_to": forwarded_to, "forwarded_on": forwarded_on},
    )


def report_adopt(
    report: OpinionReport,
    *,
    by,
    level: str,
    source: str,
    adopted_on: datetime.date | None = None,
    note: str = "",
) -> OpinionAdoption:
    """已报送 → 已采用 with the first level; 已采用 → 已采用 for each further level."""
    _require_manager(by)
    if level not in AdoptionLevel.values:
        raise WorkflowError(_("请选择采用层级。"))
    source = source.strip()
    if not source:
        raise WorkflowError(_("请填写采用载体（如：市政协《社情民意》第12期）。"))
    adopted_on = adopted_on or timezone.localdate()
    _check_date(adopted_on, _("采用日期"))
    if report.forwarded_on and adopted_on < report.forwarded_on:
        raise WorkflowError(_("采用日期不能早于报送日期。"))
    label = AdoptionLevel(level).label

    def guard(locked: OpinionReport) -> None:
        # Read on the locked row: two clerks recording the same level cannot both succeed.
        if OpinionAdoption.objects.filter(report=locked, level=level).exists():
            raise WorkflowError(
                _("该信息已登记“%(level)s”级采用。") % {"level": label}, code="guard"
            )

    try:
        with transaction.atomic():
            _move(
                report,
                "adopt",
                to=OpinionStatus.ADOPTED,
                by=by,
                note=note or _("%(level)s采用：%(source)s") % {"level": label, "source": source},
                guard=guard,
            )
            return OpinionAdoption.objects.create(
                report=report,
                level=level,
                adopted_on=adopted_on,
                source=source,
                recorded_by=by if getattr(by, "is_authenticated", False) else None,
            )
    except IntegrityError as exc:
        raise WorkflowError(
            _("该信息已登记“%(level)s”级采用。") % {"level": label}, code="guard"
        ) from exc


def report_reject(report: OpinionReport, *, by, reason: str) -> OpinionReport:
    """已报送 → 未采用, with the reason."""
    _require_manager(by)
    reason = reason.strip()
    if not reason:
        raise WorkflowError(_("请填写未采用原因。"))
    return _move(
        report,
        "reject",
        to=OpinionStatus.NOT_ADOPTED,
        by=by,
        note=reason,
        updates={"not_adopted_reason": reason[:200]},
    )


def instruction_add(
    report: OpinionReport,
    *,
    by,
    level: str,
    leader: str,
    text: str,
    instructed_on: datetime.date | None = None,
) -> LeaderInstruction:
    """A leader's 批示 on a forwarded or adopted report; the status stays where it is."""
    _require_manager(by)
    if level not in AdoptionLevel.values:
        raise WorkflowError(_("请选择批示层级。"))
    leader, text = leader.strip(), text.strip()
    if not leader or not text:
        raise WorkflowError(_("请填写批示领导和批示内容。"))
    instructed_on = instructed_on or timezone.localdate()
    _check_date(instructed_on, _("批示日期"))
    with transaction.atomic():
        _move(
            report,
            "instruct",
            to=report.status,
            by=by,
            note=_("%(leader)s批示：%(text)s") % {"leader": leader, "text": text},
        )
        return LeaderInstruction.objects.create(
            report=report,
            level=level,
            leader=leader,
            text=text,
            instructed_on=instructed_on,
            recorded_by=by if getattr(by, "is_authenticated", False) else None,
        )


def as_seen(report: OpinionReport, state: str | None) -> OpinionReport:
    """The report as the person saw it when they pressed the button (the form posts the state
    it showed); the move then refuses as a conflict if the stored state differs."""
    if state and state in OpinionStatus.values:
        report.status = state
    return report
