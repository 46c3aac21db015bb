"""Factories for the records every app's tests need. Apps add their own in tests/<app>/."""

import datetime

import factory
from factory.django import DjangoModelFactory

from cppcc.models import User
from members.models import Gender, Member, PartyAffiliation, Sector, SpecialCommittee, Term
from proposals.models import HandlingUnit
from studios.models import MembershipRole, Studio, StudioKind, StudioMembership, Town


class TermFactory(DjangoModelFactory):
    class Meta:
        model = Term
        django_get_or_create = ("name",)

    name = "第十五届"
    start_year = 2021
    end_year = 2026
    is_current = True


class SectorFactory(DjangoModelFactory):
    class Meta:
        model = Sector
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"界别{n}")


class SpecialCommitteeFactory(DjangoModelFactory):
    class Meta:
        model = SpecialCommittee
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"专委会{n}")


class MemberFactory(DjangoModelFactory):
    """A member with no ID number or mobile unless a test gives them (they must be valid)."""

    class Meta:
        model = Member

    name = factory.Faker("name", locale="zh_CN")
    gender = Gender.MALE
    sector = factory.SubFactory(SectorFactory)
    party = PartyAffiliation.NON_PARTY
    birth_date = datetime.date(1975, 5, 1)


class TownFactory(DjangoModelFactory):
    class Meta:
        model = Town
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试{n}镇")


class StudioFactory(DjangoModelFactory):
    class Meta:
        model = Studio
        django_get_or_create = ("name",)

    kind = StudioKind.TOWN
    town = factory.SubFactory(TownFactory)
    name = factory.LazyAttribute(lambda o: f"{o.town.name}委员工作室")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = StudioMembership

    member = factory.SubFactory(MemberFactory)
    studio = factory.SubFactory(StudioFactory)
    term = factory.SubFactory(TermFactory)
    role = MembershipRole.MEMBER
    is_town_studio = factory.LazyAttribute(lambda o: o.studio.kind == StudioKind.TOWN)
    start_on = datetime.date(2022, 1, 1)


class HandlingUnitFactory(DjangoModelFactory):
    class Meta:
        model = HandlingUnit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"区测试局{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "cppcc-test-pass")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        from cppcc.roles import grant_role

        self.save()
        if extracted:
            grant_role(self, *extracted)


# --- proposals (helper P-A) --------------------------------------------------------------------


class CommitteeSessionFactory(DjangoModelFactory):
    """A plenary session of the current term whose proposal window is open today."""

    class Meta:
        model = "members.CommitteeSession"

    term = factory.SubFactory(TermFactory)
    kind = "plenary"
    name = factory.Sequence(lambda n: f"第十五届第{n + 1}次会议")
    ordinal = factory.Sequence(lambda n: n + 1)
    starts_on = factory.LazyFunction(lambda: datetime.date.today() + datetime.timedelta(days=20))
    ends_on = factory.LazyAttribute(lambda o: o.starts_on + datetime.timedelta(days=3))
    proposals_open_on = factory.LazyFunction(
        lambda: datetime.date.today() - datetime.timedelta(days=10)
    )
    proposals_close_on = factory.LazyFunction(
        lambda: datetime.date.today() + datetime.timedelta(days=10)
    )


class ProposalFactory(DjangoModelFactory):
    """A complete individual draft between sessions; move it on with proposals.workflow."""

    class Meta:
        model = "proposals.Proposal"

    term = factory.SubFactory(TermFactory)
    session = None
    category = "economy"
    title = factory.Sequence(lambda n: f"关于加强农村公路养护的提案（{n}）")
    reasons = "部分村道路面破损，群众出行不便。"
    suggestions = "建议设立养护专项资金，落实镇村养护责任。"
    kind = "individual"
    lead_proposer = factory.SubFactory(MemberFactory)
