"""Proposals on the to-do lists: what waits for the office (review, replies to check, give-back
requests, overdue replies), what a unit owes, and a member's invitations and ratings; each
count links to the list or page that shows exactly those."""

import datetime

import pytest
from django.test import RequestFactory
from django.utils import timezone

from cppcc.navigation import todos_for
from cppcc.roles import Role
from proposals import workflow
from proposals.models import AssignmentStatus, ProposalStatus, ProposalUnit
from tests.factories import HandlingUnitFactory, ProposalFactory

from .flow import walk

S = ProposalStatus
TODAY = timezone.localdate()


def todos(user, role) -> dict:
    request = RequestFactory().get("/")
    request.user, request.session = user, {}
    return {str(item.label): item for item in todos_for(request, [role])}


@pytest.fixture
def county(term, office_user, unit, member_a):
    """One proposal at each thing the office must do, and one owed by 区交通局 past its due
    date."""
    walk(ProposalFactory(term=term, title="待审查"), S.SUBMITTED, office_user)
    replied = walk(ProposalFactory(term=term, title="答复待审"), S.REGISTERED, office_user)
    workflow.proposal_assign(
        replied, lead_unit=HandlingUnitFactory(name="区财政局"), by=office_user
    )
    workflow.reply_submit(
        ProposalUnit.objects.get(proposal=replied),
        answer_type="solved",
        text="已办。",
        by=office_user,
    )
    late = walk(
        ProposalFactory(term=term, title="逾期", lead_proposer=member_a), S.REGISTERED, office_user
    )
    workflow.proposal_assign(late, lead_unit=unit, by=office_user)
    ProposalUnit.objects.filter(proposal=late).update(due_on=TODAY - datetime.timedelta(days=2))
    return late


def test_the_office_sees_what_waits_for_it_with_links_to_those_proposals(
    county, office_user, client_for
):
    items = todos(office_user, Role.OFFICE)
    review = items["待审查的提案"]
    reply = items["待审核的提案答复"]
    late = items["答复逾期的提案"]
    assert (review.count, reply.count, late.count) == (1, 1, 1)
    assert "承办单位申请退回的提案" not in items  # counts nothing, left out
    c = client_for(office_user)
    for item, title in ((review, "待审查"), (reply, "答复待审"), (late, "逾期")):
        listed = c.get(item.url).context["page_obj"].object_list
        assert [p.title for p in listed] == [title], item.url


def test_a_unit_sees_the_proposals_it_owes_a_reply_on_in_red_when_late(county, unit_user):
    (item,) = [i for i in todos(unit_user, Role.UNIT).values() if "提案" in str(i.label)]
    assert item.count == 1 and item.level == "danger"
    assert item.url.endswith("#unit-proposals")


def test_a_member_is_asked_to_rate_a_released_reply(county, office_user, member_user):
    assignment = ProposalUnit.objects.get(proposal=county)
    reply = workflow.reply_submit(assignment, answer_type="solved", text="已办。", by=office_user)
    workflow.reply_release(reply, by=office_user)
    assert ProposalUnit.objects.get(pk=assignment.pk).status == AssignmentStatus.RELEASED
    assert todos(member_user, Role.MEMBER)["待评价的提案答复"].count == 1
