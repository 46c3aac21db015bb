"""The demo's year of public-opinion reports: walked through the workflow, about three in ten
adopted at 区 with some at 市 and 省, a few instructions, the member login's own among them,
and a second run adds nothing."""

import pytest
from django.db import transaction
from django.utils import timezone

from cppcc.models import User
from proposals import opinion_demo
from proposals.models import (
    AdoptionLevel,
    LeaderInstruction,
    OpinionAdoption,
    OpinionReport,
    OpinionStatus,
)


def quiet(line: str) -> None:
    pass


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker):
    from cppcc import demo as cppcc_demo
    from members import demo as members_demo
    from proposals import demo as proposals_demo
    from studios import demo as studios_demo

    with django_db_blocker.unblock(), transaction.atomic():
        members_demo.load(quiet)
        studios_demo.load(quiet)
        proposals_demo.load(quiet)
        cppcc_demo.load_users(quiet)
        studios_demo.load_logins(quiet)
        opinion_demo.load(quiet)
        yield
        transaction.set_rollback(True)


def test_a_year_of_reports_at_every_status(county, db):
    reports = OpinionReport.objects.all()
    assert 70 <= reports.count() <= opinion_demo.COUNT
    statuses = set(reports.values_list("status", flat=True))
    assert statuses == set(OpinionStatus.values)
    today = timezone.localdate()
    assert not reports.filter(submitted_on__gt=today).exists()
    assert reports.filter(submitted_on__lt=today.replace(year=today.year - 1)).count() == 0


def test_adoptions_by_level_look_like_a_district(county, db):
    total = OpinionReport.objects.count()
    district = OpinionAdoption.objects.filter(level=AdoptionLevel.DISTRICT).count()
    city = OpinionAdoption.objects.filter(level=AdoptionLevel.CITY).count()
    province = OpinionAdoption.objects.filter(level=AdoptionLevel.PROVINCE).count()
    assert 0.2 * total <= district <= 0.4 * total
    assert 1 <= city < district
    assert 1 <= province <= 2
    assert 2 <= LeaderInstruction.objects.count() <= 10
    assert not OpinionAdoption.objects.filter(adopted_on__gt=timezone.localdate()).exists()


def test_the_member_login_has_reports_of_its_own(county, db):
    member = User.objects.get(username="member").member
    assert OpinionReport.objects.filter(members=member).count() >= 3


def test_second_run_adds_nothing(county, db):
    before = (
        OpinionReport.objects.count(),
        OpinionAdoption.objects.count(),
        LeaderInstruction.objects.count(),
    )
    opinion_demo.load(quiet)
    after = (
        OpinionReport.objects.count(),
        OpinionAdoption.objects.count(),
        LeaderInstruction.objects.count(),
    )
    assert after == before
