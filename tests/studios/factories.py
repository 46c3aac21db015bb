"""Studio-side factories. Records whose rules matter in a test are made through
studios.services instead, so tests walk the same path as users."""

import datetime

import factory
from factory.django import DjangoModelFactory

from members.models import PartyAffiliation
from studios.models import Activity, ActivityKind, Problem, StudioKind, Village

from ..factories import MemberFactory, SpecialCommitteeFactory, StudioFactory, TownFactory


class PartyMemberFactory(MemberFactory):
    party = PartyAffiliation.CPC
    special_committee = factory.SubFactory(SpecialCommitteeFactory)


class SectorStudioFactory(StudioFactory):
    kind = StudioKind.SECTOR
    town = None
    host_unit = "区融媒体中心"
    name = factory.Sequence(lambda n: f"界别委员工作室{n}")


class VillageFactory(DjangoModelFactory):
    class Meta:
        model = Village
        django_get_or_create = ("town", "name")

    town = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"测试{n}村")


class ActivityFactory(DjangoModelFactory):
    """An activity without attendance; tests of attendance use services.record_activity."""

    class Meta:
        model = Activity

    studio = factory.SubFactory(StudioFactory)
    kind = ActivityKind.TEA_TALK
    title = factory.Sequence(lambda n: f"茶园夜话第{n}期")
    date = datetime.date(2026, 3, 1)


class ProblemFactory(DjangoModelFactory):
    class Meta:
        model = Problem

    studio = factory.SubFactory(StudioFactory)
    title = factory.Sequence(lambda n: f"场镇停车难{n}")
    raised_by = "居民"
    raised_on = datetime.date(2026, 3, 1)
