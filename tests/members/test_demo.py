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


def test_demo_employers_and_posts_are_as_varied_as_a_real_register(loaded):
    pairs = Member.objects.values("employer", "job_title").annotate(n=Count("pk"))
    assert max(p["n"] for p in pairs) <= 2
    assert len(pairs) > 250
    assert Member.objects.values("employer").distinct().count() > 150
    assert not Member.objects.filter(employer="").exists()
    assert not Member.objects.filter(job_title="").exists()
    # Each kind of unit a county register holds, with posts that fit it.
    for employer, post in (
        ("中学", "校长"),
        ("医院", "院长"),
        ("村", "党支部书记"),
        ("有限公司", "总经理"),
        ("律师事务所", ""),
        ("区委", "副部长"),
    ):
        assert Member.objects.filter(
            employer__contains=employer, job_title__contains=post
        ).exists(), (employer, post)


def test_each_town_has_a_party_member_working_there_as_united_front_officer(loaded):
    officers = Member.objects.filter(job_title="统战委员")
    assert officers.count() == len(demo.TOWNS)
    assert set(officers.values_list("party", flat=True)) == {PartyAffiliation.CPC}
    for town, _places in demo.TOWNS:
        assert officers.filter(employer__startswith=town).count() == 1


def test_rerun_gives_old_demo_members_new_posts_but_keeps_edited_ones(loaded):
    from members import services

    stale = list(Member.objects.order_by("pk")[:15])
    Member.objects.filter(pk__in=[m.pk for m in stale]).update(
        employer="区财政局", job_title="局长"
    )
    edited = stale[0]
    edited.refresh_from_db()
    services.update_member(edited, by=None, employer="区财政局", job_title="局长")
    demo.load(lambda line: None)
    assert list(
        Member.objects.filter(employer="区财政局", job_title="局长").values_list("pk", flat=True)
    ) == [edited.pk]
    history = Member.history.count()
    demo.load(lambda line: None)
    assert Member.history.count() == history
