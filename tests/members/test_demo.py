"""The demo register: believable, valid, idempotent and quick."""

import time

import pytest
from django.db.models import Count

from members import demo
from members.models import Member, PartyAffiliation, Post, Sector, Term
from members.validators import validate_id_number, validate_mobile


@pytest.fixture
def loaded(db):
    started = time.perf_counter()
    demo.load(lambda line: None)
    return time.perf_counter() - started


def test_demo_loads_365_valid_members_quickly(loaded):
    assert loaded < 10
    assert Member.objects.count() == 365
    for member in Member.objects.all():
        validate_id_number(member.id_number)
        validate_mobile(member.mobile)
        assert member.birth_date.strftime("%Y%m%d") == member.id_number[6:14]
        assert 1960 <= member.birth_date.year <= 1990
        assert member.name_pinyin and member.name_initials
    assert Member.objects.values("id_number").distinct().count() == 365


def test_demo_has_terms_posts_and_realistic_parties(loaded):
    assert Term.objects.get(is_current=True).name == "第十五届"
    assert Term.objects.filter(name="第十四届", is_current=False).exists()
    posts = dict(Member.objects.values_list("post").annotate(n=Count("pk")))
    assert posts[Post.CHAIR] == 1 and posts[Post.SECRETARY_GENERAL] == 1
    assert 4 <= posts[Post.VICE_CHAIR] <= 5 and 30 <= posts[Post.STANDING] <= 40
    cpc = Member.objects.filter(party=PartyAffiliation.CPC).count()
    assert 0.28 <= cpc / 365 <= 0.4
    # A democratic party's sector holds that party's members.
    assert set(Member.objects.filter(sector__name="民革").values_list("party", flat=True)) == {
        "rcck"
    }
    assert Member.objects.filter(level="city").exists()
    assert Member.objects.filter(special_committee__isnull=False).count() > 300
    assert Member.objects.filter(name__startswith="曾").exists()
    assert Member.objects.filter(name__startswith="单").exists()


def test_demo_runs_twice_without_changes(loaded):
    before = (
        Member.objects.count(),
        Member.history.count(),
        Sector.objects.count(),
        Term.objects.count(),
    )
    demo.load(lambda line: None)
    after = (
        Member.objects.count(),
        Member.history.count(),
        Sector.objects.count(),
        Term.objects.count(),
    )
    assert before == after
