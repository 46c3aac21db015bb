"""The flow of a proposal (提案), and the only functions that move it.

A proposal's status (the proposal's own moves):

    草稿 → 已提交        proposal_submit: the lead proposer (or the office; for a collective one
                         its creator); title, reasons, suggestions and category filled in; within
                         the session's proposal window when a session is set. A joint proposal's
                         co-signers are invited and confirm (cosigner_confirm) within
                         CPPCC_COSIGN_DAYS days.
    已提交 → 已立案      proposal_register: the office; the next serial of its term and session
                         (第N号, gap-free: the session's row, or the term's between sessions, is
                         locked while it is counted). Review waits for the co-signing deadline;
                         co-signers who have not confirmed by then drop off.
    已提交 → 不予立案    proposal_reject: one of the standard reasons, perhaps turned into opinion
                         information or a letter (converted_to).
    已提交 → 已并案      proposal_merge: into a registered proposal of the same term; it follows
                         that one from then on.
    已立案 → 已交办      proposal_assign: one lead unit, assisting units, a due date (default
    已交办 → 已交办        CPPCC_PROPOSAL_REPLY_MONTHS after assignment); again to reassign.
    已交办 → 已答复      (by reply_release) when every unit's reply is released
    已答复 → 已交办      (by proposal_rate) a reply rated 不满意 sends its unit back to work
    已交办 → 已立案      (by give_back_grant) the last unit gave it back: to be assigned afresh
    已答复 → 已办结      proposal_close: the office, when every unit's reply is rated, none 不满意

Each unit's part (ProposalUnit.status):

    办理中 → 申请退回    give_back_request: the unit, with a reason
    申请退回 → 已退回    give_back_grant: the office (the office then reassigns)
    申请退回 → 办理中    give_back_refuse: the office, with a reason
    办理中 / 重办中 → 答复待审   reply_submit: answer type, text, optional file
    答复待审 → 答复已发布       reply_release: the office; the proposer is told
    答复待审 → 办理中 / 重办中  reply_return: the office, with a reason; a new reply is needed
    答复已发布 → 已评价         proposal_rate: 满意 / 基本满意, with how the unit communicated
    答复已发布 → 重办中         proposal_rate: 不满意 (重办: a new due date, the old reply kept)

Every move goes through cppcc.workflow.transition: the row is locked, the move is checked
against the state stored, guards are re-checked on the locked row, and of two clicks only the
first wins; the other gets a ConflictError naming the state the record is in now. Each move is
a Transition row (who, when, from, to, note): the proposal's timeline. A unit move locks the
proposal first, then the assignment (the same order everywhere), so two units' replies released
at once still see each other when deciding whether the proposal is 已答复.
"""

import calendar
import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cppcc.notifications import notify
from cppcc.roles import Role, can_edit_county, has_role
from cppcc.workflow import ConflictError, WorkflowError, transition
from members.models import CommitteeSession, Term

from .models import (
    REGISTERED_OR_LATER,
    AnswerType,
    AssignmentStatus,
    Communication,
    ConvertedTo,
    CosignStatus,
    HandlingUnit,
    NotRegisteredReason,
    Proposal,
    ProposalCosigner,
    ProposalKind,
    ProposalRating,
    ProposalReply,
    ProposalStatus,
    ProposalUnit,
    Rating,
)

S = ProposalStatus
A = AssignmentStatus

# The states each move starts from: the table the tests walk, and what transition() checks.
PROPOSAL_MOVES: dict[str, tuple[str, ...]] = {
    "proposal_submit": (S.DRAFT,),
    "proposal_register": (S.SUBMITTED,),
    "proposal_reject": (S.SUBMITTED,),
    "proposal_merge": (S.SUBMITTED,),
    "proposal_assign": (S.REGISTERED, S.ASSIGNED),
    "proposal_close": (S.REPLIED,),
}
ASSIGNMENT_MOVES: dict[str, tuple[str, ...]] = {
    "give_back_request": (A.ASSIGNED,),
    "give_back_grant": (A.GIVE_BACK_REQUESTED,),
    "give_back_refuse": (A.GIVE_BACK_REQUESTED,),
    "reply_submit": (A.ASSIGNED, A.REHANDLING),
    "reply_release": (A.REPLIED,),
    "reply_return": (A.REPLIED,),
    "proposal_rate": (A.RELEASED,),
}
ACTIONS = {
    "proposal_submit": gettext_lazy("提交"),
    "proposal_register": gettext_lazy("立案"),
    "proposal_reject": gettext_lazy("作不予立案处理"),
    "proposal_merge": gettext_lazy("并案"),
    "proposal_assign": gettext_lazy("交办"),
    "proposal_close": gettext_lazy("办结"),
    "give_back_request": gettext_lazy("申请退回"),
    "give_back_grant": gettext_lazy("同意退回"),
    "give_back_refuse": gettext_lazy("不同意退回"),
    "reply_submit": gettext_lazy("提交答复"),
    "reply_release": gettext_lazy("发布答复"),
    "reply_return": gettext_lazy("退回答复"),
    "proposal_rate": gettext_lazy("评价答复"),
}


