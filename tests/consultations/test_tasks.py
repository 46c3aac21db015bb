"""Follow-up tasks marked done (by the unit that owns them, or the office and the town clerk),
the unit's home with its due dates in colour, and the smaller aids around a step move: the
confirmation before it and the meeting form that ticks the matter's units."""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import FollowUpTask, MeetingKind, Step
from cppcc.workflow import ConflictError, WorkflowError
from tests.pages import block_context

from .conftest import hold_meeting

TODAY = timezone.localdate()


@pytest.fixture
def meeting(matter, walk_to, office_user):
    at_pre = walk_to(matter, Step.PRE_MEETING)
    return hold_meeting(
        at_pre, MeetingKind.PRE_MEETING, office_user, date=TODAY - datetime.timedelta(days=20)
    )


@pytest.fixture
def task(meeting, unit):
    return FollowUpTask.objects.create(
        meeting=meeting, description="完成荷塘选址测量", unit=unit, due_on=TODAY
    )


@pytest.fixture
def other_units_task(meeting, other_unit):
    return FollowUpTask.objects.create(
        meeting=meeting, description="排水改造方案", unit=other_unit, due_on=TODAY
    )


def done(client, task, note="已完成测量，报镇街"):
    return client.post(
        reverse("consultations:task_done", args=[task.pk]), {"note": note}, follow=True
    )


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_unit_marks_its_own_task_done_with_a_note_and_history_says_who(client_for, unit_user, task):
    response = done(client_for(unit_user), task)
    assert response.redirect_chain[-1][0] == reverse("proposals:unit_home")
    task.refresh_from_db()
    assert task.done_on == TODAY
    assert task.done_note == "已完成测量，报镇街"
    last = task.history.first()
    assert last.history_user == unit_user and last.done_note == "已完成测量，报镇街"


def test_unit_cannot_find_another_units_task(client_for, unit_user, other_units_task):
    response = client_for(unit_user).post(
        reverse("consultations:task_done", args=[other_units_task.pk]), {"note": "x"}
    )
    assert response.status_code == 404
    other_units_task.refresh_from_db()
    assert other_units_task.done_on is None


def test_town_clerk_marks_a_task_in_their_town_and_another_towns_clerk_gets_404(
    client_for, town_user, other_town_user, task
):
    assert (
        client_for(other_town_user)
        .post(reverse("consultations:task_done", args=[task.pk]), {"note": "x"})
        .status_code
        == 404
    )
    done(client_for(town_user), task, note="镇街已核实")
    task.refresh_from_db()
    assert task.done_on == TODAY and task.done_note == "镇街已核实"


def test_a_leader_reads_but_cannot_mark_done(client_for, leader_user, task):
    response = client_for(leader_user).post(
        reverse("consultations:task_done", args=[task.pk]), {"note": "x"}
    )
    assert response.status_code == 403


def test_marking_done_twice_is_refused_in_chinese_and_changes_nothing(client_for, unit_user, task):
    c = client_for(unit_user)
    done(c, task, note="第一次")
    task.refresh_from_db()
    rows = task.history.count()
    response = done(c, task, note="第二次")
    assert any("已于" in m and "标记完成" in m for m in flash(response))
    task.refresh_from_db()
    assert task.done_note == "第一次" and task.history.count() == rows


def test_a_note_is_required(client_for, unit_user, task):
    response = done(client_for(unit_user), task, note="  ")
    assert "请填写完成情况。" in flash(response)
    task.refresh_from_db()
    assert task.done_on is None


def test_the_conditional_update_lets_only_the_first_of_two_clicks_win(
    unit_user, office_user, task, monkeypatch
):
    # The second click read the task before the first wrote it: it passes the first check,
    # then finds the row already claimed.
    services.mark_task_done(task, note="单位办结", by=unit_user)
    stale = FollowUpTask.objects.get(pk=task.pk)
    stale.done_on = None
    real_get = FollowUpTask.objects.select_related

    class Stale:
        def get(self, pk):
            return stale

    monkeypatch.setattr(
        FollowUpTask.objects,
        "select_related",
        lambda *a: Stale() if a == ("meeting",) else real_get(*a),
    )
    with pytest.raises(ConflictError, match="已于"):
        services.mark_task_done(task, note="机关办结", by=office_user)
    monkeypatch.undo()
    task.refresh_from_db()
    assert task.done_note == "单位办结"


def test_a_task_of_a_meeting_still_ahead_cannot_be_done_today(office_user, matter, walk_to, unit):
    at_pre = walk_to(matter, Step.PRE_MEETING)
    planned = hold_meeting(
        at_pre, MeetingKind.PRE_MEETING, office_user, date=TODAY + datetime.timedelta(days=5)
    )
    task = FollowUpTask.objects.create(
        meeting=planned, description="会前走访", unit=unit, due_on=TODAY + datetime.timedelta(9)
    )
    with pytest.raises(WorkflowError, match="完成日期不能早于会议日期"):
        services.mark_task_done(task, note="提前完成", by=office_user)


