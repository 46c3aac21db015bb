"""The seven-step flow: guards, order, send-back and the step history (consultations.workflow)."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from consultations import services, workflow
from consultations.models import STEPS, Matter, MatterStatus, MeetingKind, Step
from cppcc.models import Transition
from cppcc.workflow import ConflictError, WorkflowError

from .conftest import add_project, hold_meeting, satisfy

TODAY = timezone.localdate()


def step_moves(matter, field="step"):
    return Transition.objects.filter(
        content_type=ContentType.objects.get_for_model(Matter),
        object_id=str(matter.pk),
        field=field,
    ).order_by("at", "id")


# --- guards ----------------------------------------------------------------------------------


def test_registration_needs_a_proposing_member(new_matter, office_user):
    matter = new_matter(proposers=[])
    with pytest.raises(WorkflowError, match="提出委员") as err:
        workflow.matter_advance(matter, by=office_user)
    assert err.value.code == "guard"
    matter.refresh_from_db()
    assert matter.step == Step.PROPOSED and matter.registration_no == ""
    assert not step_moves(matter).exists()


def test_registration_records_date_number_and_clerk(matter, town_user):
    workflow.matter_register(matter, by=town_user, number="古南-2026-01", note="经党小组讨论")
    matter.refresh_from_db()
    assert matter.step == Step.REGISTERED
    assert (matter.registered_on, matter.registration_no) == (TODAY, "古南-2026-01")
    assert matter.registered_by == town_user
    assert step_moves(matter).get().note == "经党小组讨论"


def test_registration_numbers_are_given_in_order_when_none_is_typed(new_matter, office_user):
    first = workflow.matter_advance(new_matter(title="甲"), by=office_user)
    second = workflow.matter_advance(new_matter(title="乙"), by=office_user)
    year = TODAY.year
    assert (first.registration_no, second.registration_no) == (f"{year}-001", f"{year}-002")


def test_registration_number_cannot_repeat_in_a_year(new_matter, office_user):
    workflow.matter_register(new_matter(title="甲"), by=office_user, number="A-1")
    other = new_matter(title="乙")
    with pytest.raises(WorkflowError, match="A-1"):
        workflow.matter_register(other, by=office_user, number="A-1")
    other.refresh_from_db()
    assert other.step == Step.PROPOSED


def test_assignment_needs_a_unit_and_a_deadline(matter, walk_to, office_user):
    walk_to(matter, Step.REGISTERED)
    with pytest.raises(WorkflowError) as err:
        workflow.matter_advance(matter, by=office_user)
    assert "承办单位" in err.value.message and "办理期限" in err.value.message
    matter.refresh_from_db()
    assert matter.step == Step.REGISTERED


def test_assignment_is_refused_before_registration(matter, unit, office_user):
    with pytest.raises(WorkflowError, match="尚未立案"):
        services.set_assignment(
            matter, lead_unit=unit, deadline=TODAY + datetime.timedelta(days=30), by=office_user
        )
    assert not matter.unit_assignments.exists()


def test_deadline_cannot_precede_the_assignment(matter, walk_to, unit, office_user):
    walk_to(matter, Step.REGISTERED)
    with pytest.raises(WorkflowError, match="办理期限不能早于交办日期"):
        services.set_assignment(
            matter,
            lead_unit=unit,
            deadline=TODAY - datetime.timedelta(days=1),
            assigned_on=TODAY,
            by=office_user,
        )
    assert not matter.unit_assignments.exists()


def test_pre_meeting_cannot_start_before_the_assignment_date(matter, walk_to, unit, office_user):
    walk_to(matter, Step.ASSIGNED)
    services.set_assignment(
        matter,
        lead_unit=unit,
        deadline=TODAY + datetime.timedelta(days=60),
        assigned_on=TODAY + datetime.timedelta(days=3),
        by=office_user,
    )
    with pytest.raises(WorkflowError, match="尚未交办"):
        workflow.matter_advance(matter, by=office_user)


@pytest.mark.parametrize(
    "step", [Step.PRE_MEETING, Step.ON_SITE, Step.SUPERVISION, Step.CLOSING], ids=str
)
def test_leaving_a_meeting_step_needs_a_held_meeting_of_that_step(
    step, matter, walk_to, office_user
):
    walk_to(matter, step)
    label = str(MeetingKind(step).label)
    with pytest.raises(WorkflowError, match=label):
        workflow.matter_advance(matter, by=office_user)
    # A meeting planned for next week does not count: it has not been held.
    hold_meeting(matter, step, office_user, date=TODAY + datetime.timedelta(days=7))
    with pytest.raises(WorkflowError, match=label):
        workflow.matter_advance(matter, by=office_user)
    hold_meeting(matter, step, office_user)
    if step == Step.CLOSING:
        add_project(matter, office_user)
        services.set_outcome(matter, {"solved": True, "result_summary": "已完工"}, by=office_user)
    moved = workflow.matter_advance(matter, by=office_user)
    if step == Step.CLOSING:
        assert moved.status == MatterStatus.COMPLETED
    else:
        assert moved.step == STEPS[STEPS.index(step) + 1]


@pytest.mark.parametrize("missing", ["projects", "solved", "result_summary"], ids=str)
def test_completing_needs_a_project_and_every_outcome_field(missing, matter, walk_to, office_user):
    walk_to(matter, Step.CLOSING)
    hold_meeting(matter, MeetingKind.CLOSING, office_user)
    if missing != "projects":
        add_project(matter, office_user)
    outcome = {"solved": False, "result_summary": "部分"}
    if missing in outcome:
        outcome[missing] = "" if missing == "result_summary" else None
    services.set_outcome(matter, outcome, by=office_user)
    label = (
        "民生实事" if missing == "projects" else str(Matter._meta.get_field(missing).verbose_name)
    )
    with pytest.raises(WorkflowError, match=label):
        workflow.matter_advance(matter, by=office_user)
    matter.refresh_from_db()
    assert matter.status == MatterStatus.ACTIVE and matter.completed_at is None


def test_blockers_is_empty_exactly_when_the_move_is_allowed(matter, walk_to, office_user, unit):
    for step in STEPS:
        walk_to(matter, step)
        matter.refresh_from_db()
        if step not in (Step.PROPOSED, Step.ASSIGNED):
            assert workflow.blockers(matter), step
        satisfy(matter, office_user, unit)
        matter.refresh_from_db()
        assert workflow.blockers(matter) == [], step


# --- order -----------------------------------------------------------------------------------


def test_matter_cannot_skip_from_registered_to_on_site(matter, walk_to, office_user):
    walk_to(matter, Step.REGISTERED)
    # The only ways forward are the step functions; each checks the step it starts from.
    with pytest.raises(ConflictError):
        workflow.matter_complete(matter, by=office_user)
    with pytest.raises(WorkflowError, match="还不能录入"):
        hold_meeting(matter, MeetingKind.ON_SITE, office_user)
    matter.refresh_from_db()
    assert matter.step == Step.REGISTERED


def test_a_step_function_refuses_a_matter_at_another_step(matter, walk_to, office_user):
    walk_to(matter, Step.ASSIGNED)
    with pytest.raises(ConflictError):
        workflow.matter_register(matter, by=office_user)
    with pytest.raises(ConflictError):
        workflow.matter_assign(matter, by=office_user)


def test_advance_moves_exactly_one_step(matter, walk_to, office_user, unit):
    walk_to(matter, Step.PRE_MEETING)
    # Every meeting recorded at once does not let it jump: one step per move.
    hold_meeting(matter, MeetingKind.PRE_MEETING, office_user)
    moved = workflow.matter_advance(matter, by=office_user)
    assert moved.step == Step.ON_SITE


def test_finished_matter_has_six_forward_moves_with_user_and_time(matter, walk_to, office_user):
    before = timezone.now()
    walk_to(matter, "completed")
    moves = list(step_moves(matter))
    assert [(m.from_state, m.to_state) for m in moves] == list(
        zip(STEPS[:-1], STEPS[1:], strict=True)
    )
    assert all(m.by == office_user and m.at >= before for m in moves)
    completion = step_moves(matter, field="status").get()
    assert (completion.from_state, completion.to_state) == ("active", "completed")
    matter.refresh_from_db()
    assert matter.completed_at is not None and matter.step == Step.CLOSING


def test_a_completed_matter_cannot_advance(matter, walk_to, office_user):
    walk_to(matter, "completed")
    with pytest.raises(ConflictError, match="已办结"):
        workflow.matter_advance(matter, by=office_user)


def test_move_resets_days_in_step_and_the_stall_notice(matter, walk_to, office_user):
    walk_to(matter, Step.PRE_MEETING)
    long_ago = timezone.now() - datetime.timedelta(days=90)
    Matter.objects.filter(pk=matter.pk).update(step_entered_at=long_ago, stall_notified_at=long_ago)
    hold_meeting(matter, MeetingKind.PRE_MEETING, office_user)
    moved = workflow.matter_advance(Matter.objects.get(pk=matter.pk), by=office_user)
    moved.refresh_from_db()
    assert moved.step_entered_at > long_ago and moved.stall_notified_at is None


# --- send back -------------------------------------------------------------------------------


def test_send_back_goes_one_step_and_records_the_reason(matter, walk_to, town_user):
    walk_to(matter, Step.ON_SITE)
    workflow.matter_send_back(matter, reason="议前协商意见不充分，需补充走访", by=town_user)
    matter.refresh_from_db()
    assert matter.step == Step.PRE_MEETING
    last = step_moves(matter).last()
    assert (last.from_state, last.to_state, last.by) == ("on_site", "pre_meeting", town_user)
    assert last.note == "议前协商意见不充分，需补充走访"


def test_send_back_needs_a_reason(matter, walk_to, office_user):
    walk_to(matter, Step.REGISTERED)
    with pytest.raises(WorkflowError, match="退回原因"):
        workflow.matter_send_back(matter, reason="  ", by=office_user)
    matter.refresh_from_db()
    assert matter.step == Step.REGISTERED


def test_the_first_step_cannot_be_sent_back(matter, office_user):
    with pytest.raises(WorkflowError, match="不能再退回"):
        workflow.matter_send_back(matter, reason="重新考虑", by=office_user)


def test_sending_back_a_completed_matter_reopens_it_in_closing(matter, walk_to, office_user):
    walk_to(matter, "completed")
    workflow.matter_send_back(matter, reason="受益人数统计有误", by=office_user)
    matter.refresh_from_db()
    assert (matter.step, matter.status, matter.completed_at) == (
        Step.CLOSING,
        MatterStatus.ACTIVE,
        None,
    )
    assert step_moves(matter, field="status").last().note == "受益人数统计有误"


# --- who may move it -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_town_user", "leader_user", "member_user", "unit_user"])
def test_only_office_and_the_towns_clerk_move_a_matter(who, request, matter):
    person = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        workflow.matter_advance(matter, by=person)
    with pytest.raises(PermissionDenied):
        workflow.matter_send_back(matter, reason="x", by=person)
    matter.refresh_from_db()
    assert matter.step == Step.PROPOSED


def test_town_clerk_moves_their_own_towns_matter(matter, town_user):
    moved = workflow.matter_advance(matter, by=town_user)
    assert moved.step == Step.REGISTERED


# --- notifications ---------------------------------------------------------------------------


def test_units_are_notified_when_the_matter_is_assigned(matter, walk_to, unit_user, office_user):
    walk_to(matter, Step.REGISTERED)
    satisfy(matter, office_user, unit_user.handling_unit)
    assert not unit_user.notifications.exists()
    workflow.matter_advance(matter, by=office_user)
    note = unit_user.notifications.get()
    assert matter.title in note.title and note.url == matter.get_absolute_url()


def test_a_unit_added_after_assignment_is_notified_at_once(
    matter, walk_to, office_user, unit, other_unit
):
    from tests.factories import UserFactory

    walk_to(matter, Step.ASSIGNED)
    other_login = UserFactory(username="t-unit-b", roles=["unit"], handling_unit=other_unit)
    services.set_assignment(
        matter,
        lead_unit=unit,
        assisting_units=[other_unit],
        deadline=TODAY + datetime.timedelta(days=30),
        by=office_user,
    )
    assert other_login.notifications.filter(url=matter.get_absolute_url()).count() == 1


def test_the_history_panel_shows_each_move_once_and_names_the_clerk(matter, town_user):
    from cppcc.audit import object_history

    workflow.matter_register(matter, by=town_user, number="古南-01")
    entries = object_history(Matter.objects.get(pk=matter.pk))
    step_rows = [c for e in entries for c in e["changes"] if c["field"] == "当前环节"]
    assert len(step_rows) == 1  # the Transition, not also the field edit it caused
    clerk = [c for e in entries for c in e["changes"] if c["field"] == "立案经办人"]
    assert clerk and clerk[0]["new"] == str(town_user)  # a name, not the user's id
    assert not [c for e in entries for c in e["changes"] if c["field"] == "进入本环节时间"]