# --- settings and dates ------------------------------------------------------------------------


def cosign_days() -> int:
    return int(getattr(settings, "CPPCC_COSIGN_DAYS", 3))


def reply_months() -> int:
    return int(getattr(settings, "CPPCC_PROPOSAL_REPLY_MONTHS", 3))


def rehandle_days() -> int:
    return int(getattr(settings, "CPPCC_PROPOSAL_REHANDLE_DAYS", 30))


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later, or the month's last day (30 Nov + 3 months = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def default_due_on(today: datetime.date | None = None) -> datetime.date:
    return add_months(today or timezone.localdate(), reply_months())


# --- who may, who hears ------------------------------------------------------------------------


def _user(by):
    return by if getattr(by, "is_authenticated", False) else None


def is_office(by) -> bool:
    return can_edit_county(by)


def is_proposer(proposal: Proposal, by) -> bool:
    """The lead proposer's own login; for a collective proposal, the login that entered it."""
    if not getattr(by, "is_authenticated", False):
        return False
    if proposal.kind == ProposalKind.COLLECTIVE:
        return proposal.created_by_id is not None and proposal.created_by_id == by.pk
    return bool(by.member_id) and by.member_id == proposal.lead_proposer_id


def is_unit_of(assignment: ProposalUnit, by) -> bool:
    return (
        has_role(by, Role.UNIT)
        and getattr(by, "handling_unit_id", None) is not None
        and by.handling_unit_id == assignment.unit_id
    )


def is_unit_on(proposal: Proposal, by) -> bool:
    """A unit's login whose unit holds an assignment of the proposal."""
    unit_id = getattr(by, "handling_unit_id", None)
    return (
        has_role(by, Role.UNIT)
        and unit_id is not None
        and ProposalUnit.objects.filter(proposal=proposal, unit_id=unit_id).exists()
    )


def _office(proposal: Proposal, by) -> bool:
    return is_office(by)


def _proposer_or_office(proposal: Proposal, by) -> bool:
    return is_proposer(proposal, by) or is_office(by)


def _unit_or_office(proposal: Proposal, by) -> bool:
    return is_unit_on(proposal, by) or is_office(by)


def _cosigner(proposal: Proposal, by) -> bool:
    member_id = getattr(by, "member_id", None)
    return bool(member_id) and proposal.cosigners.filter(member_id=member_id).exists()


# Who may ask for each move at all, before anything they sent is read: the API answers anyone
# else 403 without validating their input, so a refused role learns no field rules. Each move
# function still checks its own, finer rule (the unit of *this* assignment, and so on).
MAY_ASK = {
    "submit": _proposer_or_office,
    "cosign": _cosigner,
    "register": _office,
    "reject": _office,
    "merge": _office,
    "assign": _office,
    "give_back": _unit_or_office,
    "give_back_grant": _office,
    "give_back_refuse": _office,
    "reply": _unit_or_office,
    "release_reply": _office,
    "return_reply": _office,
    "rate": _proposer_or_office,
    "close": _office,
}


def may_ask(move: str, proposal: Proposal, by) -> bool:
    return MAY_ASK[move](proposal, by)


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def office_logins() -> QuerySet:
    from cppcc.models import User

    return User.objects.filter(groups__name=Role.OFFICE, is_active=True).distinct()


def unit_logins(unit_ids: Iterable[int]) -> QuerySet:
    from cppcc.models import User

    return User.objects.filter(handling_unit_id__in=list(unit_ids), is_active=True)


def proposer_logins(proposal: Proposal, *, with_merged: bool = False) -> QuerySet:
    """Who speaks for the proposal: the lead proposer's login (a collective one's creator),
    and with_merged, the proposers of the proposals merged into it (they follow it)."""
    from cppcc.models import User

    rule = Q(pk__in=[])
    if proposal.lead_proposer_id:
        rule |= Q(member_id=proposal.lead_proposer_id)
    if proposal.kind == ProposalKind.COLLECTIVE and proposal.created_by_id:
        rule |= Q(pk=proposal.created_by_id)
    if with_merged:
        merged = Proposal.objects.filter(merged_into=proposal)
        rule |= Q(member_id__in=merged.exclude(lead_proposer=None).values("lead_proposer_id"))
        rule |= Q(pk__in=merged.filter(kind=ProposalKind.COLLECTIVE).values("created_by_id"))
    return User.objects.filter(rule, is_active=True).distinct()


def _tell(users: Iterable, title: str, body: str, proposal: Proposal, values: dict) -> None:
    for user in users:
        notify(user, title, body, proposal.url_for(user), values=values)


