"""The bench data generator (bench/generate.py) at a tiny scale on the test database."""

import datetime

import pytest
from django.contrib.auth.hashers import get_hasher
from django.db import transaction

from bench.generate import BENCH_PASSWORD, BenchDataError, build, fingerprint
from consultations.models import ConsultationMeeting, Matter
from cppcc.models import User
from members.models import DutyEntry, Member, Term
from proposals.models import OpinionReport, Proposal
from studios.models import Activity, ActivityAttendance, Studio, Town

SCALE = 0.02
ANCHOR = datetime.date(2026, 11, 30)

pytestmark = pytest.mark.django_db


def _build_and_undo(seed: int) -> str:
    """Builds, takes the fingerprint, then rolls the build back so the next one starts empty."""
    with transaction.atomic():
        build(SCALE, seed, anchor=ANCHOR)
        digest = fingerprint()
        transaction.set_rollback(True)
    return digest


@pytest.fixture
def built(db):
    return build(SCALE, 1, anchor=ANCHOR)


def test_counts_follow_the_scale(built):
    # S=0.02 of one county: 365 × 0.02 ≈ 7 members a term, 1 town, 300 × 0.02 = 6 proposals
    # and 200 × 0.02 = 4 opinion reports a year over ten years.
    assert Town.objects.count() == 1
    for term in Term.objects.all():
        assert term.members.count() == 7
    assert Member.objects.count() == 7 + 7 - 4  # four members serve both terms
    assert Proposal.objects.count() == 10 * 6
    assert OpinionReport.objects.count() == 10 * 4
    # One annual matter per town and year plus one more a year.
    assert Matter.objects.filter(is_annual_topic=True).count() == 10
    assert Matter.objects.count() == 20
    assert Studio.objects.count() == 2  # the town studio and one sector studio
    assert ConsultationMeeting.objects.filter(matter__isnull=True).count() == 10 * 2
    assert Activity.objects.exists() and ActivityAttendance.objects.exists()
    assert DutyEntry.objects.count() == built["members.DutyEntry"] > 0
    assert built["members.Member"] == Member.objects.count()
    assert not Activity.objects.filter(date__gt=ANCHOR).exists()


def test_same_seed_gives_same_rows_and_another_seed_does_not(db):
    first = _build_and_undo(1)
    assert not Member.objects.exists()
    assert _build_and_undo(1) == first
    assert _build_and_undo(2) != first


def test_refuses_a_database_that_already_has_county_data(built):
    members = Member.objects.count()
    with pytest.raises(BenchDataError, match="已有县区数据"):
        build(SCALE, 1, anchor=ANCHOR)
    assert Member.objects.count() == members


def test_logins_have_predictable_names(built):
    names = set(User.objects.values_list("username", flat=True))
    assert {"admin", "office", "leader", "town-1", "member-1", "unit-1"} <= names
    assert User.objects.get(username="town-1").town.name == Town.objects.get().name
    member = User.objects.get(username="member-1").member
    assert member.terms.filter(is_current=True).exists()
    assert member.studio_memberships.filter(end_on__isnull=True, is_town_studio=True).exists()


def test_a_first_login_does_not_rehash_the_password(built):
    # A hash Django wants to update (a salt short of 128 bits) is rewritten at the first login,
    # which ends the sessions of everyone else logged in as that account: the load's office
    # people share one login.
    office = User.objects.get(username="office")
    assert office.check_password(BENCH_PASSWORD)
    assert not get_hasher().must_update(office.password)


def test_pages_render_for_generated_logins(built, client):
    pages = [
        ("office", "/reports/office/"),
        ("office", "/studios/"),
        ("leader", "/reports/dashboard/"),
        ("town-1", "/studios/"),
        ("member-1", "/portal/"),
        ("unit-1", "/"),
    ]
    for username, url in pages:
        user = User.objects.get(username=username)
        assert user.check_password(BENCH_PASSWORD)
        client.force_login(user)
        response = client.get(url, follow=True)
        assert response.status_code == 200, (username, url)
        assert response.context["user"] == user, (username, url)
