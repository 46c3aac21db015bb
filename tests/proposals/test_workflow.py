"""The proposal flow: every move, its guards and who is told (proposals.workflow)."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from cppcc.models import Transition
from cppcc.workflow import ConflictError, WorkflowError
from proposals import services, workflow
from proposals.models import (
    AssignmentStatus,
    CosignStatus,
    Proposal,
    ProposalKind,
    ProposalReply,
    ProposalStatus,
    ProposalUnit,
)
from tests.factories import (
    CommitteeSessionFactory,
    HandlingUnitFactory,
    MemberFactory,
    ProposalFactory,
    TermFactory,
    UserFactory,
)

from .flow import walk

S = ProposalStatus
A = AssignmentStatus
TODAY = timezone.localdate()


def moves(obj, field="status"):
    return Transition.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=str(obj.pk)
    ).order_by("at", "id")


@pytest.fixture
def proposal(member_a, term):
    return ProposalFactory(term=term, lead_proposer=member_a)


@pytest.fixture
def assigned(proposal, office_user, unit):
    """A proposal assigned to 区交通局 (lead, whose login is unit_user) and one assisting unit."""
    walk(proposal, S.ASSIGNED, office_user, units=[unit, HandlingUnitFactory(name="区财政局")])
    return proposal


def lead_assignment(proposal) -> ProposalUnit:
    return ProposalUnit.objects.active().get(proposal=proposal, is_lead=True)


# --- submission --------------------------------------------------------------------------------


def test_the_lead_proposer_submits_their_draft(proposal, member_user):
    workflow.proposal_submit(proposal, by=member_user, note="首次提交")
    proposal.refresh_from_db()
    assert proposal.status == S.SUBMITTED
    assert proposal.submitted_on == TODAY and proposal.submitted_at is not None
    move = moves(proposal).get()
    assert (move.from_state, move.to_state, move.by, move.note) == (
        S.DRAFT,
        S.SUBMITTED,
        member_user,
        "首次提交",
    )


def test_another_member_cannot_submit_someone_elses_draft(proposal, member_b_user):
    with pytest.raises(PermissionDenied):
        workflow.proposal_submit(proposal, by=member_b_user)
    assert Proposal.objects.get(pk=proposal.pk).status == S.DRAFT


@pytest.mark.parametrize(
    ("field", "message"),
    [("title", "案由"), ("reasons", "理由"), ("suggestions", "建议"), ("category", "类别")],
)
def test_submission_needs_every_part_of_the_text(field, message, proposal, office_user):
    Proposal.objects.filter(pk=proposal.pk).update(**{field: ""})
    with pytest.raises(WorkflowError, match=message) as err:
        workflow.proposal_submit(proposal, by=office_user)
    assert err.value.code == "guard"
    assert Proposal.objects.get(pk=proposal.pk).status == S.DRAFT
    assert not moves(proposal).exists()


def test_a_collective_proposal_needs_its_source_and_contact(term, office_user):
    proposal = ProposalFactory(term=term, kind=ProposalKind.COLLECTIVE, lead_proposer=None)
    with pytest.raises(WorkflowError, match="提案单位.*联系人"):
        workflow.proposal_submit(proposal, by=office_user)
    Proposal.objects.filter(pk=proposal.pk).update(
        collective_source="民盟綦江区委", contact_person="王老师"
    )
    assert workflow.proposal_submit(proposal, by=office_user).status == S.SUBMITTED


@pytest.mark.parametrize(
    ("opens", "closes", "message"),
    [
        (5, 10, "开始"),  # not open yet
        (-20, -1, "截止"),  # closed yesterday
        (None, None, "未设置提案征集时间"),
    ],
    ids=["not-yet-open", "closed", "no-window"],
)
def test_a_session_takes_proposals_only_inside_its_window(
    opens, closes, message, proposal, term, member_user
):
    day = lambda n: None if n is None else TODAY + datetime.timedelta(days=n)  # noqa: E731
    session = CommitteeSessionFactory(
        term=term, proposals_open_on=day(opens), proposals_close_on=day(closes)
    )
    Proposal.objects.filter(pk=proposal.pk).update(session=session)
    proposal.refresh_from_db()
    with pytest.raises(WorkflowError, match=message):
        workflow.proposal_submit(proposal, by=member_user)
    assert Proposal.objects.get(pk=proposal.pk).status == S.DRAFT


def test_a_session_inside_its_window_takes_the_proposal_and_gives_its_year(
    proposal, term, member_user
):
    session = CommitteeSessionFactory(term=term, starts_on=datetime.date(TODAY.year + 1, 1, 10))
    Proposal.objects.filter(pk=proposal.pk).update(session=session)
    proposal.refresh_from_db()
    workflow.proposal_submit(proposal, by=member_user)
    proposal.refresh_from_db()
    assert proposal.status == S.SUBMITTED and proposal.year == TODAY.year + 1


def test_a_session_of_another_term_is_refused(proposal, member_user):
    other = CommitteeSessionFactory(term=TermFactory(name="第十四届", is_current=False))
    Proposal.objects.filter(pk=proposal.pk).update(session=other)
    proposal.refresh_from_db()
    with pytest.raises(WorkflowError, match="不属于该提案的届次"):
        workflow.proposal_submit(proposal, by=member_user)


# --- co-signers --------------------------------------------------------------------------------


@pytest.fixture
def joint(proposal, member_user, member_b, member_b_user):
    Proposal.objects.filter(pk=proposal.pk).update(kind=ProposalKind.JOINT)
    proposal.refresh_from_db()
    late = MemberFactory(name="王迟到")
    services.set_cosigners(proposal, [member_b, late], by=member_user)
    return proposal


def test_a_joint_proposal_needs_a_cosigner(proposal, member_user):
    Proposal.objects.filter(pk=proposal.pk).update(kind=ProposalKind.JOINT)
    with pytest.raises(WorkflowError, match="联名委员"):
        workflow.proposal_submit(Proposal.objects.get(pk=proposal.pk), by=member_user)


def test_submitting_a_joint_proposal_invites_the_cosigners(joint, member_user, member_b_user):
    workflow.proposal_submit(joint, by=member_user)
    joint.refresh_from_db()
    assert joint.cosign_deadline == TODAY + datetime.timedelta(days=3)
    invitation = member_b_user.notifications.get()
    assert "联名" in invitation.title and joint.cosign_deadline.isoformat() in invitation.body


def test_a_cosigner_confirms_within_the_deadline(joint, member_user, member_b_user, member_b):
    workflow.proposal_submit(joint, by=member_user)
    cosigner = joint.cosigners.get(member=member_b)
    workflow.cosigner_confirm(cosigner, by=member_b_user)
    cosigner.refresh_from_db()
    assert cosigner.status == CosignStatus.CONFIRMED and cosigner.confirmed_at is not None
    with pytest.raises(ConflictError, match="已确认"):
        workflow.cosigner_confirm(cosigner, by=member_b_user)
    with pytest.raises(PermissionDenied):
        workflow.cosigner_confirm(joint.cosigners.get(member__name="王迟到"), by=member_b_user)


def test_a_cosigner_cannot_confirm_after_the_deadline(joint, member_user, member_b_user, member_b):
    workflow.proposal_submit(joint, by=member_user)
    Proposal.objects.filter(pk=joint.pk).update(cosign_deadline=TODAY - datetime.timedelta(days=1))
    with pytest.raises(WorkflowError, match="截止"):
        workflow.cosigner_confirm(joint.cosigners.get(member=member_b), by=member_b_user)
    assert joint.cosigners.get(member=member_b).status == CosignStatus.INVITED


def test_review_waits_for_the_cosigning_deadline_then_drops_the_unconfirmed(
    joint, member_user, member_b_user, member_b, office_user
):
    workflow.proposal_submit(joint, by=member_user)
    workflow.cosigner_confirm(joint.cosigners.get(member=member_b), by=member_b_user)
    with pytest.raises(WorkflowError, match="1 位联名委员未确认"):
        workflow.proposal_register(joint, by=office_user)
    assert Proposal.objects.get(pk=joint.pk).serial is None

    Proposal.objects.filter(pk=joint.pk).update(cosign_deadline=TODAY - datetime.timedelta(days=1))
    workflow.proposal_register(joint, by=office_user)
    late = joint.cosigners.get(member__name="王迟到")
    assert (late.status, late.dropped) == (CosignStatus.DROPPED, True)
    assert moves(late).get().note == "逾期未确认联名"
    assert joint.cosigners.get(member=member_b).status == CosignStatus.CONFIRMED


def test_cosigners_are_fixed_once_submitted(joint, member_user, member_b):
    workflow.proposal_submit(joint, by=member_user)
    with pytest.raises(WorkflowError, match="已提交"):
        services.set_cosigners(joint, [member_b], by=member_user)
    assert joint.cosigners.count() == 2


# --- review ------------------------------------------------------------------------------------


def test_registration_gives_the_next_serial_and_tells_the_proposer(
    proposal, term, office_user, member_user
):
    first = walk(ProposalFactory(term=term), S.REGISTERED, office_user)
    walk(proposal, S.SUBMITTED, office_user)
    workflow.proposal_register(proposal, by=office_user, note="符合立案条件")
    proposal.refresh_from_db()
    assert (first.serial, proposal.serial) == (1, 2)
    assert proposal.number == "闭会2" and proposal.registered_at is not None
    assert "闭会2" in member_user.notifications.get(title__startswith="提案已立案").body


def test_the_first_registered_of_a_session_is_proposal_no_1(term, office_user):
    session = CommitteeSessionFactory(term=term)
    first = walk(ProposalFactory(term=term, session=session), S.REGISTERED, office_user)
    between = walk(ProposalFactory(term=term), S.REGISTERED, office_user)
    assert (first.serial, first.number, first.is_first) == (1, "1", True)
    assert (between.serial, between.is_first) == (1, False)  # a series of its own
    assert str(first.display_number) == "第1号"


def test_not_registering_needs_a_standard_reason(proposal, office_user, member_user):
    walk(proposal, S.SUBMITTED, office_user)
    with pytest.raises(WorkflowError, match="不予立案的理由"):
        workflow.proposal_reject(proposal, reason="我不喜欢", by=office_user)
    workflow.proposal_reject(
        proposal, reason="private_matter", converted_to="letter", by=office_user
    )
    proposal.refresh_from_db()
    assert (proposal.status, proposal.not_registered_reason, proposal.converted_to) == (
        S.NOT_REGISTERED,
        "private_matter",
        "letter",
    )
    assert proposal.serial is None
    assert moves(proposal).last().note == "反映个人或少数人私事"
    told = member_user.notifications.get(title__startswith="提案不予立案")
    assert "转为来信处理" in told.body


def test_a_merged_proposal_follows_its_target(proposal, term, office_user, member_user):
    target = walk(ProposalFactory(term=term, agrees_to_publish=False), S.REGISTERED, office_user)
    walk(proposal, S.SUBMITTED, office_user)
    workflow.proposal_merge(proposal, into=target, by=office_user, note="内容相近")
    proposal.refresh_from_db()
    assert (proposal.status, proposal.merged_into, proposal.serial) == (S.MERGED, target, None)
    # Its proposer now reads the target (not published) and hears of its replies.
    assert Proposal.objects.visible_to(member_user).filter(pk=target.pk).exists()
    walk(target, S.REPLIED, office_user)
    assert member_user.notifications.filter(title__startswith="提案答复已发布").exists()


@pytest.mark.parametrize("target_state", [S.SUBMITTED, S.NOT_REGISTERED], ids=str)
def test_merging_needs_a_registered_target(target_state, proposal, term, office_user):
    target = walk(ProposalFactory(term=term), target_state, office_user)
    walk(proposal, S.SUBMITTED, office_user)
    with pytest.raises(WorkflowError, match="只能并入已立案的提案"):
        workflow.proposal_merge(proposal, into=target, by=office_user)
    assert Proposal.objects.get(pk=proposal.pk).status == S.SUBMITTED


def test_merging_stays_within_the_term_and_not_into_itself(proposal, office_user):
    other_term = TermFactory(name="第十四届", start_year=2016, end_year=2021, is_current=False)
    target = walk(ProposalFactory(term=other_term), S.REGISTERED, office_user)
    walk(proposal, S.SUBMITTED, office_user)
    with pytest.raises(WorkflowError, match="同一届次"):
        workflow.proposal_merge(proposal, into=target, by=office_user)
    with pytest.raises(WorkflowError, match="另一件提案"):
        workflow.proposal_merge(proposal, into=proposal, by=office_user)


def test_members_cannot_review(proposal, office_user, member_user):
    walk(proposal, S.SUBMITTED, office_user)
    with pytest.raises(PermissionDenied):
        workflow.proposal_register(proposal, by=member_user)


# --- assignment and give-back ------------------------------------------------------------------


def test_assignment_is_due_in_three_months_and_tells_each_unit(
    proposal, office_user, unit, unit_user
):
    walk(proposal, S.REGISTERED, office_user)
    helper = HandlingUnitFactory(name="区财政局")
    helper_login = UserFactory(username="t-unit2", roles=["unit"], handling_unit=helper)
    workflow.proposal_assign(proposal, lead_unit=unit, assisting_units=[helper], by=office_user)
    proposal.refresh_from_db()
    assert proposal.status == S.ASSIGNED and proposal.assigned_at is not None
    lead = lead_assignment(proposal)
    assert lead.unit == unit and lead.due_on == workflow.add_months(TODAY, 3)
    assert "主办" in unit_user.notifications.get().body
    assert "协办" in helper_login.notifications.get().body


def test_add_months_keeps_to_the_end_of_short_months():
    assert workflow.add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)
    assert workflow.add_months(datetime.date(2027, 11, 30), 3) == datetime.date(2028, 2, 29)


def test_assignment_needs_one_lead_unit(proposal, office_user, unit):
    walk(proposal, S.REGISTERED, office_user)
    with pytest.raises(WorkflowError, match="主办单位"):
        workflow.proposal_assign(proposal, assisting_units=[unit], by=office_user)
    with pytest.raises(WorkflowError, match="重复"):
        workflow.proposal_assign(proposal, lead_unit=unit, assisting_units=[unit], by=office_user)
    with pytest.raises(WorkflowError, match="早于今天"):
        workflow.proposal_assign(
            proposal, lead_unit=unit, due_on=TODAY - datetime.timedelta(days=1), by=office_user
        )
    assert not ProposalUnit.objects.filter(proposal=proposal).exists()


def test_a_second_lead_unit_is_refused(assigned, office_user):
    with pytest.raises(WorkflowError, match="已有主办单位"):
        workflow.proposal_assign(assigned, lead_unit=HandlingUnitFactory(), by=office_user)


def test_a_give_back_request_needs_a_reason_and_reaches_the_office(
    assigned, unit_user, office_user
):
    assignment = lead_assignment(assigned)
    with pytest.raises(WorkflowError, match="理由"):
        workflow.give_back_request(assignment, reason="  ", by=unit_user)
    workflow.give_back_request(assignment, reason="不属于本单位职责", by=unit_user)
    assignment.refresh_from_db()
    assert assignment.status == A.GIVE_BACK_REQUESTED
    assert "不属于本单位职责" in office_user.notifications.get(title__contains="申请退回").body


def test_a_unit_cannot_act_on_another_units_assignment(assigned, unit_user):
    other = ProposalUnit.objects.get(proposal=assigned, is_lead=False)
    with pytest.raises(PermissionDenied):
        workflow.give_back_request(other, reason="不是我们的", by=unit_user)
    with pytest.raises(PermissionDenied):
        workflow.reply_submit(other, answer_type="solved", text="已办", by=unit_user)


def test_a_granted_give_back_frees_the_unit_and_the_office_reassigns(
    assigned, unit_user, office_user, unit
):
    assignment = lead_assignment(assigned)
    workflow.give_back_request(assignment, reason="不属于本单位职责", by=unit_user)
    workflow.give_back_grant(assignment, by=office_user)
    assignment.refresh_from_db()
    assert assignment.status == A.GIVEN_BACK and assignment.given_back_at is not None
    assert not Proposal.objects.visible_to(unit_user).filter(pk=assigned.pk).exists()
    # The assisting unit still holds it; the office names a new lead.
    assert Proposal.objects.get(pk=assigned.pk).status == S.ASSIGNED
    with pytest.raises(WorkflowError, match="主办单位"):
        workflow.proposal_assign(assigned, assisting_units=[HandlingUnitFactory()], by=office_user)
    new_lead = HandlingUnitFactory(name="区住房城乡建委")
    workflow.proposal_assign(assigned, lead_unit=new_lead, by=office_user)
    assert lead_assignment(assigned).unit == new_lead
    assert moves(assigned).filter(from_state=S.ASSIGNED, to_state=S.ASSIGNED).count() == 1


def test_when_the_only_unit_gives_back_the_proposal_waits_to_be_assigned(
    proposal, office_user, unit, unit_user
):
    walk(proposal, S.ASSIGNED, office_user, units=[unit])
    assignment = lead_assignment(proposal)
    workflow.give_back_request(assignment, reason="职责不符", by=unit_user)
    workflow.give_back_grant(assignment, by=office_user)
    proposal.refresh_from_db()
    assert proposal.status == S.REGISTERED
    # The same unit may be assigned again later: the given-back row does not block it.
    workflow.proposal_assign(proposal, lead_unit=unit, by=office_user)
    assert ProposalUnit.objects.filter(proposal=proposal, unit=unit).count() == 2


def test_a_refused_give_back_keeps_the_unit_on_it(assigned, unit_user, office_user):
    assignment = lead_assignment(assigned)
    workflow.give_back_request(assignment, reason="职责不符", by=unit_user)
    with pytest.raises(WorkflowError, match="理由"):
        workflow.give_back_refuse(assignment, reason="", by=office_user)
    workflow.give_back_refuse(assignment, reason="属于贵单位职责范围", by=office_user)
    assignment.refresh_from_db()
    assert assignment.status == A.ASSIGNED
    assert assignment.give_back_refused_reason == "属于贵单位职责范围"
    assert (
        "属于贵单位职责范围" in unit_user.notifications.filter(title__contains="未同意").get().body
    )


# --- replies -----------------------------------------------------------------------------------


def test_a_reply_waits_for_the_office_before_the_proposer_sees_it(
    assigned, unit_user, office_user, member_user
):
    assignment = lead_assignment(assigned)
    with pytest.raises(WorkflowError, match="答复类型"):
        workflow.reply_submit(assignment, answer_type="", text="已办", by=unit_user)
    reply = workflow.reply_submit(
        assignment, answer_type="planned", text="已列入明年计划。", by=unit_user
    )
    assert reply.submitted_by == unit_user and reply.is_pending
    assert office_user.notifications.filter(title__contains="答复待审核").exists()
    assert not member_user.notifications.filter(title__contains="答复已发布").exists()
    workflow.reply_release(reply, by=office_user)
    assignment.refresh_from_db()
    assert assignment.status == A.RELEASED
    assert member_user.notifications.filter(title__contains="答复已发布").count() == 1
    # The assisting unit has not replied: the proposal is not yet 已答复.
    assert Proposal.objects.get(pk=assigned.pk).status == S.ASSIGNED
    other = ProposalUnit.objects.get(proposal=assigned, is_lead=False)
    workflow.reply_release(
        workflow.reply_submit(other, answer_type="solved", text="已配合", by=office_user),
        by=office_user,
    )
    assert Proposal.objects.get(pk=assigned.pk).status == S.REPLIED


def test_a_returned_reply_is_kept_and_a_new_one_is_needed(assigned, unit_user, office_user):
    assignment = lead_assignment(assigned)
    first = workflow.reply_submit(assignment, answer_type="solved", text="已办。", by=unit_user)
    with pytest.raises(WorkflowError, match="理由"):
        workflow.reply_return(first, reason="", by=office_user)
    workflow.reply_return(first, reason="答复过于简略", by=office_user)
    first.refresh_from_db()
    assignment.refresh_from_db()
    assert assignment.status == A.ASSIGNED
    assert first.returned_reason == "答复过于简略" and first.returned_at is not None
    assert "答复过于简略" in unit_user.notifications.get(title__contains="被退回").body
    with pytest.raises(ConflictError):
        workflow.reply_release(first, by=office_user)
    second = workflow.reply_submit(
        assignment, answer_type="solved", text="已安排专项资金 30 万元。", by=unit_user
    )
    workflow.reply_release(second, by=office_user)
    assert ProposalReply.objects.filter(assignment=assignment).count() == 2


def test_only_one_reply_waits_for_review_at_a_time(assigned, unit_user):
    assignment = lead_assignment(assigned)
    workflow.reply_submit(assignment, answer_type="solved", text="已办。", by=unit_user)
    with pytest.raises(ConflictError, match="答复待审"):
        workflow.reply_submit(assignment, answer_type="solved", text="再答一次", by=unit_user)


# --- ratings, re-handling, closing -------------------------------------------------------------


def test_unsatisfied_sends_the_unit_back_to_handle_it_again(
    proposal, office_user, member_user, unit, unit_user
):
    walk(proposal, S.REPLIED, office_user, units=[unit])
    assignment = lead_assignment(proposal)
    old_reply = assignment.replies.get()
    with pytest.raises(WorkflowError, match="写明意见"):
        workflow.proposal_rate(
            assignment, rating="unsatisfied", communication="phone", by=member_user
        )
    workflow.proposal_rate(
        assignment,
        rating="unsatisfied",
        communication="none",
        note="未实地调查",
        by=member_user,
    )
    assignment.refresh_from_db()
    proposal.refresh_from_db()
    assert assignment.status == A.REHANDLING and assignment.rehandle_count == 1
    assert assignment.due_on == TODAY + datetime.timedelta(days=30)
    assert proposal.status == S.ASSIGNED
    assert "未实地调查" in unit_user.notifications.get(title__contains="重新办理").body
    with pytest.raises(WorkflowError, match="尚未评价|不能办结"):
        workflow.proposal_close(proposal, by=office_user)

    new = workflow.reply_submit(
        assignment, answer_type="solved", text="已实地踏勘并安排施工。", by=unit_user
    )
    workflow.reply_release(new, by=office_user)
    rating = workflow.proposal_rate(
        assignment, rating="satisfied", communication="in_person", by=member_user
    )
    assert rating.reply == new
    assert old_reply.rating.rating == "unsatisfied"  # the old reply and its rating are kept
    workflow.proposal_close(proposal, by=office_user)
    proposal.refresh_from_db()
    assert proposal.status == S.CLOSED and proposal.closed_at is not None


def test_only_the_proposer_or_the_office_rates(proposal, office_user, member_b_user, unit):
    walk(proposal, S.REPLIED, office_user, units=[unit])
    with pytest.raises(PermissionDenied):
        workflow.proposal_rate(
            lead_assignment(proposal),
            rating="satisfied",
            communication="phone",
            by=member_b_user,
        )


def test_closing_waits_for_every_units_rating(assigned, office_user, member_user):
    walk(assigned, S.REPLIED, office_user)
    workflow.proposal_rate(
        lead_assignment(assigned), rating="basically", communication="phone", by=member_user
    )
    with pytest.raises(WorkflowError, match="区财政局"):
        workflow.proposal_close(assigned, by=office_user)
    assert Proposal.objects.get(pk=assigned.pk).status == S.REPLIED


# --- key and excellent -------------------------------------------------------------------------


def test_a_key_proposal_names_its_supervising_leader(proposal, office_user):
    with pytest.raises(WorkflowError, match="已立案"):
        services.set_key(proposal, is_key=True, supervising_leader="张副主席", by=office_user)
    walk(proposal, S.REGISTERED, office_user)
    with pytest.raises(WorkflowError, match="督办领导"):
        services.set_key(proposal, is_key=True, by=office_user)
    services.set_key(proposal, is_key=True, supervising_leader="张副主席", by=office_user)
    services.set_excellent(proposal, is_excellent=True, by=office_user)
    proposal.refresh_from_db()
    assert (proposal.is_key, proposal.supervising_leader, proposal.is_excellent) == (
        True,
        "张副主席",
        True,
    )
    assert proposal.history.first().history_user == office_user


def test_members_cannot_mark_key_proposals(proposal, office_user, member_user):
    walk(proposal, S.REGISTERED, office_user)
    with pytest.raises(PermissionDenied):
        services.set_key(proposal, is_key=True, supervising_leader="张副主席", by=member_user)


# --- the table of moves: each refused from each wrong state, changing nothing ------------------

PROPOSAL_STATES = [S.DRAFT, S.SUBMITTED, S.REGISTERED, S.NOT_REGISTERED, S.MERGED]
PROPOSAL_STATES += [S.ASSIGNED, S.REPLIED, S.CLOSED]


def _call_proposal_move(move, proposal, office_user):
    if move == "proposal_reject":
        return workflow.proposal_reject(proposal, reason="out_of_scope", by=office_user)
    if move == "proposal_merge":
        target = walk(ProposalFactory(term=proposal.term), S.REGISTERED, office_user)
        return workflow.proposal_merge(proposal, into=target, by=office_user)
    if move == "proposal_assign":
        return workflow.proposal_assign(proposal, lead_unit=HandlingUnitFactory(), by=office_user)
    return getattr(workflow, move)(proposal, by=office_user)


@pytest.mark.parametrize(
    ("move", "state"),
    [
        (move, state)
        for move, allowed in workflow.PROPOSAL_MOVES.items()
        for state in PROPOSAL_STATES
        if state not in allowed
    ],
    ids=str,
)
def test_a_proposal_move_is_refused_from_a_wrong_state(move, state, term, office_user):
    proposal = walk(ProposalFactory(term=term), state, office_user)
    before = Transition.objects.count()
    with pytest.raises(WorkflowError) as err:
        _call_proposal_move(move, proposal, office_user)
    assert str(S(state).label) in err.value.message
    assert str(workflow.ACTIONS[move]) in err.value.message
    assert Proposal.objects.get(pk=proposal.pk).status == state
    # A merge builds its target first (its moves are its own); nothing else is written.
    extra = 2 if move == "proposal_merge" else 0
    assert Transition.objects.count() == before + extra


def _assignment_in(state, proposal, office_user, unit_user):
    """The lead assignment of `proposal`, brought to `state` by its unit and the office."""
    walk(proposal, S.ASSIGNED, office_user, units=[unit_user.handling_unit])
    a = lead_assignment(proposal)
    if state in (A.GIVE_BACK_REQUESTED, A.GIVEN_BACK):
        workflow.give_back_request(a, reason="职责不符", by=unit_user)
    if state == A.GIVEN_BACK:
        workflow.give_back_grant(a, by=office_user)
    if state in (A.REPLIED, A.RELEASED, A.RATED, A.REHANDLING):
        reply = workflow.reply_submit(a, answer_type="solved", text="已办。", by=unit_user)
        if state != A.REPLIED:
            workflow.reply_release(reply, by=office_user)
    if state in (A.RATED, A.REHANDLING):
        workflow.proposal_rate(
            a,
            rating="satisfied" if state == A.RATED else "unsatisfied",
            communication="phone",
            note="再议",
            by=office_user,
        )
    a.refresh_from_db()
    assert a.status == state
    return a


def _call_assignment_move(move, a, office_user, unit_user):
    reply = a.replies.order_by("-id").first() or ProposalReply(assignment=a)
    calls = {
        "give_back_request": lambda: workflow.give_back_request(a, reason="不符", by=unit_user),
        "give_back_grant": lambda: workflow.give_back_grant(a, by=office_user),
        "give_back_refuse": lambda: workflow.give_back_refuse(a, reason="须办", by=office_user),
        "reply_submit": lambda: workflow.reply_submit(
            a, answer_type="solved", text="已办", by=office_user
        ),
        "reply_release": lambda: workflow.reply_release(reply, by=office_user),
        "reply_return": lambda: workflow.reply_return(reply, reason="简略", by=office_user),
        "proposal_rate": lambda: workflow.proposal_rate(
            a, rating="satisfied", communication="phone", by=office_user
        ),
    }
    return calls[move]()


@pytest.mark.parametrize(
    ("move", "state"),
    [
        (move, state)
        for move, allowed in workflow.ASSIGNMENT_MOVES.items()
        for state in A.values
        if state not in allowed
    ],
    ids=str,
)
def test_a_unit_move_is_refused_from_a_wrong_state(move, state, proposal, office_user, unit_user):
    a = _assignment_in(state, proposal, office_user, unit_user)
    before = (Transition.objects.count(), ProposalReply.objects.count())
    with pytest.raises(WorkflowError) as err:
        _call_assignment_move(move, a, office_user, unit_user)
    assert str(A(state).label) in err.value.message
    assert ProposalUnit.objects.get(pk=a.pk).status == state
    assert (Transition.objects.count(), ProposalReply.objects.count()) == before


def test_every_move_in_the_table_is_a_workflow_function():
    for move in [*workflow.PROPOSAL_MOVES, *workflow.ASSIGNMENT_MOVES]:
        assert callable(getattr(workflow, move)), move


def test_each_notification_links_to_the_page_its_reader_can_open(
    proposal, office_user, unit, unit_user, member_user, client_for
):
    walk(proposal, S.REGISTERED, office_user)
    workflow.proposal_assign(proposal, lead_unit=unit, by=office_user)
    member_note = member_user.notifications.get(title__startswith="提案已立案")
    unit_note = unit_user.notifications.get()
    assert member_note.url == f"/proposals/portal/{proposal.pk}/"
    assert unit_note.url == f"/proposals/unit/proposals/{proposal.pk}/"
    for user, note in ((member_user, member_note), (unit_user, unit_note)):
        assert client_for(user).get(note.url).status_code == 200
    assert proposal.url_for(office_user) == f"/proposals/{proposal.pk}/"


# --- records entered after the fact ------------------------------------------------------------


def test_the_office_records_a_paper_proposal_with_the_day_it_was_handed_in(
    proposal, term, office_user
):
    handed_in = TODAY - datetime.timedelta(days=300)
    session = CommitteeSessionFactory(
        term=term,
        proposals_open_on=handed_in - datetime.timedelta(days=5),
        proposals_close_on=handed_in + datetime.timedelta(days=5),
    )
    Proposal.objects.filter(pk=proposal.pk).update(session=session)
    proposal.refresh_from_db()
    workflow.proposal_submit(proposal, by=office_user, submitted_on=handed_in)
    proposal.refresh_from_db()
    assert proposal.status == S.SUBMITTED and proposal.submitted_on == handed_in
    assert timezone.localdate(proposal.submitted_at) == handed_in


def test_a_recorded_day_is_refused_in_the_future_and_from_a_member(
    proposal, office_user, member_user
):
    with pytest.raises(WorkflowError, match="不能晚于今天"):
        workflow.proposal_submit(
            proposal, by=office_user, submitted_on=TODAY + datetime.timedelta(days=1)
        )
    with pytest.raises(PermissionDenied):
        workflow.proposal_submit(
            proposal, by=member_user, submitted_on=TODAY - datetime.timedelta(days=1)
        )
    assert Proposal.objects.get(pk=proposal.pk).status == S.DRAFT


def test_the_office_records_a_cosignature_given_on_paper(joint, office_user, member_b):
    handed_in = TODAY - datetime.timedelta(days=40)
    workflow.proposal_submit(joint, by=office_user, submitted_on=handed_in)
    cosigner = joint.cosigners.get(member=member_b)
    with pytest.raises(PermissionDenied):
        workflow.cosigner_confirm(cosigner, by=office_user)  # without the day it was signed
    with pytest.raises(WorkflowError, match="截止"):
        workflow.cosigner_confirm(
            cosigner, by=office_user, confirmed_on=handed_in + datetime.timedelta(days=10)
        )
    workflow.cosigner_confirm(
        cosigner, by=office_user, confirmed_on=handed_in + datetime.timedelta(days=1)
    )
    cosigner.refresh_from_db()
    assert cosigner.status == CosignStatus.CONFIRMED
    assert timezone.localdate(cosigner.confirmed_at) == handed_in + datetime.timedelta(days=1)


def test_a_proposal_turned_into_opinion_information_becomes_a_report(
    proposal, office_user, member_a
):
    from proposals.models import OpinionReport, OpinionStatus

    walk(proposal, S.SUBMITTED, office_user)
    workflow.proposal_reject(
        proposal, reason="out_of_scope", converted_to="opinion", by=office_user
    )
    report = OpinionReport.objects.get(source_proposal=proposal)
    assert (report.title, report.situation, report.suggestion) == (
        proposal.title,
        proposal.reasons,
        proposal.suggestions,
    )
    assert list(report.members.all()) == [member_a]
    assert report.status == OpinionStatus.SUBMITTED


def test_a_proposal_turned_into_a_letter_makes_no_report(proposal, office_user):
    from proposals.models import OpinionReport

    walk(proposal, S.SUBMITTED, office_user)
    workflow.proposal_reject(proposal, reason="out_of_scope", converted_to="letter", by=office_user)
    assert not OpinionReport.objects.exists()