def _values(proposal: Proposal, **more) -> dict:
    return {"title": proposal.title, "number": proposal.number, **more}


# --- refusals ----------------------------------------------------------------------------------


def _proposal_conflict(move: str):
    def message(locked: Proposal) -> str:
        return _("提案当前为“%(state)s”，不能%(action)s。") % {
            "state": locked.get_status_display(),
            "action": ACTIONS[move],
        }

    return message


def _assignment_conflict(move: str):
    def message(locked: ProposalUnit) -> str:
        return _("%(unit)s的办理状态为“%(state)s”，不能%(action)s。") % {
            "unit": locked.unit,
            "state": locked.get_status_display(),
            "action": ACTIONS[move],
        }

    return message


def _move(proposal: Proposal, move: str, to: str, *, by, note: str, updates=None, guard=None):
    return transition(
        proposal,
        field="status",
        allowed_from=PROPOSAL_MOVES[move],
        to=to,
        by=by,
        note=note,
        updates=updates,
        conflict_message=_proposal_conflict(move),
        guard=guard,
    )


def _move_unit(assignment: ProposalUnit, move: str, to: str, *, by, note: str, updates=None):
    return transition(
        assignment,
        field="status",
        allowed_from=ASSIGNMENT_MOVES[move],
        to=to,
        by=by,
        note=note,
        updates=updates,
        conflict_message=_assignment_conflict(move),
    )


def _lock_proposal(proposal_id: int) -> Proposal:
    return Proposal.objects.select_for_update().get(pk=proposal_id)


def _required(text: str, message: str) -> str:
    text = (text or "").strip()
    if not text:
        raise WorkflowError(message)
    return text


# --- submission and co-signing -----------------------------------------------------------------


def submit_problems(proposal: Proposal, today: datetime.date | None = None) -> list[str]:
    """Why the proposal may not be submitted yet, in Chinese; empty when it may. The form shows
    these; proposal_submit refuses with them (checked again on the locked row)."""
    today = today or timezone.localdate()
    problems: list[str] = []
    if not proposal.title.strip():
        problems.append(_("请填写案由。"))
    if not proposal.reasons.strip():
        problems.append(_("请填写理由。"))
    if not proposal.suggestions.strip():
        problems.append(_("请填写建议。"))
    if not proposal.category:
        problems.append(_("请选择提案类别。"))
    if proposal.kind == ProposalKind.COLLECTIVE:
        if not proposal.collective_source.strip():
            problems.append(_("集体提案须填写提案单位。"))
        if not proposal.contact_person.strip():
            problems.append(_("集体提案须填写联系人。"))
    elif proposal.lead_proposer_id is None:
        problems.append(_("请选择领衔提案人。"))
    cosigners = ProposalCosigner.objects.filter(proposal_id=proposal.pk)
    if proposal.kind == ProposalKind.JOINT and not cosigners.exists():
        problems.append(_("联名提案须至少邀请一位联名委员。"))
    if proposal.kind != ProposalKind.JOINT and cosigners.exists():
        problems.append(_("只有联名提案可以邀请联名委员。"))
    if proposal.session_id is not None:
        session = CommitteeSession.objects.get(pk=proposal.session_id)
        if session.term_id != proposal.term_id:
            problems.append(_("所选会议不属于该提案的届次。"))
        if session.proposals_open_on is None or session.proposals_close_on is None:
            problems.append(
                _("“%(session)s”未设置提案征集时间，不能向其提交提案。") % {"session": session}
            )
        elif today < session.proposals_open_on:
            problems.append(
                _("“%(session)s”的提案征集自 %(day)s 开始。")
                % {"session": session, "day": session.proposals_open_on.isoformat()}
            )
        elif today > session.proposals_close_on:
            problems.append(
                _("“%(session)s”的提案征集已于 %(day)s 截止。")
                % {"session": session, "day": session.proposals_close_on.isoformat()}
            )
    return problems


def _recorded_day(day: datetime.date | None, by, what: str) -> datetime.date | None:
    """A real date given for a move recorded after the fact (paper proposals, forms signed on
    paper): only the office may give one, and never a day to come."""
    if day is None:
        return None
    _require(is_office(by))
    if day > timezone.localdate():
        raise WorkflowError(_("%(what)s不能晚于今天。") % {"what": what}, code="guard")
    return day


