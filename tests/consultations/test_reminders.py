"""The daily reminder job: stalled matters to their town clerks, near deadlines to the units."""

import datetime

import pytest
from django.utils import timezone

from consultations import reminders, selectors, workflow
from consultations.models import Matter, MeetingKind, Step
from consultations.tasks import send_matter_reminders
from cppcc.models import Notification

from .conftest import hold_meeting

TODAY = timezone.localdate()


def age(matter, days: int) -> None:
    Matter.objects.filter(pk=matter.pk).update(
        step_entered_at=timezone.now() - datetime.timedelta(days=days)
    )


def test_a_matter_idle_past_the_limit_is_reported_to_its_town_clerk_once(
    matter, walk_to, town_user, other_town_user, settings
):
    settings.CPPCC_MATTER_STALL_DAYS = 30
    walk_to(matter, Step.PRE_MEETING)
    age(matter, 31)
    assert reminders.remind_stalled() == 1
    note = town_user.notifications.get()
    assert "议前协商" in note.body and "31" in note.body
    assert note.url == matter.get_absolute_url()
    assert not other_town_user.notifications.exists()
    # The next day's run does not repeat it.
    assert reminders.remind_stalled() == 0
    assert town_user.notifications.count() == 1


def test_a_recently_moved_matter_is_not_stalled(matter, walk_to, town_user, settings):
    settings.CPPCC_MATTER_STALL_DAYS = 30
    walk_to(matter, Step.PRE_MEETING)
    age(matter, 29)
    assert reminders.remind_stalled() == 0
    assert not town_user.notifications.exists()


def test_a_passed_deadline_is_a_stall_even_after_a_recent_move(
    matter, walk_to, town_user, unit, office_user
):
    from consultations import services

    walk_to(matter, Step.ASSIGNED)
    Matter.objects.filter(pk=matter.pk).update(
        registered_on=TODAY - datetime.timedelta(days=70),
        assigned_on=TODAY - datetime.timedelta(days=60),
        deadline=TODAY - datetime.timedelta(days=1),
    )
    matter.refresh_from_db()
    assert selectors.is_overdue(matter) and selectors.is_stalled(matter)
    assert reminders.remind_stalled() == 1
    assert "超过办理期限" in town_user.notifications.get().body
    # Extending the deadline is not a move; a later stall of the same stay is not repeated.
    services.set_assignment(
        matter, lead_unit=unit, deadline=TODAY + datetime.timedelta(days=30), by=office_user
    )
    assert not selectors.is_stalled(Matter.objects.get(pk=matter.pk))


def test_moving_the_matter_rearms_the_stall_reminder(matter, walk_to, town_user, office_user):
    walk_to(matter, Step.PRE_MEETING)
    age(matter, 40)
    reminders.remind_stalled()
    hold_meeting(matter, MeetingKind.PRE_MEETING, office_user)
    workflow.matter_advance(Matter.objects.get(pk=matter.pk), by=office_user)
    age(matter, 40)
    assert reminders.remind_stalled() == 1
    assert town_user.notifications.filter(title__startswith="议题进展滞后").count() == 2


def test_completed_matters_are_never_stalled(matter, walk_to, town_user):
    walk_to(matter, "completed")
    age(matter, 400)
    assert reminders.remind_stalled() == 0


def test_units_are_warned_once_before_the_deadline(matter, walk_to, unit_user, settings):
    settings.CPPCC_MATTER_DEADLINE_WARN_DAYS = 7
    walk_to(matter, Step.SUPERVISION)
    Matter.objects.filter(pk=matter.pk).update(deadline=TODAY + datetime.timedelta(days=5))
    before = unit_user.notifications.count()  # the assignment notice
    assert reminders.remind_deadlines() == 1
    assert reminders.remind_deadlines() == 0
    warning = unit_user.notifications.order_by("-id").first()
    assert unit_user.notifications.count() == before + 1
    assert "还剩 5 天" in warning.body


def test_a_deadline_far_ahead_is_not_warned(matter, walk_to, unit_user, settings):
    settings.CPPCC_MATTER_DEADLINE_WARN_DAYS = 7
    walk_to(matter, Step.SUPERVISION)
    Matter.objects.filter(pk=matter.pk).update(deadline=TODAY + datetime.timedelta(days=20))
    assert reminders.remind_deadlines() == 0


def test_the_beat_schedule_runs_the_reminder_task_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["consultations-reminders"]
    assert entry["task"] == send_matter_reminders.name
    assert entry["schedule"].hour == {8}


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_reminder_job(real_worker, matter, walk_to, town_user):
    walk_to(matter, Step.PRE_MEETING)
    age(matter, 45)
    send_matter_reminders.apply_async(queue=real_worker.queue)

    def reported():
        return Notification.objects.filter(recipient=town_user, url=matter.get_absolute_url())

    assert real_worker.wait_for(lambda: reported().exists()), "the worker did not run the job"
    assert Matter.objects.get(pk=matter.pk).stall_notified_at is not None
