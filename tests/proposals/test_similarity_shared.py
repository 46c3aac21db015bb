"""Similar proposals (issue 13): one corpus of every live proposal per database, shared between
processes through the cache, with each user's scope a filter over it.

A second gunicorn worker is simulated by forgetting this process's copies only
(`clear_caches(shared=False)`): what it still finds, it finds in the shared cache.
"""

import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cppcc.softdelete import soft_delete
from proposals import similarity
from proposals.models import AssignmentStatus, Proposal, ProposalCosigner, ProposalStatus

from .test_similarity import EDITED_SCHOOL_BUS, TEXTS, _serials, assign, make_proposal


@pytest.fixture(autouse=True)
def _fresh_caches():
    similarity.clear_caches()
    yield
    similarity.clear_caches()


@pytest.fixture
def seeded(term):
    return {key: make_proposal(term, key) for key in TEXTS}


@pytest.fixture
def builds(monkeypatch):
    """One entry per corpus built in this process (rather than kept or loaded)."""
    built = []
    build = similarity.Corpus.build

    def spy(documents):
        corpus = build(documents)
        built.append(len(corpus.keys))
        return corpus

    monkeypatch.setattr(similarity.Corpus, "build", spy)
    return built


def _shared_key() -> str:
    return similarity._shared_key(connection.alias, similarity.generation())


def _similar(user, text=EDITED_SCHOOL_BUS, **kwargs):
    return similarity.similar_proposals(text, queryset=Proposal.objects.visible_to(user), **kwargs)


def _store_raw(key: str, data: bytes) -> None:
    """Puts bytes under `key` as the cache backend would store a pickle."""
    full = cache.make_and_validate_key(key)
    client = getattr(cache, "_cache", None)
    if hasattr(client, "get_client"):  # RedisCache
        client.get_client(full, write=True).set(full, data)
    else:  # LocMemCache keeps pickles as well
        cache._cache[full] = data
        cache._expire_info[full] = None


def test_a_corpus_built_by_one_process_is_loaded_by_another(seeded, office_user, builds):
    first = _similar(office_user)
    with CaptureQueriesContext(connection) as warm:
        assert _similar(office_user) == first
    similarity.clear_caches(shared=False)

    with CaptureQueriesContext(connection) as other:
        found = _similar(office_user)

    assert found == first
    assert found[0][0] == seeded["school_bus"]
    assert builds == [len(TEXTS)]
    # The scope's primary keys, then what a warm call reads: no proposal's text for the corpus.
    assert len(other) == len(warm) + 1


def test_office_member_and_unit_scopes_share_one_corpus_yet_see_only_their_own(
    term, seeded, office_user, member_user, unit, unit_user, builds
):
    hidden_draft = make_proposal(term, "school_bus", status=ProposalStatus.DRAFT)
    hidden_unpublished = make_proposal(term, "school_bus", publish=False)
    own_draft = make_proposal(
        term, "school_bus", status=ProposalStatus.DRAFT, lead=member_user.member
    )
    assign(seeded["river"], unit)

    as_office = dict(_similar(office_user, limit=10))
    as_member = dict(_similar(member_user, limit=10))
    as_unit = dict(_similar(unit_user, similarity.proposal_text(seeded["school_bus"])))

    assert builds == [len(TEXTS) + 3]
    assert {seeded["school_bus"], hidden_draft, hidden_unpublished, own_draft} <= as_office.keys()
    assert {seeded["school_bus"], own_draft} <= as_member.keys()
    assert hidden_draft not in as_member
    assert hidden_unpublished not in as_member
    # The unit sees its one proposal, and that is not about school buses.
    assert not as_unit
    assert list(dict(_similar(unit_user, similarity.proposal_text(seeded["river"])))) == [
        seeded["river"]
    ]
    # One IDF for all: a proposal scores the same whoever sees it.
    assert as_member[seeded["school_bus"]] == as_office[seeded["school_bus"]]


def test_a_scope_seen_before_costs_no_query(seeded, member_user, django_assert_num_queries):
    _similar(member_user, with_replies=False)
    with django_assert_num_queries(2):  # the similar rows, their assignments
        found = _similar(member_user, with_replies=False)
    assert found[0][0] == seeded["school_bus"]