def _at_day(day: datetime.date) -> datetime.datetime:
    """A recorded day as a moment (noon, local time): when the day is all that is known."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def proposal_submit(
    proposal: Proposal, *, by, note: str = "", submitted_on: datetime.date | None = None
) -> Proposal:
    """草稿 → 已提交. A joint proposal's co-signers are invited to confirm.

    `submitted_on` records a proposal handed in on paper on that day (office only): the
    session's proposal window and the co-signing deadline are reckoned from it."""
    _require(is_proposer(proposal, by) or is_office(by))
    now = timezone.now()
    today = _recorded_day(submitted_on, by, _("提交日期")) or timezone.localdate(now)

    def guard(locked: Proposal) -> None:
        problems = submit_problems(locked, today)
        if problems:
            raise WorkflowError(" ".join(problems), code="guard")

    stored = Proposal.objects.select_related("session").get(pk=proposal.pk)
    joint = stored.kind == ProposalKind.JOINT
    with transaction.atomic():
        proposal = _move(
            proposal,
            "proposal_submit",
            S.SUBMITTED,
            by=by,
            note=note,
            updates={
                "submitted_at": _at_day(today) if submitted_on else now,
                "submitted_on": today,
                "year": stored.session.starts_on.year if stored.session else today.year,
                "cosign_deadline": today + datetime.timedelta(days=cosign_days())
                if joint
                else None,
            },
            guard=guard,
        )
        if joint:
            from cppcc.models import User

            invited = ProposalCosigner.objects.filter(
                proposal=proposal, status=CosignStatus.INVITED
            ).values("member_id")
            _tell(
                User.objects.filter(member_id__in=invited, is_active=True),
                _("联名邀请：%(title)s"),
                _("%(lead)s邀请您联名提案“%(title)s”，请于 %(deadline)s 前确认。"),
                proposal,
                _values(proposal, lead=stored.lead_proposer, deadline=proposal.cosign_deadline),
            )
    return proposal


def cosigner_confirm(
    cosigner: ProposalCosigner,
    *,
    by,
    note: str = "",
    confirmed_on: datetime.date | None = None,
) -> ProposalCosigner:
    """A co-signer confirms their name on a submitted joint proposal, before its deadline; or
    the office records a confirmation signed on paper (`confirmed_on`, the day it was signed)."""
    own = bool(getattr(by, "member_id", None)) and by.member_id == cosigner.member_id
    _require(own or (is_office(by) and confirmed_on is not None))
    today = _recorded_day(confirmed_on, by, _("确认日期")) or timezone.localdate()
    with transaction.atomic():
        # The proposal first, as review does, so a confirmation and the drop-off cannot cross.
        proposal = _lock_proposal(cosigner.proposal_id)
        if proposal.status != S.SUBMITTED:
            raise ConflictError(
                _("提案当前为“%(state)s”，已不能确认联名。")
                % {"state": proposal.get_status_display()}
            )
        if proposal.cosign_deadline and today > proposal.cosign_deadline:
            raise WorkflowError(
                _("联名确认已于 %(day)s 截止。") % {"day": proposal.cosign_deadline.isoformat()}
            )

        def conflict(locked: ProposalCosigner) -> str:
            return _("您的联名状态为“%(state)s”，无需再确认。") % {
                "state": locked.get_status_display()
            }

        return transition(
            cosigner,
            field="status",
            allowed_from=[CosignStatus.INVITED],
            to=CosignStatus.CONFIRMED,
            by=by,
            note=note,
            updates={"confirmed_at": _at_day(confirmed_on) if confirmed_on else timezone.now()},
            conflict_message=conflict,
        )


# --- review ------------------------------------------------------------------------------------


def _review_guard(today: datetime.date):
    """Review waits for the co-signing deadline while anyone invited has not answered."""

    def check(locked: Proposal) -> None:
        waiting = ProposalCosigner.objects.filter(
            proposal=locked, status=CosignStatus.INVITED
        ).count()
        if waiting and locked.cosign_deadline and today <= locked.cosign_deadline:
            raise WorkflowError(
                _("尚有 %(n)d 位联名委员未确认，确认期限至 %(day)s，期满后方可审查。")
                % {"n": waiting, "day": locked.cosign_deadline.isoformat()},
                code="guard",
            )

    return check


def _drop_unconfirmed(proposal: Proposal, by) -> list[str]:
    """Co-signers who let the deadline pass leave the proposal, each a move of its own."""
    dropped = []
    late = ProposalCosigner.objects.filter(proposal=proposal, status=CosignStatus.INVITED)
    for cosigner in late.select_related("member"):
        transition(
            cosigner,
            field="status",
            allowed_from=[CosignStatus.INVITED],
            to=CosignStatus.DROPPED,
            by=by,
            note=_("逾期未确认联名"),
            updates={"dropped": True},
        )
        dropped.append(cosigner.member.name)
    return dropped


def _lock_series(term_id: int, session_id: int | None) -> None:
    """Registrations of one series (a session, or a term between sessions) take turns here."""
    if session_id is None:
        Term.objects.select_for_update().filter(pk=term_id).first()
    else:
        CommitteeSession.objects.select_for_update().filter(pk=session_id).first()


def next_serial(term_id: int, session_id: int | None) -> int:
    series = Proposal.all_objects.filter(term_id=term_id, session_id=session_id)
    return (series.aggregate(last=Max("serial"))["last"] or 0) + 1


