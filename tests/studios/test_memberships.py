import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from cppcc.workflow import WorkflowError
from members.models import MemberStatus
from studios import selectors, services
from studios.models import MembershipRole, StudioMembership

from ..factories import MemberFactory
from .factories import SectorStudioFactory


def test_assigning_to_another_town_studio_moves_the_member_and_records_it(
    member_a, gunan_studio, dongxi_studio, term, office_user
):
    n = services.assign_members(
        dongxi_studio, [member_a], role=MembershipRole.MEMBER, term=term, by=office_user
    )

    assert n == 1
    old = StudioMembership.objects.get(member=member_a, studio=gunan_studio)
    assert old.end_on == timezone.localdate()
    new = StudioMembership.objects.get(member=member_a, studio=dongxi_studio)
    assert new.end_on is None and new.is_town_studio
    assert old.history.first().history_change_reason == "调整至东溪镇委员工作室"
    assert new.history.first().history_user == office_user
    current = StudioMembership.objects.filter(
        member=member_a, term=term, is_town_studio=True, end_on__isnull=True
    )
    assert list(current.values_list("studio__name", flat=True)) == ["东溪镇委员工作室"]


def test_database_holds_one_current_town_studio_per_member_per_term(member_a, dongxi_studio, term):
    with pytest.raises(IntegrityError), transaction.atomic():
        StudioMembership.objects.create(
            member=member_a,
            studio=dongxi_studio,
            term=term,
            role=MembershipRole.MEMBER,
            is_town_studio=True,
            start_on=datetime.date(2026, 1, 1),
        )


def test_assigning_again_to_the_same_studio_changes_nothing(
    member_a, gunan_studio, term, office_user
):
    assert (
        services.assign_members(
            gunan_studio, [member_a], role=MembershipRole.MEMBER, term=term, by=office_user
        )
        == 0
    )
    assert StudioMembership.objects.filter(member=member_a).count() == 1


def test_sector_studio_takes_core_or_linked_and_keeps_the_town_studio(member_a, term, office_user):
    media = SectorStudioFactory(name="媒体委员工作室")
    with pytest.raises(WorkflowError, match="核心委员或联动委员"):
        services.assign_members(
            media, [member_a], role=MembershipRole.MEMBER, term=term, by=office_user
        )

    services.assign_members(media, [member_a], role=MembershipRole.CORE, term=term, by=office_user)

    rows = StudioMembership.objects.filter(member=member_a, end_on__isnull=True)
    assert {(r.studio.name, r.role, r.is_town_studio) for r in rows} == {
        ("古南街道委员工作室", "member", True),
        ("媒体委员工作室", "core", False),
    }


def test_changing_a_sector_role_ends_the_old_membership(member_a, term, office_user):
    media = SectorStudioFactory()
    services.assign_members(
        media, [member_a], role=MembershipRole.LINKED, term=term, by=office_user
    )
    services.assign_members(media, [member_a], role=MembershipRole.CORE, term=term, by=office_user)
    roles = list(
        StudioMembership.objects.filter(member=member_a, studio=media).values_list("role", "end_on")
    )
    assert sorted(r for r, end in roles if end is None) == ["core"]
    assert len(roles) == 2


def test_town_studio_refuses_sector_roles(member_b, gunan_studio, term, office_user):
    with pytest.raises(WorkflowError, match="驻室委员"):
        services.assign_members(
            gunan_studio, [member_b], role=MembershipRole.CORE, term=term, by=office_user
        )


def test_member_who_left_cannot_be_assigned(gunan_studio, term, office_user):
    gone = MemberFactory(status=MemberStatus.LEFT)
    with pytest.raises(WorkflowError, match="已退出"):
        services.assign_members(
            gunan_studio, [gone], role=MembershipRole.MEMBER, term=term, by=office_user
        )


def test_towns_officer_cannot_be_moved_away_until_replaced(
    officer, dongxi_studio, term, office_user
):
    with pytest.raises(WorkflowError, match="统战委员"):
        services.assign_members(
            dongxi_studio, [officer], role=MembershipRole.MEMBER, term=term, by=office_user
        )
    assert StudioMembership.objects.filter(member=officer, end_on__isnull=True).count() == 1


def test_unassigned_members_are_those_without_a_current_town_studio(member_a, term, office_user):
    loose = MemberFactory(name="王未分")
    media = SectorStudioFactory()
    services.assign_members(media, [loose], role=MembershipRole.CORE, term=term, by=office_user)
    MemberFactory(status=MemberStatus.LEFT)

    assert list(selectors.unassigned_members(term).values_list("name", flat=True)) == ["王未分"]


def test_database_refuses_a_role_that_does_not_match_the_studio_kind(member_b, gunan_studio, term):
    with pytest.raises(IntegrityError), transaction.atomic():
        StudioMembership.objects.create(
            member=member_b,
            studio=gunan_studio,
            term=term,
            role=MembershipRole.CORE,
            is_town_studio=True,
            start_on=datetime.date(2026, 1, 1),
        )


def test_ending_a_membership_keeps_the_row_with_an_end_date(member_a, office_user):
    membership = StudioMembership.objects.get(member=member_a)
    services.end_membership(membership, by=office_user)
    membership.refresh_from_db()
    assert membership.end_on == timezone.localdate()
