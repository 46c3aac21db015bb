"""A workflow move bumps the record's version (cppcc.workflow.transition), so an edit opened
before the move is refused as stale instead of silently writing over what the move changed."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import services as consultation_services
from consultations import workflow as consultation_workflow
from consultations.models import Matter, Step
from members import workflow as member_workflow
from members.models import Member, MemberStatus
from proposals import workflow as proposal_workflow
from proposals.models import Proposal
from studios import workflow as studio_workflow
from studios.models import Problem, ProblemStatus
from tests.factories import ProposalFactory

STALE = "该记录已被他人修改，请刷新后再改。"
TODAY = timezone.localdate()


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


@pytest.fixture
def matter(gunan, member_a, office_user):
    return consultation_services.create_matter(
        gunan, {"title": "春光村荷塘养虾", "year": TODAY.year}, [member_a], by=office_user
    )


def test_an_api_edit_opened_before_a_step_move_is_refused(client_for, office_user, matter):
    c = client_for(office_user)
    url = f"/api/v1/matters/{matter.pk}/"
    seen = c.get(url).json()["version"]

    consultation_workflow.matter_register(matter, by=office_user)

    stale = patch(c, url, {"background": "按旧页面改的", "version": seen})
    assert stale.status_code == 409, stale.content
    assert stale.json()["detail"] == STALE
    stored = Matter.objects.get(pk=matter.pk)
    assert (stored.step, stored.background, stored.version) == (Step.REGISTERED, "", seen + 1)
    # The version the move left is accepted.
    fresh = patch(c, url, {"background": "刷新后再改", "version": seen + 1})
    assert fresh.status_code == 200 and fresh.json()["version"] == seen + 2


def test_a_page_edit_opened_before_a_step_move_is_refused(
    client_for, office_user, matter, member_a
):
    c = client_for(office_user)
    url = reverse("consultations:matter_edit", args=[matter.pk])
    assert 'name="version" value="1"' in c.get(url).content.decode()

    consultation_workflow.matter_register(matter, by=office_user)

    response = c.post(url, {"title": "旧页面的标题", "proposers": [member_a.pk], "version": 1})
    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert Matter.objects.get(pk=matter.pk).title == "春光村荷塘养虾"


def test_a_member_edit_opened_before_the_member_left_is_refused(client_for, office_user, member_a):
    c = client_for(office_user)
    url = f"/api/v1/members/{member_a.pk}/"
    seen = c.get(url).json()["version"]

    member_workflow.member_leave(member_a, on=TODAY, reason="工作调动", by=office_user)

    stale = patch(c, url, {"employer": "旧页面的单位", "version": seen})
    assert stale.status_code == 409 and stale.json()["detail"] == STALE
    stored = Member.objects.get(pk=member_a.pk)
    assert (stored.status, stored.employer, stored.version) == (
        MemberStatus.LEFT,
        member_a.employer,
        seen + 1,
    )


def test_a_move_updates_the_callers_copy_of_the_version(office_user, matter):
    # The workflow function hands back the record it moved: saving it again (as a service
    # may) must not write the old version back.
    moved = consultation_workflow.matter_register(matter, by=office_user)
    assert moved.version == matter.version == Matter.objects.get(pk=matter.pk).version == 2


def test_proposal_moves_bump_the_version(term, member_a, member_user):
    proposal = ProposalFactory(term=term, lead_proposer=member_a)
    assert proposal.version == 1
    proposal_workflow.proposal_submit(proposal, by=member_user)
    assert Proposal.objects.get(pk=proposal.pk).version == 2


def test_a_record_without_a_version_moves_as_before(gunan_studio, office_user):
    problem = Problem.objects.create(
        studio=gunan_studio, title="春光村道路破损", raised_by="村民", raised_on=TODAY
    )
    studio_workflow.problem_take(problem, by=office_user)
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.IN_HAND
    assert not hasattr(problem, "version")


def test_a_refused_move_leaves_the_version(office_user, matter):
    consultation_workflow.matter_register(matter, by=office_user)
    with pytest.raises(consultation_workflow.WorkflowError):
        consultation_workflow.matter_register(matter, by=office_user)
    assert Matter.objects.get(pk=matter.pk).version == 2


def test_a_step_move_dated_in_the_past_bumps_the_version_too(office_user, matter):
    day = TODAY - datetime.timedelta(days=3)
    consultation_workflow.matter_register(matter, by=office_user, on=day)
    assert Matter.objects.get(pk=matter.pk).version == 2