def proposal_register(proposal: Proposal, *, by, note: str = "") -> Proposal:
    """已提交 → 已立案, with the next serial of its term and session (第N号)."""
    _require(is_office(by))
    today = timezone.localdate()
    with transaction.atomic():
        stored = Proposal.objects.get(pk=proposal.pk)
        _lock_series(stored.term_id, stored.session_id)
        serial = next_serial(stored.term_id, stored.session_id)
        number = str(serial) if stored.session_id else _("闭会%(n)d") % {"n": serial}
        review = _review_guard(today)

        def guard(locked: Proposal) -> None:
            if (locked.term_id, locked.session_id) != (stored.term_id, stored.session_id):
                raise ConflictError(_("提案的届次或会议刚被修改，请刷新后重试。"))
            review(locked)

        proposal = _move(
            proposal,
            "proposal_register",
            S.REGISTERED,
            by=by,
            note=note,
            updates={"serial": serial, "number": number, "registered_at": timezone.now()},
            guard=guard,
        )
        _drop_unconfirmed(proposal, by)
        _tell(
            proposer_logins(proposal),
            _("提案已立案：%(title)s"),
            _("您的提案“%(title)s”已立案，案号第%(number)s号。"),
            proposal,
            _values(proposal),
        )
    return proposal


def proposal_reject(
    proposal: Proposal, *, reason: str, converted_to: str = "", by, note: str = ""
) -> Proposal:
    """已提交 → 不予立案, with a standard reason; perhaps turned into opinion information (a
    社情民意 report is submitted in the proposers' names, linked to the proposal) or a letter."""
    _require(is_office(by))
    if reason not in NotRegisteredReason.values:
        raise WorkflowError(_("请选择不予立案的理由。"))
    converted_to = converted_to or ""
    if converted_to not in ConvertedTo.values:
        raise WorkflowError(_("转办方式无效。"))
    label = NotRegisteredReason(reason).label
    with transaction.atomic():
        proposal = _move(
            proposal,
            "proposal_reject",
            S.NOT_REGISTERED,
            by=by,
            note=note or str(label),
            updates={"not_registered_reason": reason, "converted_to": converted_to},
            guard=_review_guard(timezone.localdate()),
        )
        _drop_unconfirmed(proposal, by)
        if converted_to == ConvertedTo.OPINION:
            _as_opinion_report(proposal, by)
        body = _("您的提案“%(title)s”不予立案，理由：%(reason)s。")
        if converted_to:
            body += _("已%(converted)s。")
        _tell(
            proposer_logins(proposal),
            _("提案不予立案：%(title)s"),
            body,
            proposal,
            _values(proposal, reason=label, converted=ConvertedTo(converted_to).label),
        )
    return proposal


def _as_opinion_report(proposal: Proposal, by):
    """The opinion report a proposal not registered is turned into: its text, its lead proposer
    and confirmed co-signers as authors (a collective one's source and contact person)."""
    from .opinion_workflow import report_submit

    authors = [proposal.lead_proposer] if proposal.lead_proposer_id else []
    authors += [
        c.member
        for c in proposal.cosigners.filter(status=CosignStatus.CONFIRMED).select_related("member")
    ]
    return report_submit(
        by=by,
        title=proposal.title,
        situation=proposal.reasons,
        suggestion=proposal.suggestions,
        members=authors,
        officer_names=proposal.contact_person if not authors else "",
        sector_group=proposal.collective_source,
        source_proposal=proposal,
        note=_("由不予立案的提案转为社情民意信息"),
    )


def proposal_merge(proposal: Proposal, *, into: Proposal, by, note: str = "") -> Proposal:
    """已提交 → 已并案 into a registered proposal of the same term; it follows that one."""
    _require(is_office(by))
    if into is None or into.pk == proposal.pk:
        raise WorkflowError(_("请选择要并入的另一件提案。"))
    review = _review_guard(timezone.localdate())

    def guard(locked: Proposal) -> None:
        target = Proposal.objects.get(pk=into.pk)
        if target.status not in REGISTERED_OR_LATER:
            raise WorkflowError(
                _("只能并入已立案的提案，“%(title)s”当前为“%(state)s”。")
                % {"title": target.title, "state": target.get_status_display()},
                code="guard",
            )
        if target.term_id != locked.term_id:
            raise WorkflowError(_("只能并入同一届次的提案。"), code="guard")
        review(locked)

    with transaction.atomic():
        proposal = _move(
            proposal,
            "proposal_merge",
            S.MERGED,
            by=by,
            note=note,
            updates={"merged_into": into},
            guard=guard,
        )
        _drop_unconfirmed(proposal, by)
        _tell(
            proposer_logins(proposal),
            _("提案已并案：%(title)s"),
            _("您的提案“%(title)s”已并入第%(target_number)s号提案“%(target)s”办理。"),
            proposal,
            _values(proposal, target=into.title, target_number=into.number),
        )
    return proposal


