import datetime
from decimal import Decimal

import pytest

from cppcc.workflow import WorkflowError
from studios import services
from studios.models import MembershipRole

from .factories import SectorStudioFactory, VillageFactory

DAY = datetime.date(2026, 12, 2)


def test_duty_member_must_be_in_the_studio(gunan_studio, member_b, office_user):
    with pytest.raises(WorkflowError, match="不是古南街道委员工作室的现任成员"):
        services.assign_duty(gunan_studio, member_b, DAY, by=office_user)


def test_duty_is_not_double_booked(gunan_studio, member_a, term, office_user):
    services.assign_duty(gunan_studio, member_a, DAY, by=office_user)
    with pytest.raises(WorkflowError, match="已在古南街道委员工作室值日"):
        services.assign_duty(gunan_studio, member_a, DAY, by=office_user)
    media = SectorStudioFactory()
    services.assign_members(
        media, [member_a], role=MembershipRole.LINKED, term=term, by=office_user
    )
    with pytest.raises(WorkflowError, match="已在"):
        services.assign_duty(media, member_a, DAY, by=office_user)


def _head(member, village, **extra):
    return {
        "member": member,
        "village": village,
        "start_on": datetime.date(2024, 1, 1),
        "acres_developed": Decimal("300"),
        "enterprises_fostered": 2,
        "funds_secured_wan": Decimal("50"),
        "livestreams": 6,
        "income_raised_wan": Decimal("80"),
        **extra,
    }


def test_honorary_head_period_must_end_after_it_starts(gunan, member_a, office_user):
    village = VillageFactory(town=gunan, name="春光村")
    with pytest.raises(WorkflowError, match="截止日期不能早于"):
        services.create_honorary_head(
            _head(member_a, village, end_on=datetime.date(2023, 1, 1)), by=office_user
        )


def test_honorary_head_figures_cannot_be_negative(gunan, member_a, office_user):
    village = VillageFactory(town=gunan, name="春光村")
    with pytest.raises(WorkflowError, match="不能为负数"):
        services.create_honorary_head(
            _head(member_a, village, funds_secured_wan=Decimal("-1")), by=office_user
        )
    head = services.create_honorary_head(_head(member_a, village), by=office_user)
    assert head.acres_developed == Decimal("300")
    with pytest.raises(WorkflowError, match="重叠"):
        services.create_honorary_head(
            _head(member_a, village, start_on=datetime.date(2025, 1, 1)), by=office_user
        )
