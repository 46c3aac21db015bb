import pytest

from cppcc.workflow import WorkflowError
from members.models import PartyAffiliation
from studios import selectors, services
from studios.models import MembershipRole, PartyBranch

from ..factories import MemberFactory, SpecialCommitteeFactory
from .factories import PartyMemberFactory, SectorStudioFactory


def test_party_group_leader_must_be_a_party_member(gunan, gunan_studio, term, office_user):
    democrat = MemberFactory(party=PartyAffiliation.CDL)
    services.assign_members(
        gunan_studio, [democrat], role=MembershipRole.MEMBER, term=term, by=office_user
    )
    services.set_united_front_officer(gunan, democrat, by=office_user)
    with pytest.raises(WorkflowError, match="不是中共党员"):
        services.create_party_group(gunan_studio, democrat, by=office_user)


def test_party_group_leader_must_be_a_current_member_of_the_studio(
    gunan_studio, officer, dongxi_studio, office_user
):
    with pytest.raises(WorkflowError, match="不是东溪镇委员工作室的现任成员"):
        services.create_party_group(dongxi_studio, officer, by=office_user)


def test_party_group_leader_must_be_the_towns_united_front_officer(
    gunan_studio, officer, term, office_user
):
    other = PartyMemberFactory(name="赵党员")
    services.assign_members(
        gunan_studio, [other], role=MembershipRole.MEMBER, term=term, by=office_user
    )
    with pytest.raises(WorkflowError, match="统战委员"):
        services.create_party_group(gunan_studio, other, by=office_user)


def test_party_group_with_a_valid_leader_is_created_once(gunan_studio, officer, office_user):
    group = services.create_party_group(gunan_studio, officer, by=office_user)
    assert group.leader == officer and group.name == "古南街道委员工作室党小组"
    with pytest.raises(WorkflowError, match="已成立党小组"):
        services.create_party_group(gunan_studio, officer, by=office_user)


def test_united_front_officer_must_sit_in_the_towns_studio(
    gunan, gunan_studio, member_b, office_user
):
    with pytest.raises(WorkflowError, match="不是古南街道委员工作室的成员"):
        services.set_united_front_officer(gunan, member_b, by=office_user)


def test_new_officer_takes_over_the_party_group(
    gunan, gunan_studio, party_group, term, office_user
):
    successor = PartyMemberFactory(name="钱继任")
    services.assign_members(
        gunan_studio, [successor], role=MembershipRole.MEMBER, term=term, by=office_user
    )
    services.set_united_front_officer(gunan, successor, by=office_user)
    party_group.refresh_from_db()
    assert party_group.leader == successor


def test_non_party_officer_is_refused_when_the_group_cannot_follow(
    gunan, gunan_studio, party_group, officer, term, office_user
):
    outsider = MemberFactory(party=PartyAffiliation.NON_PARTY)
    services.assign_members(
        gunan_studio, [outsider], role=MembershipRole.MEMBER, term=term, by=office_user
    )
    with pytest.raises(WorkflowError, match="不是中共党员"):
        services.set_united_front_officer(gunan, outsider, by=office_user)
    gunan.refresh_from_db()
    assert gunan.united_front_officer == officer  # nothing half-written


def test_guiding_branch_follows_the_leaders_committee(party_group, officer, committee, office_user):
    economy = SpecialCommitteeFactory(name="经济委员会", short_name="经济委")
    services.ensure_party_branches(by=office_user)
    group = selectors.party_groups_with_branch(
        type(party_group).objects.filter(pk=party_group.pk)
    ).get()
    assert group.guiding_branch.name == "提案委功能型党支部"

    officer.special_committee = economy
    officer.save(update_fields=["special_committee"])

    group = selectors.party_groups_with_branch(
        type(party_group).objects.filter(pk=party_group.pk)
    ).get()
    assert group.guiding_branch.name == "经济委功能型党支部"
    assert group.guiding_branch.special_committee == economy


def test_ensure_party_branches_creates_one_per_committee_once(committee):
    SpecialCommitteeFactory(name="社会和法制委员会", short_name="")
    assert services.ensure_party_branches() == 2
    assert services.ensure_party_branches() == 0
    assert set(PartyBranch.objects.values_list("name", flat=True)) == {
        "提案委功能型党支部",
        "社会和法制委员会功能型党支部",
    }


def test_party_group_members_are_the_studios_current_party_members(
    party_group, gunan_members, officer, member_a, office_user
):
    names = set(selectors.party_group_members(party_group).values_list("name", flat=True))
    assert names == {officer.name, gunan_members[0].name, gunan_members[1].name}
    services.end_membership(gunan_members[0].studio_memberships.get(), by=office_user)
    assert gunan_members[0] not in selectors.party_group_members(party_group)


def test_sector_studio_group_needs_no_town_officer(term, office_user):
    media = SectorStudioFactory(name="媒体委员工作室")
    leader = PartyMemberFactory()
    services.assign_members(media, [leader], role=MembershipRole.CORE, term=term, by=office_user)
    assert services.create_party_group(media, leader, by=office_user).leader == leader


def test_party_group_leader_cannot_leave_the_studio(party_group, officer, office_user):
    with pytest.raises(WorkflowError, match="党小组组长"):
        services.end_membership(officer.studio_memberships.get(), by=office_user)


def test_contact_pair_joins_a_party_member_to_a_non_party_member(
    officer, member_a, term, office_user
):
    import datetime

    with pytest.raises(WorkflowError, match="不是中共党员"):
        services.create_contact_pair(
            member_a, officer, term=term, since=datetime.date(2026, 1, 1), by=office_user
        )
    other_cpc = PartyMemberFactory()
    with pytest.raises(WorkflowError, match="须为党外委员"):
        services.create_contact_pair(
            officer, other_cpc, term=term, since=datetime.date(2026, 1, 1), by=office_user
        )
    pair = services.create_contact_pair(
        officer, member_a, term=term, since=datetime.date(2026, 1, 1), by=office_user
    )
    record = services.add_contact_record(
        pair, date=datetime.date(2026, 2, 1), way="visit", content="交流蓝莓产业", by=office_user
    )
    assert pair.records.get() == record
    with pytest.raises(WorkflowError, match="早于"):
        services.add_contact_record(
            pair, date=datetime.date(2025, 2, 1), way="visit", content="x", by=office_user
        )
