"""A Party group whose leader stops being eligible (no longer a Party member, or left the
committee) is flagged as needing a new leader; the office and the town clerk are told; the
group page and list show it; appointing an eligible leader clears it (issue 9)."""

import datetime

import pytest
from django.urls import reverse

from cppcc.models import Notification
from members import services as member_services
from members import workflow as member_workflow
from members.models import MemberChangeRequest, PartyAffiliation
from studios import services
from studios.models import MembershipRole, PartyGroup

from .factories import PartyMemberFactory


@pytest.fixture
def sector_group(office_user, term):
    """A sector studio's group led by a plain Party member (no town office involved)."""
    from .factories import SectorStudioFactory

    studio = SectorStudioFactory(name="媒体委员工作室")
    leader = PartyMemberFactory(name="王媒体")
    services.assign_members(studio, [leader], role=MembershipRole.CORE, term=term, by=office_user)
    return services.create_party_group(studio, leader, by=office_user)


def _notified(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_leader_changing_party_flags_the_group_and_tells_office_and_town_clerk(
    party_group, officer, office_user, town_user, other_town_user
):
    member_services.update_member(officer, by=office_user, party=PartyAffiliation.NON_PARTY)

    party_group.refresh_from_db()
    assert party_group.leader_vacant_since is not None
    assert "不再是中共党员" in party_group.leader_vacant_reason
    assert "陈祖勋" in party_group.leader_vacant_reason
    title = f"党小组需更换组长：{party_group.name}"
    assert _notified(office_user) == [title]
    assert _notified(town_user) == [title]
    assert _notified(other_town_user) == []  # another town's clerk hears nothing of 古南


def test_leader_leaving_the_committee_flags_the_group(party_group, officer, office_user):
    member_workflow.member_leave(
        officer, on=datetime.date(2026, 6, 1), reason="工作调动", by=office_user
    )
    party_group.refresh_from_db()
    assert party_group.leader_vacant_since is not None
    assert "已退出政协委员" in party_group.leader_vacant_reason


def test_party_change_by_spreadsheet_import_also_flags(sector_group, office_user):
    leader = sector_group.leader
    leader.party = PartyAffiliation.NON_PARTY
    member_services.bulk_save_members([], [(leader, [])], by=office_user)
    sector_group.refresh_from_db()
    assert sector_group.leader_vacant_since is not None


def test_non_leaders_change_flags_nothing(party_group, gunan_members, office_user, town_user):
    member_services.update_member(
        gunan_members[0], by=office_user, party=PartyAffiliation.NON_PARTY
    )
    member_workflow.member_leave(
        gunan_members[1], on=datetime.date(2026, 6, 1), reason="工作调动", by=office_user
    )
    party_group.refresh_from_db()
    assert party_group.leader_vacant_since is None
    assert _notified(office_user) == [] and _notified(town_user) == []


def test_leaders_change_of_other_fields_flags_nothing(party_group, officer, office_user):
    member_services.update_member(officer, by=office_user, employer="古南街道党工委")
    party_group.refresh_from_db()
    assert party_group.leader_vacant_since is None


def test_approved_change_request_goes_through_the_same_path(party_group, officer, office_user):
    # Members may only ask to change contact details, so an approval never flags the group.
    request = MemberChangeRequest.objects.create(member=officer, changes={"wishes": "乡村振兴"})
    member_workflow.change_request_approve(request, by=office_user)
    party_group.refresh_from_db()
    assert party_group.leader_vacant_since is None


def test_a_refused_member_change_leaves_no_flag(sector_group, office_user):
    """The flag is written in the member change's transaction: a change that fails later
    leaves neither the new party nor the flag."""
    from django.db import transaction

    leader = sector_group.leader
    with pytest.raises(RuntimeError), transaction.atomic():
        member_services.update_member(leader, by=office_user, party=PartyAffiliation.NON_PARTY)
        raise RuntimeError("something after it failed")
    sector_group.refresh_from_db()
    assert sector_group.leader_vacant_since is None


def test_appointing_an_eligible_leader_clears_the_flag(sector_group, office_user, term):
    member_services.update_member(
        sector_group.leader, by=office_user, party=PartyAffiliation.NON_PARTY
    )
    successor = PartyMemberFactory(name="赵接任")
    services.assign_members(
        sector_group.studio, [successor], role=MembershipRole.CORE, term=term, by=office_user
    )
    services.change_party_group_leader(sector_group, successor, by=office_user)
    sector_group.refresh_from_db()
    assert sector_group.leader == successor
    assert sector_group.leader_vacant_since is None and sector_group.leader_vacant_reason == ""


def test_town_group_is_cleared_by_appointing_a_new_officer(
    party_group, officer, gunan, gunan_members, office_user
):
    member_services.update_member(officer, by=office_user, party=PartyAffiliation.NON_PARTY)
    # The town group's leader is the town's officer: naming a new one moves the leadership.
    services.set_united_front_officer(gunan, gunan_members[0], by=office_user)
    party_group.refresh_from_db()
    assert party_group.leader == gunan_members[0]
    assert party_group.leader_vacant_since is None


def test_the_same_ineligible_leader_cannot_be_reconfirmed(sector_group, office_user):
    from cppcc.workflow import WorkflowError

    leader = sector_group.leader
    member_services.update_member(leader, by=office_user, party=PartyAffiliation.NON_PARTY)
    with pytest.raises(WorkflowError, match="不是中共党员"):
        services.change_party_group_leader(sector_group, leader, by=office_user)
    # Once the record is corrected, re-confirming the same person clears the flag.
    member_services.update_member(leader, by=office_user, party=PartyAffiliation.CPC)
    services.change_party_group_leader(sector_group, leader, by=office_user)
    sector_group.refresh_from_db()
    assert sector_group.leader_vacant_since is None


def test_group_page_and_list_show_the_vacancy(
    client_for, party_group, officer, office_user, town_user, dongxi_studio
):
    member_services.update_member(officer, by=office_user, party=PartyAffiliation.NON_PARTY)
    c = client_for(town_user)
    page = c.get(party_group.studio.get_absolute_url()).content.decode()
    assert 'data-testid="leader-vacant"' in page and "不再是中共党员" in page

    listing = c.get(reverse("studios:party_group_list"), {"needs_leader": "1"})
    body = listing.content.decode()
    assert [g.pk for g in listing.context["page_obj"]] == [party_group.pk]
    assert "待更换组长" in body and "不再是中共党员" in body


def test_needs_leader_filter_leaves_out_groups_with_a_leader(
    client_for, party_group, sector_group, office_user
):
    member_services.update_member(
        sector_group.leader, by=office_user, party=PartyAffiliation.NON_PARTY
    )
    c = client_for(office_user)
    everything = c.get(reverse("studios:party_group_list")).context["page_obj"]
    assert {g.pk for g in everything} == {party_group.pk, sector_group.pk}
    assert everything[0].pk == sector_group.pk  # the ones needing a leader first
    flagged = c.get(reverse("studios:party_group_list"), {"needs_leader": "1"})
    assert [g.pk for g in flagged.context["page_obj"]] == [sector_group.pk]
    assert PartyGroup.objects.filter(leader_vacant_since__isnull=False).count() == 1
