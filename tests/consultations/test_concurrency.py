"""Two people advancing the same matter at the same moment, on PostgreSQL's row locks: exactly
one wins, the other is told the matter changed, and the history holds one move."""

import threading

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection

from consultations import workflow
from consultations.models import Matter, MeetingKind, Step
from cppcc.models import Transition
from cppcc.workflow import ConflictError

from .conftest import hold_meeting


def race(matter_pk: int, people) -> list:
    """Each person loads the matter, waits for the others, then clicks 推进 at once."""
    barrier = threading.Barrier(len(people))
    outcomes: list = [None] * len(people)

    def click(i, person):
        try:
            loaded = Matter.objects.get(pk=matter_pk)
            barrier.wait(timeout=10)
            workflow.matter_advance(loaded, by=person, note=f"第{i + 1}位")
            outcomes[i] = "moved"
        except ConflictError as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(i, p)) for i, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_concurrent_advance_has_one_winner_and_one_history_row(
    require_postgres, matter, walk_to, office_user, town_user
):
    walk_to(matter, Step.PRE_MEETING)
    hold_meeting(matter, MeetingKind.PRE_MEETING, office_user)
    outcomes = race(matter.pk, [office_user, town_user])

    assert outcomes.count("moved") == 1, outcomes
    (loser,) = [o for o in outcomes if o != "moved"]
    assert isinstance(loser, ConflictError)
    assert "现场协商" in loser.message  # told where the matter is now
    matter.refresh_from_db()
    assert matter.step == Step.ON_SITE
    moves = Transition.objects.filter(
        content_type=ContentType.objects.get_for_model(Matter),
        object_id=str(matter.pk),
        from_state=Step.PRE_MEETING,
    )
    assert moves.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_completion_has_one_winner(
    require_postgres, matter, walk_to, office_user, town_user
):
    from consultations import services

    walk_to(matter, Step.CLOSING)
    hold_meeting(matter, MeetingKind.CLOSING, office_user)
    services.add_project(
        matter,
        {"title": "道路硬化", "funds_wan": 80, "beneficiaries": 300, "done": False},
        by=office_user,
    )
    services.set_outcome(matter, {"solved": True, "result_summary": "道路通车"}, by=office_user)
    outcomes = race(matter.pk, [office_user, town_user, office_user])
    assert outcomes.count("moved") == 1, outcomes
    assert all(isinstance(o, ConflictError) for o in outcomes if o != "moved")
    assert Transition.objects.filter(field="status", to_state="completed").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_clicks_marking_a_follow_up_task_done_have_one_winner(
    require_postgres, matter, walk_to, office_user, unit_user, unit
):
    from consultations import services
    from consultations.models import FollowUpTask

    walk_to(matter, Step.PRE_MEETING)
    meeting = hold_meeting(matter, MeetingKind.PRE_MEETING, office_user)
    task = FollowUpTask.objects.create(
        meeting=meeting, description="修便道", unit=unit, due_on=meeting.date
    )
    people = [unit_user, office_user]
    barrier = threading.Barrier(len(people))
    outcomes: list = [None] * len(people)

    def click(i, person):
        try:
            loaded = FollowUpTask.objects.get(pk=task.pk)
            barrier.wait(timeout=10)
            services.mark_task_done(loaded, note=f"第{i + 1}位", by=person)
            outcomes[i] = "done"
        except ConflictError as exc:
            outcomes[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=click, args=(i, p)) for i, p in enumerate(people)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)

    assert outcomes.count("done") == 1, outcomes
    task.refresh_from_db()
    winner = outcomes.index("done")
    assert task.done_note == f"第{winner + 1}位"
    # One history row for the creation, one for the winner's mark.
    assert task.history.count() == 2