# --- assignment and give-back ------------------------------------------------------------------


def proposal_assign(
    proposal: Proposal,
    *,
    lead_unit: HandlingUnit | None = None,
    assisting_units: Iterable[HandlingUnit] = (),
    due_on: datetime.date | None = None,
    by,
    note: str = "",
) -> Proposal:
    """已立案 → 已交办 to a lead unit and assisting units, due in three months unless given.
    Called again on an assigned proposal to add units (a new lead after a granted give-back)."""
    _require(is_office(by))
    assisting = list(assisting_units)
    units = ([lead_unit] if lead_unit else []) + assisting
    if not units:
        raise WorkflowError(_("请选择承办单位。"))
    if len({u.pk for u in units}) != len(units):
        raise WorkflowError(_("同一单位不能重复交办。"))
    inactive = [u.name for u in units if not u.is_active]
    if inactive:
        raise WorkflowError(_("承办单位已停用：%(units)s。") % {"units": "、".join(inactive)})
    now = timezone.now()
    today = timezone.localdate(now)
    due_on = due_on or default_due_on(today)
    if due_on < today:
        raise WorkflowError(_("答复期限不能早于今天。"))

    def guard(locked: Proposal) -> None:
        held = ProposalUnit.objects.filter(proposal=locked).active()
        has_lead = held.filter(is_lead=True).exists()
        if lead_unit and has_lead:
            raise WorkflowError(_("该提案已有主办单位，不能再交办主办单位。"), code="guard")
        if not lead_unit and not has_lead:
            raise WorkflowError(_("交办须确定一个主办单位。"), code="guard")
        taken = held.filter(unit__in=units).select_related("unit")
        if taken:
            raise WorkflowError(
                _("以下单位已在承办此提案：%(units)s。")
                % {"units": "、".join(a.unit.name for a in taken)},
                code="guard",
            )

    stored = Proposal.objects.get(pk=proposal.pk)
    with transaction.atomic():
        proposal = _move(
            proposal,
            "proposal_assign",
            S.ASSIGNED,
            by=by,
            note=note,
            updates={"assigned_at": stored.assigned_at or now},
            guard=guard,
        )
        for unit in units:
            assignment = ProposalUnit(
                proposal=proposal,
                unit=unit,
                is_lead=unit == lead_unit,
                due_on=due_on,
                assigned_at=now,
            )
            assignment._history_user = _user(by)
            assignment.save()
        proposal.refresh_from_db(fields=["number"])
        for unit in units:
            _tell(
                unit_logins([unit.pk]),
                _("新交办提案：%(title)s"),
                _("第%(number)s号提案“%(title)s”已交办贵单位%(role)s，答复期限 %(due)s。"),
                proposal,
                _values(proposal, role=_("主办") if unit == lead_unit else _("协办"), due=due_on),
            )
    return proposal


def give_back_request(assignment: ProposalUnit, *, reason: str, by, note: str = "") -> ProposalUnit:
    """办理中 → 申请退回: the unit says the proposal is not theirs to handle, and why."""
    _require(is_unit_of(assignment, by) or is_office(by))
    reason = _required(reason, _("请填写申请退回的理由。"))
    with transaction.atomic():
        proposal = _lock_proposal(assignment.proposal_id)
        assignment = _move_unit(
            assignment,
            "give_back_request",
            A.GIVE_BACK_REQUESTED,
            by=by,
            note=note or reason,
            updates={"give_back_reason": reason, "give_back_refused_reason": ""},
        )
        _tell(
            office_logins(),
            _("承办单位申请退回提案：%(title)s"),
            _("%(unit)s申请退回第%(number)s号提案“%(title)s”，理由：%(reason)s。"),
            proposal,
            _values(proposal, unit=assignment.unit, reason=reason),
        )
    return assignment


def give_back_grant(assignment: ProposalUnit, *, by, note: str = "") -> ProposalUnit:
    """申请退回 → 已退回: the unit no longer holds it. The row stays for the history; when no
    unit is left the proposal waits in 已立案 to be assigned afresh."""
    _require(is_office(by))
    with transaction.atomic():
        proposal = _lock_proposal(assignment.proposal_id)
        assignment = _move_unit(
            assignment,
            "give_back_grant",
            A.GIVEN_BACK,
            by=by,
            note=note,
            updates={"given_back_at": timezone.now()},
        )
        left = ProposalUnit.objects.filter(proposal=proposal).active()
        if not left.exists() and proposal.status == S.ASSIGNED:
            transition(
                proposal,
                field="status",
                allowed_from=[S.ASSIGNED],
                to=S.REGISTERED,
                by=by,
                note=_("承办单位均已退回，待重新交办"),
            )
        _tell(
            unit_logins([assignment.unit_id]),
            _("提案退回申请已同意：%(title)s"),
            _("贵单位退回第%(number)s号提案“%(title)s”的申请已同意，不再承办。"),
            proposal,
            _values(proposal),
        )
    return assignment


