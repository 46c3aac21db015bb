"""立案 numbers: the next serial of the proposal's term and session, without gaps or repeats,
also when several clerks register at the same moment (PostgreSQL's row locks)."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from cppcc.models import Transition
from cppcc.workflow import ConflictError
from proposals import workflow
from proposals.models import Proposal, ProposalStatus
from tests.factories import CommitteeSessionFactory, ProposalFactory, TermFactory, UserFactory

from .flow import walk

S = ProposalStatus


def test_each_session_and_the_time_between_sessions_count_on_their_own(term, office_user):
    third, fourth = CommitteeSessionFactory(term=term), CommitteeSessionFactory(term=term)
    order = [third, fourth, None, third, None, third]
    done = [walk(ProposalFactory(term=term, session=s), S.REGISTERED, office_user) for s in order]
    assert [p.serial for p in done] == [1, 1, 1, 2, 2, 3]
    assert [p.number for p in done] == ["1", "1", "闭会1", "2", "闭会2", "3"]


def test_another_term_starts_again_at_one(term, office_user):
    walk(ProposalFactory(term=term), S.REGISTERED, office_user)
    older = TermFactory(name="第十四届", start_year=2016, end_year=2021, is_current=False)
    assert walk(ProposalFactory(term=older), S.REGISTERED, office_user).serial == 1


def test_proposals_reviewed_otherwise_take_no_number(term, office_user):
    walk(ProposalFactory(term=term), S.NOT_REGISTERED, office_user)
    walk(ProposalFactory(term=term), S.MERGED, office_user)  # its target takes 1
    assert walk(ProposalFactory(term=term), S.REGISTERED, office_user).serial == 2


def test_the_database_refuses_a_repeated_serial(term, office_user):
    session = CommitteeSessionFactory(term=term)
    first = walk(ProposalFactory(term=term, session=session), S.REGISTERED, office_user)
    second = walk(ProposalFactory(term=term, session=session), S.REGISTERED, office_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=second.pk).update(serial=first.serial)
    between = [walk(ProposalFactory(term=term), S.REGISTERED, office_user) for _ in range(2)]
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.filter(pk=between[1].pk).update(serial=1)


def _at_once(work, count: int) -> list:
    """Runs work(i) in `count` threads released together; returns each result or exception."""
    barrier = threading.Barrier(count)
    outcomes: list = [None] * count

    def run(i):
        try:
            barrier.wait(timeout=10)
            outcomes[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - the test inspects what each thread met
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_consecutive_numbers(require_postgres, term, office_user):
    session = CommitteeSessionFactory(term=term)
    clerks = [office_user] + [
        UserFactory(username=f"t-office-{i}", roles=["office"]) for i in range(5)
    ]
    proposals = [
        walk(ProposalFactory(term=term, session=session), S.SUBMITTED, office_user)
        for _ in range(len(clerks) * 2)
    ]

    def register(i):
        # Each clerk registers two proposals, one after the other, all clerks at once.
        for p in proposals[i * 2 : i * 2 + 2]:
            workflow.proposal_register(Proposal.objects.get(pk=p.pk), by=clerks[i])
        return "ok"

    outcomes = _at_once(register, len(clerks))
    assert outcomes == ["ok"] * len(clerks), outcomes
    serials = sorted(Proposal.objects.filter(session=session).values_list("serial", flat=True))
    assert serials == list(range(1, len(proposals) + 1))


@pytest.mark.django_db(transaction=True)
def test_two_clerks_registering_the_same_proposal_have_one_winner(
    require_postgres, term, office_user
):
    session = CommitteeSessionFactory(term=term)
    proposal = walk(ProposalFactory(term=term, session=session), S.SUBMITTED, office_user)
    other = UserFactory(username="t-office-b", roles=["office"])
    people = [office_user, other, office_user]
    loaded = [Proposal.objects.get(pk=proposal.pk) for _ in people]

    def register(i):
        workflow.proposal_register(loaded[i], by=people[i], note=f"第{i + 1}位")
        return "registered"

    outcomes = _at_once(register, len(people))
    assert outcomes.count("registered") == 1, outcomes
    losers = [o for o in outcomes if o != "registered"]
    assert all(isinstance(o, ConflictError) and "已立案" in o.message for o in losers)
    proposal.refresh_from_db()
    assert proposal.serial == 1
    assert Transition.objects.filter(object_id=str(proposal.pk), to_state=S.REGISTERED).count() == 1
    # The next one is 2: the losers left no gap.
    nxt = walk(ProposalFactory(term=term, session=session), S.REGISTERED, office_user)
    assert nxt.serial == 2
