"""Who sees which proposal (Proposal.objects.visible_to) and the rules the database keeps."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from proposals import workflow
from proposals.models import (
    AssignmentStatus,
    CosignStatus,
    Proposal,
    ProposalCosigner,
    ProposalKind,
    ProposalStatus,
    ProposalUnit,
)
from tests.factories import HandlingUnitFactory, MemberFactory, ProposalFactory

from .flow import walk

S = ProposalStatus


@pytest.fixture
def book(term, member_a, member_b, office_user, unit):
    """member_a's draft; member_b's assigned proposal (to 区交通局) published, another not;
    a joint one of a third member that member_a co-signs."""
    own_draft = ProposalFactory(term=term, lead_proposer=member_a, title="甲的草稿")
    published = walk(
        ProposalFactory(term=term, lead_proposer=member_b, agrees_to_publish=True, title="公开"),
        S.ASSIGNED,
        office_user,
        units=[unit],
    )
    unpublished = walk(
        ProposalFactory(term=term, lead_proposer=member_b, title="不公开"),
        S.REGISTERED,
        office_user,
    )
    joint = ProposalFactory(term=term, kind=ProposalKind.JOINT, title="联名")
    ProposalCosigner.objects.create(proposal=joint, member=member_a)
    others_draft = ProposalFactory(term=term, lead_proposer=member_b, title="乙的草稿")
    return {
        "own_draft": own_draft,
        "published": published,
        "unpublished": unpublished,
        "joint": joint,
        "others_draft": others_draft,
    }


def titles(user) -> set[str]:
    return set(Proposal.objects.visible_to(user).values_list("title", flat=True))


@pytest.mark.parametrize("role", ["admin_user", "office_user", "leader_user"])
def test_county_roles_see_every_proposal(role, request, book):
    assert titles(request.getfixturevalue(role)) == {p.title for p in book.values()}


def test_a_member_sees_their_own_cosigned_and_published_ones(book, member_user):
    assert titles(member_user) == {"甲的草稿", "联名", "公开"}


def test_a_dropped_cosigner_no_longer_sees_the_proposal(book, member_user, member_a):
    ProposalCosigner.objects.filter(member=member_a).update(
        status=CosignStatus.DROPPED, dropped=True
    )
    assert "联名" not in titles(member_user)


def test_a_unit_sees_what_is_assigned_to_it(book, unit_user, office_user):
    assert titles(unit_user) == {"公开"}
    assignment = ProposalUnit.objects.get(proposal=book["published"])
    workflow.give_back_request(assignment, reason="职责不符", by=unit_user)
    assert titles(unit_user) == {"公开"}  # still theirs while the request is pending
    workflow.give_back_grant(assignment, by=office_user)
    assert titles(unit_user) == set()


def test_town_clerks_and_strangers_see_none(book, town_user):
    assert titles(town_user) == set()
    assert titles(AnonymousUser()) == set()


def test_assignments_are_scoped_like_their_proposals(book, unit_user, member_b_user, office_user):
    other = HandlingUnitFactory(name="区民政局")
    workflow.proposal_assign(book["unpublished"], lead_unit=other, by=office_user)
    assert set(ProposalUnit.objects.visible_to(unit_user).values_list("unit__name", flat=True)) == {
        "区交通局"
    }
    assert ProposalUnit.objects.visible_to(member_b_user).count() == 2


def test_one_lead_unit_per_proposal(term, office_user, unit):
    proposal = walk(ProposalFactory(term=term), S.ASSIGNED, office_user, units=[unit])
    due = timezone.localdate() + datetime.timedelta(days=90)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalUnit.objects.create(
            proposal=proposal, unit=HandlingUnitFactory(), is_lead=True, due_on=due
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalUnit.objects.create(proposal=proposal, unit=unit, due_on=due)
    # A given-back lead frees both places.
    ProposalUnit.objects.filter(proposal=proposal).update(status=AssignmentStatus.GIVEN_BACK)
    ProposalUnit.objects.create(proposal=proposal, unit=unit, is_lead=True, due_on=due)


def test_the_database_keeps_a_proposals_states_consistent(term, office_user):
    proposal = walk(ProposalFactory(term=term), S.SUBMITTED, office_user)
    for bad in (
        {"status": S.REGISTERED},  # no serial
        {"status": S.MERGED},  # no target
        {"status": S.NOT_REGISTERED},  # no reason
        {"converted_to": "letter"},  # only a not-registered one is converted
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Proposal.objects.filter(pk=proposal.pk).update(**bad)


def test_a_cosigner_is_listed_once_and_dropped_matches_status(term):
    proposal = ProposalFactory(term=term, kind=ProposalKind.JOINT)
    member = MemberFactory()
    ProposalCosigner.objects.create(proposal=proposal, member=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalCosigner.objects.create(proposal=proposal, member=member)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProposalCosigner.objects.filter(proposal=proposal).update(status=CosignStatus.DROPPED)


def test_a_proposal_reads_as_its_number_and_title(term, office_user):
    proposal = walk(
        ProposalFactory(term=term, title="关于修缮古南老街的提案"), S.REGISTERED, office_user
    )
    assert str(proposal) == f"{proposal.year}年闭会期间第1号 关于修缮古南老街的提案"
    assert str(ProposalFactory(term=term, title="草稿")) == "草稿"