def give_back_refuse(assignment: ProposalUnit, *, reason: str, by, note: str = "") -> ProposalUnit:
    """申请退回 → 办理中: the office says the unit keeps it, and why."""
    _require(is_office(by))
    reason = _required(reason, _("请填写不同意退回的理由。"))
    with transaction.atomic():
        proposal = _lock_proposal(assignment.proposal_id)
        assignment = _move_unit(
            assignment,
            "give_back_refuse",
            A.ASSIGNED,
            by=by,
            note=note or reason,
            updates={"give_back_refused_reason": reason},
        )
        _tell(
            unit_logins([assignment.unit_id]),
            _("提案退回申请未同意：%(title)s"),
            _(
                "贵单位退回第%(number)s号提案“%(title)s”的申请未同意，理由：%(reason)s。请继续办理。"
            ),
            proposal,
            _values(proposal, reason=reason),
        )
    return assignment


# --- replies and ratings -----------------------------------------------------------------------


def reply_submit(
    assignment: ProposalUnit,
    *,
    answer_type: str,
    text: str,
    file=None,
    original_name: str = "",
    by,
    note: str = "",
) -> ProposalReply:
    """办理中 / 重办中 → 答复待审: the unit's answer, seen by the office first."""
    _require(is_unit_of(assignment, by) or is_office(by))
    if answer_type not in AnswerType.values:
        raise WorkflowError(_("请选择答复类型。"))
    text = _required(text, _("请填写答复内容。"))
    with transaction.atomic():
        proposal = _lock_proposal(assignment.proposal_id)
        assignment = _move_unit(assignment, "reply_submit", A.REPLIED, by=by, note=note)
        reply = ProposalReply(
            assignment=assignment,
            answer_type=answer_type,
            text=text,
            submitted_by=_user(by),
            original_name=original_name or (getattr(file, "name", "") if file else ""),
        )
        if file:
            reply.file = file
        reply._history_user = _user(by)
        reply.save()
        _tell(
            office_logins(),
            _("承办单位答复待审核：%(title)s"),
            _("%(unit)s已答复第%(number)s号提案“%(title)s”（%(type)s），请审核后发布。"),
            proposal,
            _values(proposal, unit=assignment.unit, type=AnswerType(answer_type).label),
        )
    return reply


def _pending_reply(assignment_id: int) -> ProposalReply:
    reply = (
        ProposalReply.objects.select_for_update()
        .filter(assignment_id=assignment_id, released_at=None, returned_at=None)
        .first()
    )
    if reply is None:
        raise ConflictError(_("没有待审核的答复，请刷新后查看。"))
    return reply


def _all_replies_released(proposal: Proposal) -> bool:
    held = ProposalUnit.objects.filter(proposal=proposal).active()
    return (
        held.filter(is_lead=True).exists()
        and not held.exclude(status__in=[A.RELEASED, A.RATED]).exists()
    )


def reply_release(reply: ProposalReply, *, by, note: str = "") -> ProposalReply:
    """答复待审 → 答复已发布: the proposer may now read and rate it. When it is the last unit's,
    the proposal becomes 已答复."""
    _require(is_office(by))
    assignment = reply.assignment
    with transaction.atomic():
        proposal = _lock_proposal(assignment.proposal_id)
        assignment = _move_unit(assignment, "reply_release", A.RELEASED, by=by, note=note)
        pending = _pending_reply(assignment.pk)
        if pending.pk != reply.pk:
            raise ConflictError(_("这份答复已不是待审核的答复，请刷新后查看。"))
        pending.released_at = timezone.now()
        pending._history_user = _user(by)
        pending.save(update_fields=["released_at"])
        reply.released_at = pending.released_at
        if proposal.status == S.ASSIGNED and _all_replies_released(proposal):
            transition(
                proposal,
                field="status",
                allowed_from=[S.ASSIGNED],
                to=S.REPLIED,
                by=by,
                note=_("各承办单位答复均已发布"),
            )
        _tell(
            proposer_logins(proposal, with_merged=True),
            _("提案答复已发布：%(title)s"),
            _("%(unit)s对第%(number)s号提案“%(title)s”的答复已发布，请查看并评价。"),
            proposal,
            _values(proposal, unit=assignment.unit),
        )
    return reply


