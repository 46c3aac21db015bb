"""Studio fixtures on top of the shared cast (tests/conftest.py)."""

import datetime

import pytest

from members.models import PartyAffiliation
from studios import services
from studios.models import MembershipRole

from ..factories import MemberFactory, SpecialCommitteeFactory
from .factories import PartyMemberFactory


@pytest.fixture
def committee(db):
    return SpecialCommitteeFactory(name="提案委员会", short_name="提案委")


@pytest.fixture
def officer(gunan, gunan_studio, term, committee, office_user):
    """古南's United Front officer: a Party member of 古南's studio (seed 000: 陈祖勋)."""
    member = PartyMemberFactory(name="陈祖勋", special_committee=committee)
    services.assign_members(
        gunan_studio, [member], role=MembershipRole.MEMBER, term=term, by=office_user
    )
    services.set_united_front_officer(gunan, member, by=office_user)
    gunan.refresh_from_db()
    return member


@pytest.fixture
def party_group(gunan_studio, officer, office_user):
    return services.create_party_group(
        gunan_studio, officer, by=office_user, founded_on=datetime.date(2022, 6, 1)
    )


@pytest.fixture
def gunan_members(gunan_studio, term, office_user):
    """Five more members of 古南's studio: two Party members, three not."""
    members = [PartyMemberFactory() for _ in range(2)] + [
        MemberFactory(party=PartyAffiliation.NON_PARTY) for _ in range(3)
    ]
    services.assign_members(
        gunan_studio, members, role=MembershipRole.MEMBER, term=term, by=office_user
    )
    return members