def test_office_may_undo_and_the_note_goes_with_it(client_for, office_user, unit_user, task):
    services.mark_task_done(task, note="单位办结", by=unit_user)
    client_for(office_user).post(reverse("consultations:task_done", args=[task.pk]), {"undo": "1"})
    task.refresh_from_db()
    assert task.done_on is None and task.done_note == ""


def test_a_unit_may_not_undo(client_for, unit_user, task):
    services.mark_task_done(task, note="单位办结", by=unit_user)
    response = client_for(unit_user).post(
        reverse("consultations:task_done", args=[task.pk]), {"undo": "1"}
    )
    assert response.status_code == 403


def test_next_must_stay_on_this_site(client_for, unit_user, task):
    response = client_for(unit_user).post(
        reverse("consultations:task_done", args=[task.pk]),
        {"note": "好了", "next": "https://evil.example/"},
    )
    assert response.url == reverse("proposals:unit_home")


# --- the unit's home -----------------------------------------------------------------------------


def test_unit_home_colours_task_due_dates_and_offers_the_done_form(
    client_for, unit_user, meeting, unit, settings
):
    settings.CPPCC_MATTER_DEADLINE_WARN_DAYS = 7

    def add(description, days, done_on=None, note=""):
        return FollowUpTask.objects.create(
            meeting=meeting,
            description=description,
            unit=unit,
            due_on=TODAY + datetime.timedelta(days=days),
            done_on=done_on,
            done_note=note,
        )

    add("逾期任务", -2)
    add("七天内到期", 7)
    add("尚早任务", 8)
    add("已办任务", -5, done_on=TODAY, note="已经办好了")
    response = client_for(unit_user).get(reverse("proposals:unit_home"))
    html = response.content.decode()
    section = block_context(response, "consultations/unit_section.html")
    states = {t.description: t.due_state for t in section["open_tasks"]}
    assert states == {"逾期任务": "overdue", "七天内到期": "soon", "尚早任务": "later"}
    assert 'data-due="overdue"' in html and "text-bg-danger" in html
    assert 'data-due="soon"' in html and "text-bg-warning" in html
    assert 'data-due="later"' in html and "text-bg-success" in html
    assert html.count('data-testid="task-done-form"') == 3
    assert "已经办好了" in html


def test_unit_home_colours_matter_deadlines(client_for, unit_user, matter, walk_to, settings):
    at_assigned = walk_to(matter, Step.ASSIGNED)
    from consultations.models import Matter

    Matter.objects.filter(pk=at_assigned.pk).update(deadline=TODAY + datetime.timedelta(days=3))
    html = client_for(unit_user).get(reverse("proposals:unit_home")).content.decode()
    assert 'data-testid="unit-matter"' in html and 'data-due="soon"' in html


# --- around a step move ---------------------------------------------------------------------------


def test_the_advance_button_asks_for_confirmation(client_for, office_user, matter, walk_to):
    at_pre = walk_to(matter, Step.PRE_MEETING)
    html = client_for(office_user).get(at_pre.get_absolute_url()).content.decode()
    assert 'data-testid="advance"' in html
    assert "确定将议题从「议前协商」推进到「现场协商」吗？" in html
    assert "<script>" not in html and "onclick" not in html


def test_the_meeting_form_ticks_the_matters_units(
    client_for, office_user, matter, walk_to, unit, other_unit
):
    at_pre = walk_to(matter, Step.PRE_MEETING)
    from consultations.models import MatterUnit

    MatterUnit.objects.create(matter=at_pre, unit=other_unit, role="assisting")
    response = client_for(office_user).get(
        reverse("consultations:matter_meeting_create", args=[at_pre.pk])
    )
    assert set(response.context["form"]["units"].initial) == {unit.pk, other_unit.pk}
    html = response.content.decode()
    assert f'value="{unit.pk}"' in html
    checked = [
        line for line in html.split("<input") if 'name="units"' in line and "checked" in line
    ]
    assert len(checked) == 2


def test_the_task_list_links_the_office_lists_only_for_who_may_open_them(
    client_for, unit_user, office_user, task
):
    url = reverse("consultations:task_list")
    matters, meetings = reverse("consultations:matter_list"), reverse("consultations:meeting_list")

    unit_html = client_for(unit_user).get(url).content.decode()
    office_html = client_for(office_user).get(url).content.decode()

    # A unit sees its task and no button to lists that answer it 403.
    assert "完成荷塘选址测量" in unit_html
    assert f'href="{matters}"' not in unit_html and f'href="{meetings}"' not in unit_html
    assert client_for(unit_user).get(matters).status_code == 403
    assert f'href="{matters}"' in office_html and f'href="{meetings}"' in office_html