def reply_return(reply: ProposalReply, *, reason: str, by, note: str = "") -> ProposalReply:
    """答复待审 → back to the unit, with the reason; the returned reply is kept and the unit
    writes a new one."""
    _require(is_office(by))
    reason = _required(reason, _("请填写退回答复的理由。"))
    assignment = ProposalUnit.objects.get(pk=reply.assignment_id)
    back_to = A.REHANDLING if assignment.rehandle_count else A.ASSIGNED
    with transaction.atomic():
        proposal = _lock_proposal(assignment.proposal_id)
        assignment = _move_unit(assignment, "reply_return", back_to, by=by, note=note or reason)
        pending = _pending_reply(assignment.pk)
        if pending.pk != reply.pk:
            raise ConflictError(_("这份答复已不是待审核的答复，请刷新后查看。"))
        pending.returned_at = timezone.now()
        pending.returned_reason = reason
        pending._history_user = _user(by)
        pending.save(update_fields=["returned_at", "returned_reason"])
        reply.returned_at, reply.returned_reason = pending.returned_at, reason
        _tell(
            unit_logins([assignment.unit_id]),
            _("提案答复被退回：%(title)s"),
            _(
                "贵单位对第%(number)s号提案“%(title)s”的答复被退回，理由：%(reason)s。请修改后重新答复。"
            ),
            proposal,
            _values(proposal, reason=reason),
        )
    return reply


def proposal_rate(
    assignment: ProposalUnit, *, rating: str, communication: str, note: str = "", by
) -> ProposalRating:
    """答复已发布 → 已评价, or → 重办中 when 不满意 (a new due date; the old reply kept). The
    proposer rates; the office may enter a rating given on paper."""
    stored = ProposalUnit.objects.select_related("proposal").get(pk=assignment.pk)
    _require(is_proposer(stored.proposal, by) or is_office(by))
    if rating not in Rating.values:
        raise WorkflowError(_("请选择满意度。"))
    if communication not in Communication.values:
        raise WorkflowError(_("请选择承办单位的沟通情况。"))
    unsatisfied = rating == Rating.UNSATISFIED
    note = (note or "").strip()
    if unsatisfied and not note:
        raise WorkflowError(_("评为不满意时请写明意见，以便承办单位重新办理。"))
    now = timezone.now()
    with transaction.atomic():
        proposal = _lock_proposal(stored.proposal_id)
        if unsatisfied:
            due_on = timezone.localdate(now) + datetime.timedelta(days=rehandle_days())
            assignment = _move_unit(
                assignment,
                "proposal_rate",
                A.REHANDLING,
                by=by,
                note=note,
                updates={
                    "rehandle_count": stored.rehandle_count + 1,
                    "due_on": due_on,
                    "reminder_level": 0,
                },
            )
        else:
            assignment = _move_unit(assignment, "proposal_rate", A.RATED, by=by, note=note)
        reply = (
            ProposalReply.objects.filter(assignment=assignment, released_at__isnull=False)
            .order_by("-released_at", "-id")
            .first()
        )
        record = ProposalRating(
            assignment=assignment,
            reply=reply,
            rating=rating,
            communication=communication,
            note=note,
            rated_at=now,
            rated_by=_user(by),
        )
        record._history_user = _user(by)
        record.save()
        if unsatisfied:
            if proposal.status == S.REPLIED:
                transition(
                    proposal,
                    field="status",
                    allowed_from=[S.REPLIED],
                    to=S.ASSIGNED,
                    by=by,
                    note=_("%(unit)s的答复被评为不满意，重新办理") % {"unit": assignment.unit},
                )
            _tell(
                unit_logins([assignment.unit_id]),
                _("提案答复不满意，请重新办理：%(title)s"),
                _(
                    "第%(number)s号提案“%(title)s”的提案人对贵单位的答复不满意（%(note)s），"
                    "请于 %(due)s 前重新办理并答复。"
                ),
                proposal,
                _values(proposal, note=note, due=assignment.due_on),
            )
    return record


def close_problems(proposal: Proposal) -> list[str]:
    """Why the proposal may not be closed yet; empty when it may."""
    held = ProposalUnit.objects.filter(proposal=proposal).active().select_related("unit")
    if not held.filter(is_lead=True).exists():
        return [_("该提案没有主办单位，不能办结。")]
    unrated = [a.unit.name for a in held if a.status != A.RATED]
    if unrated:
        return [_("以下承办单位的答复尚未评价：%(units)s。") % {"units": "、".join(unrated)}]
    return []


def proposal_close(proposal: Proposal, *, by, note: str = "") -> Proposal:
    """已答复 → 已办结, once every unit's reply is rated and none is 不满意."""
    _require(is_office(by))

    def guard(locked: Proposal) -> None:
        problems = close_problems(locked)
        if problems:
            raise WorkflowError(" ".join(problems), code="guard")

    with transaction.atomic():
        proposal = _move(
            proposal,
            "proposal_close",
            S.CLOSED,
            by=by,
            note=note,
            updates={"closed_at": timezone.now()},
            guard=guard,
        )
        _tell(
            proposer_logins(proposal, with_merged=True),
            _("提案已办结：%(title)s"),
            _("第%(number)s号提案“%(title)s”已办结。"),
            proposal,
            _values(proposal),
        )
    return proposal
