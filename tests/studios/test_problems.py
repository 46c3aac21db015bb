import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from cppcc.models import Transition
from cppcc.workflow import ConflictError, WorkflowError
from studios import services, workflow
from studios.models import Problem, ProblemStatus

from .factories import VillageFactory

DAY = datetime.date(2026, 4, 2)


@pytest.fixture
def problem(gunan, gunan_studio, member_a, office_user):
    village = VillageFactory(town=gunan, name="春光村")
    return services.create_problem(
        gunan_studio,
        {"title": "场镇停车难", "raised_by": "居民林应强", "raised_on": DAY, "village": village},
        [member_a],
        by=office_user,
    )


def test_problem_is_created_open_with_its_followers(problem, member_a):
    assert problem.status == ProblemStatus.OPEN
    assert list(problem.followers.all()) == [member_a]


def test_followers_must_be_members_of_the_studio(gunan_studio, member_b, office_user):
    with pytest.raises(WorkflowError, match="跟进委员"):
        services.create_problem(
            gunan_studio, {"title": "路灯", "raised_on": DAY}, [member_b], by=office_user
        )
    assert not Problem.objects.exists()


def test_problem_cannot_be_solved_without_date_or_how(problem, office_user):
    with pytest.raises(WorkflowError, match="解决日期"):
        workflow.problem_solve(problem, solved_on=None, resolution="已协调", by=office_user)
    with pytest.raises(WorkflowError, match="解决情况"):
        workflow.problem_solve(problem, solved_on=DAY, resolution="  ", by=office_user)
    with pytest.raises(WorkflowError, match="早于反映日期"):
        workflow.problem_solve(
            problem, solved_on=DAY - datetime.timedelta(days=1), resolution="x", by=office_user
        )
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN


def test_problem_goes_open_in_hand_solved_and_writes_transitions(problem, office_user):
    workflow.problem_take(problem, by=office_user)
    workflow.problem_solve(problem, solved_on=DAY, resolution="协调新增停车位40个", by=office_user)

    problem.refresh_from_db()
    assert (problem.status, problem.solved_on, problem.resolution) == (
        "solved",
        DAY,
        "协调新增停车位40个",
    )
    moves = Transition.objects.filter(
        content_type=ContentType.objects.get_for_model(Problem), object_id=str(problem.pk)
    ).order_by("id")
    assert [(t.from_state, t.to_state, t.by) for t in moves] == [
        ("open", "in_hand", office_user),
        ("in_hand", "solved", office_user),
    ]


def test_second_concurrent_solve_loses_with_conflict(problem, office_user, town_user):
    first = Problem.objects.get(pk=problem.pk)
    second = Problem.objects.get(pk=problem.pk)  # loaded before the first click lands
    workflow.problem_solve(first, solved_on=DAY, resolution="甲处理", by=office_user)
    with pytest.raises(ConflictError):
        workflow.problem_solve(second, solved_on=DAY, resolution="乙处理", by=town_user)
    problem.refresh_from_db()
    assert problem.resolution == "甲处理"
    assert Transition.objects.filter(to_state="solved").count() == 1


def test_in_hand_cannot_be_taken_twice(problem, office_user):
    workflow.problem_take(problem, by=office_user)
    with pytest.raises(ConflictError):
        workflow.problem_take(Problem.objects.get(pk=problem.pk), by=office_user)


def test_reopen_needs_a_reason_and_clears_the_resolution(problem, office_user):
    workflow.problem_solve(problem, solved_on=DAY, resolution="已解决", by=office_user)
    with pytest.raises(WorkflowError, match="原因"):
        workflow.problem_reopen(problem, reason="", by=office_user)
    workflow.problem_reopen(problem, reason="居民再次反映", by=office_user)
    problem.refresh_from_db()
    assert (problem.status, problem.solved_on, problem.resolution) == ("in_hand", None, "")


def test_village_must_lie_in_the_studios_town(gunan_studio, dongxi, office_user):
    elsewhere = VillageFactory(town=dongxi, name="二居社区")
    with pytest.raises(WorkflowError, match="不在"):
        services.create_problem(
            gunan_studio, {"title": "x", "raised_on": DAY, "village": elsewhere}, by=office_user
        )
