"""Walks a proposal along its flow through proposals.workflow, for the proposals tests (and
anyone's tests that need a proposal in a given state)."""

from proposals import workflow
from proposals.models import AnswerType, Proposal, ProposalStatus, ProposalUnit
from tests.factories import HandlingUnitFactory, ProposalFactory

S = ProposalStatus


def proposer_of(proposal: Proposal):
    """The lead proposer's login, made on first use."""
    from cppcc.models import User
    from cppcc.roles import Role
    from tests.factories import UserFactory

    user = User.objects.filter(member=proposal.lead_proposer).first()
    return user or UserFactory(
        username=f"m{proposal.lead_proposer_id}", roles=[Role.MEMBER], member=proposal.lead_proposer
    )


def walk(proposal: Proposal, to: str, office, *, units=None) -> Proposal:
    """Moves a draft (or a proposal further on) to `to` the ordinary way: submitted, registered,
    assigned to `units` (the first leads; default one new unit), every reply released, rated
    satisfied, closed. NOT_REGISTERED and MERGED are single moves from SUBMITTED."""
    order = [S.DRAFT, S.SUBMITTED, S.REGISTERED, S.ASSIGNED, S.REPLIED, S.CLOSED]
    if proposal.status == S.DRAFT and to != S.DRAFT:
        workflow.proposal_submit(proposal, by=office)
    if to == S.NOT_REGISTERED:
        return workflow.proposal_reject(proposal, reason="out_of_scope", by=office)
    if to == S.MERGED:
        target = walk(ProposalFactory(term=proposal.term), S.REGISTERED, office)
        return workflow.proposal_merge(proposal, into=target, by=office)
    goal = order.index(to)
    if goal >= order.index(S.REGISTERED) and proposal.status == S.SUBMITTED:
        workflow.proposal_register(proposal, by=office)
    if goal >= order.index(S.ASSIGNED) and proposal.status == S.REGISTERED:
        units = units or [HandlingUnitFactory()]
        workflow.proposal_assign(proposal, lead_unit=units[0], assisting_units=units[1:], by=office)
    if goal >= order.index(S.REPLIED) and proposal.status == S.ASSIGNED:
        for assignment in ProposalUnit.objects.filter(proposal=proposal).active():
            reply = workflow.reply_submit(
                assignment, answer_type=AnswerType.SOLVED, text="已落实养护资金。", by=office
            )
            workflow.reply_release(reply, by=office)
    # A release moves the proposal through rows of its own: read the status again.
    proposal.refresh_from_db()
    if goal >= order.index(S.CLOSED) and proposal.status == S.REPLIED:
        for assignment in ProposalUnit.objects.filter(proposal=proposal).active():
            workflow.proposal_rate(
                assignment, rating="satisfied", communication="in_person", by=office
            )
        workflow.proposal_close(proposal, by=office)
    proposal.refresh_from_db()
    assert proposal.status == to, (proposal.status, to)
    return proposal
