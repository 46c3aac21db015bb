import pytest

from cppcc.audit import object_history
from cppcc.models import Transition
from cppcc.workflow import ConflictError, transition
from studios.models import Problem, ProblemStatus


@pytest.fixture
def problem(gunan_studio):
    return Problem.objects.create(
        studio=gunan_studio, title="春光村道路破损", raised_by="村民王某", raised_on="2026-03-01"
    )


def test_transition_records_who_when_from_to_and_note(problem, office_user):
    transition(
        problem,
        field="status",
        allowed_from=[ProblemStatus.OPEN],
        to=ProblemStatus.IN_HAND,
        by=office_user,
        note="已转交通局",
    )
    row = Transition.objects.get(object_id=str(problem.pk))
    assert (row.from_state, row.to_state, row.by, row.note) == (
        "open",
        "in_hand",
        office_user,
        "已转交通局",
    )
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.IN_HAND


def test_transition_from_a_state_not_allowed_changes_nothing(problem, office_user):
    with pytest.raises(ConflictError):
        transition(
            problem,
            field="status",
            allowed_from=[ProblemStatus.IN_HAND],
            to=ProblemStatus.SOLVED,
            by=office_user,
        )
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.OPEN
    assert not Transition.objects.exists()


def test_second_of_two_clicks_on_a_stale_copy_loses(problem, office_user, leader_user):
    stale = Problem.objects.get(pk=problem.pk)
    transition(
        problem,
        field="status",
        allowed_from=[ProblemStatus.OPEN],
        to=ProblemStatus.IN_HAND,
        by=office_user,
    )
    with pytest.raises(ConflictError):
        transition(
            stale,
            field="status",
            allowed_from=[ProblemStatus.OPEN],
            to=ProblemStatus.IN_HAND,
            by=leader_user,
        )
    assert Transition.objects.count() == 1


def test_history_shows_changes_and_state_moves_with_chinese_labels(problem, office_user):
    problem.title = "春光村道路破损严重"
    problem._history_user = office_user
    problem.save()
    transition(
        problem,
        field="status",
        allowed_from=[ProblemStatus.OPEN],
        to=ProblemStatus.IN_HAND,
        by=office_user,
    )
    entries = object_history(problem)
    kinds = [str(e["kind"]) for e in entries]
    assert "状态变更" in kinds and "修改" in kinds and "创建" in kinds
    state = next(e for e in entries if str(e["kind"]) == "状态变更")
    assert state["changes"][0]["new"] == "办理中"
    edit = next(
        e
        for e in entries
        if str(e["kind"]) == "修改" and any(c["field"] == "问题" for c in e["changes"])
    )
    assert edit["user"] == office_user


def test_a_change_through_a_request_records_the_user_and_the_address(
    client_for, office_user, problem
):
    """simple-history's middleware supplies the user, cppcc.audit the address."""
    from django.test import RequestFactory
    from simple_history.models import HistoricalRecords

    request = RequestFactory().get("/", REMOTE_ADDR="10.1.2.3")
    request.user = office_user
    HistoricalRecords.context.request = request
    try:
        problem.title = "改"
        problem.save()
    finally:
        del HistoricalRecords.context.request
    record = problem.history.first()
    assert record.history_user == office_user
    assert record.history_ip == "10.1.2.3"


def test_granting_a_role_is_kept_in_the_users_history_without_the_password(office_user):
    from cppcc.roles import Role, grant_role

    grant_role(office_user, Role.LEADER)
    latest = office_user.history.first()
    assert set(latest.groups.values_list("group__name", flat=True)) >= {"office", "leader"}
    assert not hasattr(latest, "password")


def test_history_shows_yes_and_no_for_a_flag(gunan_studio, office_user):
    gunan_studio.has_sign = not gunan_studio.has_sign
    gunan_studio._history_user = office_user
    gunan_studio.save()
    changes = [c for e in object_history(gunan_studio) for c in e["changes"]]
    flag = next(c for c in changes if c["field"] == "有标识")
    assert {str(flag["old"]), str(flag["new"])} == {"是", "否"}
