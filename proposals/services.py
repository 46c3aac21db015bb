"""Writes to proposals that are not status moves (those are in proposals.workflow): key and
excellent proposals, and the co-signers of a draft. Each is recorded by simple-history."""

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cppcc.roles import can_edit_county
from cppcc.workflow import WorkflowError
from members.models import Member

from .models import (
    REGISTERED_OR_LATER,
    CosignStatus,
    Proposal,
    ProposalCosigner,
    ProposalKind,
    ProposalStatus,
    ProposalUnit,
    SupervisionMeeting,
)
from .workflow import is_proposer


def _user(by):
    return by if getattr(by, "is_authenticated", False) else None


def _locked_registered(proposal: Proposal, what: str) -> Proposal:
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status not in REGISTERED_OR_LATER:
        raise WorkflowError(
            _("只有已立案的提案可以%(what)s，该提案当前为“%(state)s”。")
            % {"what": what, "state": locked.get_status_display()}
        )
    return locked


@transaction.atomic
def set_key(proposal: Proposal, *, is_key: bool, supervising_leader: str = "", by) -> Proposal:
    """重点提案: the office marks a registered proposal key, naming the leader who supervises
    it; or takes the mark off (the leader is cleared with it)."""
    if not can_edit_county(by):
        raise PermissionDenied
    leader = (supervising_leader or "").strip()
    if is_key and not leader:
        raise WorkflowError(_("重点提案须确定督办领导。"))
    locked = _locked_registered(proposal, _("列为重点提案"))
    locked.is_key = bool(is_key)
    locked.supervising_leader = leader if is_key else ""
    locked._history_user = _user(by)
    locked.save(update_fields=["is_key", "supervising_leader"])
    proposal.is_key, proposal.supervising_leader = locked.is_key, locked.supervising_leader
    return proposal


@transaction.atomic
def set_excellent(proposal: Proposal, *, is_excellent: bool, by) -> Proposal:
    """优秀提案, chosen at the year's end among registered proposals."""
    if not can_edit_county(by):
        raise PermissionDenied
    locked = _locked_registered(proposal, _("评为优秀提案"))
    locked.is_excellent = bool(is_excellent)
    locked._history_user = _user(by)
    locked.save(update_fields=["is_excellent"])
    proposal.is_excellent = locked.is_excellent
    return proposal


@transaction.atomic
def set_cosigners(proposal: Proposal, members: Iterable[Member], *, by) -> list[ProposalCosigner]:
    """The co-signers a joint proposal's draft invites (kept in the order given); those no
    longer named are removed. Only while it is a draft: after submission they confirm or drop."""
    if not (is_proposer(proposal, by) or can_edit_county(by)):
        raise PermissionDenied
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if locked.status != ProposalStatus.DRAFT:
        raise WorkflowError(_("提案已提交，不能再修改联名委员。"))
    members = list(dict.fromkeys(members))
    if members and locked.kind != ProposalKind.JOINT:
        raise WorkflowError(_("只有联名提案可以邀请联名委员。"))
    if any(m.pk == locked.lead_proposer_id for m in members):
        raise WorkflowError(_("领衔提案人不必再列为联名委员。"))
    wanted = {m.pk for m in members}
    for old in ProposalCosigner.objects.filter(proposal=locked).exclude(member_id__in=wanted):
        old._history_user = _user(by)
        old.delete()
    have = set(ProposalCosigner.objects.filter(proposal=locked).values_list("member_id", flat=True))
    for member in members:
        if member.pk in have:
            continue
        cosigner = ProposalCosigner(proposal=locked, member=member, status=CosignStatus.INVITED)
        cosigner._history_user = _user(by)
        cosigner.save()
    return list(ProposalCosigner.objects.filter(proposal=locked).select_related("member"))


@transaction.atomic
def record_supervision_meeting(proposal: Proposal, data: Mapping, *, by) -> SupervisionMeeting:
    """A supervision meeting (督办会) of a key proposal, with the day it was held: the units
    present must be among the proposal's units, the leader defaults to its supervising leader."""
    if not can_edit_county(by):
        raise PermissionDenied
    locked = Proposal.objects.select_for_update().get(pk=proposal.pk)
    if not locked.is_key:
        raise WorkflowError(_("只有重点提案可以记录督办会。"))
    held_on: datetime.date = data["held_on"]
    if held_on > timezone.localdate():
        raise WorkflowError(_("督办日期不能晚于今天。"))
    registered = locked.registered_at and timezone.localdate(locked.registered_at)
    if registered and held_on < registered:
        raise WorkflowError(
            _("督办日期不能早于立案日期 %(day)s。") % {"day": registered.isoformat()}
        )
    units = list(data.get("units") or [])
    assigned = set(
        ProposalUnit.objects.filter(proposal=locked).active().values_list("unit_id", flat=True)
    )
    strangers = [u.name for u in units if u.pk not in assigned]
    if strangers:
        raise WorkflowError(_("%(units)s不是该提案的承办单位。") % {"units": "、".join(strangers)})
    leader = (data.get("leader") or "").strip() or locked.supervising_leader
    summary = (data.get("summary") or "").strip()
    if not summary:
        raise WorkflowError(_("请填写督办情况。"))
    meeting = SupervisionMeeting(
        proposal=locked,
        held_on=held_on,
        place=(data.get("place") or "").strip(),
        leader=leader,
        summary=summary,
        created_by=_user(by),
    )
    meeting._history_user = _user(by)
    meeting.save()
    meeting.units.set(units)
    return meeting
