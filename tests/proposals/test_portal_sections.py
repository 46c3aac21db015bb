"""The member's /portal/ blocks of proposals.portal_views and opinion_views, read in fewer
queries (issue 13): the latest proposals with the invitations, and each opinion report's
adoptions and instructions."""

import datetime

from django.test import RequestFactory
from django.utils import timezone

from proposals import opinion_views, portal_views
from proposals.models import (
    CosignStatus,
    LeaderInstruction,
    OpinionAdoption,
    OpinionReport,
    ProposalCosigner,
    ProposalStatus,
)
from tests.factories import ProposalFactory

TODAY = timezone.localdate()


def _request(user):
    request = RequestFactory().get("/portal/")
    request.user = user
    return request


def test_an_old_invitation_shows_beside_the_latest_proposals(member_user, member_a, member_b):
    invited = ProposalFactory(
        lead_proposer=member_b, kind="joint", status=ProposalStatus.SUBMITTED, title="联名邀请"
    )
    ProposalCosigner.objects.create(proposal=invited, member=member_a, status=CosignStatus.INVITED)
    confirmed = ProposalFactory(lead_proposer=member_b, kind="joint", title="已确认联名")
    ProposalCosigner.objects.create(
        proposal=confirmed,
        member=member_a,
        status=CosignStatus.CONFIRMED,
        confirmed_at=timezone.now(),
    )
    own = [
        ProposalFactory(lead_proposer=member_a, title=f"我的提案{i}")
        for i in range(portal_views.SECTION_SHOWN + 2)
    ]

    context = portal_views.portal_section(_request(member_user), member_a)

    newest_first = list(reversed(own))[: portal_views.SECTION_SHOWN]
    assert [p.pk for p in context["proposals"]] == [p.pk for p in newest_first]
    assert context["more"] is True
    assert [c.proposal.title for c in context["invitations"]] == ["联名邀请"]
    assert context["invitations"][0].proposal_id == invited.pk
    assert context["invitations"][0].proposal.lead_proposer == member_b


def test_no_invitation_once_confirmed(member_user, member_a, member_b):
    proposal = ProposalFactory(
        lead_proposer=member_b, kind="joint", status=ProposalStatus.SUBMITTED
    )
    ProposalCosigner.objects.create(
        proposal=proposal,
        member=member_a,
        status=CosignStatus.CONFIRMED,
        confirmed_at=timezone.now(),
    )
    context = portal_views.portal_section(_request(member_user), member_a)
    assert [p.pk for p in context["proposals"]] == [proposal.pk]
    assert context["invitations"] == [] and context["more"] is False


def test_each_report_keeps_its_own_adoptions_and_instructions_in_order(
    member_user, member_a, gunan_studio
):
    reports = []
    for i in range(2):
        report = OpinionReport.objects.create(
            studio=gunan_studio,
            title=f"社情{i}",
            situation="情况",
            suggestion="建议",
            submitted_on=TODAY - datetime.timedelta(days=i),
            status="adopted",
        )
        report.members.add(member_a)
        reports.append(report)
    later = OpinionAdoption.objects.create(
        report=reports[0], level="city", adopted_on=TODAY, source="第2期"
    )
    earlier = OpinionAdoption.objects.create(
        report=reports[0],
        level="district",
        adopted_on=TODAY - datetime.timedelta(days=3),
        source="第1期",
    )
    note = LeaderInstruction.objects.create(
        report=reports[1], level="district", leader="区长", text="请研究", instructed_on=TODAY
    )

    shown = opinion_views.portal_section(_request(member_user), member_a)["reports"]

    by_pk = {r.pk: r for r in shown}
    first, second = by_pk[reports[0].pk], by_pk[reports[1].pk]
    assert [a.pk for a in first.adoptions.all()] == [earlier.pk, later.pk]
    assert first.adoptions.all()[0].source == "第1期"
    assert first.adoptions.all()[1].get_level_display() == later.get_level_display()
    assert list(first.instructions.all()) == []
    assert list(second.adoptions.all()) == []
    [kept] = second.instructions.all()
    assert (kept.pk, kept.leader, kept.text, kept.instructed_on) == (
        note.pk,
        "区长",
        "请研究",
        TODAY,
    )