def test_a_change_is_seen_at_once_by_every_process(term, seeded, office_user, member_user, builds):
    """Each change moves the generation on: this process and one that only knows the shared
    corpus both rank the proposals as they now are."""

    def everywhere(user):
        here = [p for p, _score in _similar(user)]
        similarity.clear_caches(shared=False)
        elsewhere = [p for p, _score in _similar(user)]
        assert here == elsewhere
        return here

    assert everywhere(office_user)[0] == seeded["school_bus"]
    copy = make_proposal(term, "school_bus")
    assert copy in everywhere(office_user)

    soft_delete(copy, by=office_user)
    assert copy not in everywhere(office_user)

    seeded["school_bus"].delete()
    assert seeded["school_bus"] not in everywhere(office_user)

    draft = make_proposal(term, "school_bus", status=ProposalStatus.DRAFT)
    assert draft not in everywhere(member_user)
    draft.status, draft.serial = ProposalStatus.REGISTERED, next(_serials)
    draft.save()
    assert draft in everywhere(member_user)
    # The first build and one per change (five): the other process loaded each of them.
    assert len(builds) == 6


def test_who_may_see_what_changes_the_scopes_at_once_not_the_corpus(
    term, seeded, member_user, unit, unit_user, builds
):
    def ranked(user):
        # The scope itself, before similar_proposals filters the rows through the queryset again.
        queryset = Proposal.objects.visible_to(user)
        return [
            pk
            for pk, _score in similarity._ranked_pks(
                EDITED_SCHOOL_BUS, queryset, exclude_pk=None, limit=5, threshold=0.1
            )
        ]

    unpublished = make_proposal(term, "school_bus", publish=False)
    assert unpublished.pk not in ranked(member_user)
    assert ranked(unit_user) == []

    ProposalCosigner.objects.create(
        proposal=unpublished, member=member_user.member, status="invited"
    )
    assignment = assign(seeded["school_bus"], unit)
    assert unpublished.pk in ranked(member_user)
    assert ranked(unit_user) == [seeded["school_bus"].pk]

    assignment.status = AssignmentStatus.GIVEN_BACK
    assignment.save(update_fields=["status"])
    assert ranked(unit_user) == []
    # The texts did not change: one corpus served all of it.
    assert len(builds) == 1


@pytest.mark.parametrize(
    "garbage",
    [
        "not a corpus",
        (similarity._CORPUS_FORMAT + 1, time.time(), None),  # stored by other code
        b"\x80\x05\x95truncated",  # not a pickle at all
    ],
)
def test_an_unreadable_shared_corpus_is_a_miss(seeded, office_user, builds, garbage):
    if isinstance(garbage, bytes):
        _store_raw(_shared_key(), garbage)
    else:
        cache.set(_shared_key(), garbage)

    found = _similar(office_user)

    assert found[0][0] == seeded["school_bus"]
    assert len(builds) == 1
    # The garbage was replaced: another process loads the corpus.
    similarity.clear_caches(shared=False)
    assert _similar(office_user) == found
    assert len(builds) == 1


def test_a_process_finding_another_building_waits_for_its_corpus(
    seeded, office_user, builds, monkeypatch
):
    expected = _similar(office_user)  # built by the "other" process, which is not done yet:
    stored = cache.get(_shared_key())
    cache.delete(_shared_key())
    mark = f"{_shared_key()}:building"
    cache.add(mark, 1, timeout=60)
    similarity.clear_caches(shared=False)
    polls = []

    def other_process_finishes(seconds):
        polls.append(seconds)
        if len(polls) == 3:
            cache.set(_shared_key(), stored)
            cache.delete(mark)

    monkeypatch.setattr(similarity.time, "sleep", other_process_finishes)

    assert _similar(office_user) == expected
    assert len(polls) == 3
    assert len(builds) == 1


def test_a_build_left_unfinished_by_another_process_is_waited_for_only_so_long(
    seeded, office_user, builds, monkeypatch
):
    monkeypatch.setattr(similarity, "_BUILD_WAIT", 0.2)
    mark = f"{_shared_key()}:building"
    cache.add(mark, 1, timeout=60)  # a worker killed while building
    started = time.monotonic()

    found = _similar(office_user)

    assert time.monotonic() - started >= 0.2
    assert found[0][0] == seeded["school_bus"]
    assert len(builds) == 1
    assert cache.get(mark) is None
    assert cache.get(_shared_key()) is not None


def test_clear_caches_drops_the_shared_corpus(seeded, office_user, builds):
    _similar(office_user)
    assert cache.get(_shared_key()) is not None

    similarity.clear_caches()

    assert cache.get(_shared_key()) is None
    _similar(office_user)
    assert len(builds) == 2


def test_a_user_who_may_see_no_proposal_gets_nothing(seeded, town_user):
    # Town clerks see no proposal: their scope is empty before any row is read.
    assert _similar(town_user) == []
    assert (
        similarity.suggested_units(
            EDITED_SCHOOL_BUS, queryset=Proposal.objects.visible_to(town_user)
        )
        == []
    )
