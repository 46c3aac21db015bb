"""The daily overdue-reply job: units warned before the due date, units and the office told
when a reply is overdue and again when long overdue, each threshold once."""

import datetime

import pytest
from django.utils import timezone

from cppcc.models import Notification
from proposals import reminders, workflow
from proposals.models import ProposalStatus, ProposalUnit
from proposals.tasks import send_proposal_reminders
from tests.factories import ProposalFactory

from .flow import walk

TODAY = timezone.localdate()


@pytest.fixture
def assignment(term, member_a, office_user, unit, unit_user):
    proposal = walk(
        ProposalFactory(term=term, lead_proposer=member_a),
        ProposalStatus.ASSIGNED,
        office_user,
        units=[unit],
    )
    # The assignment notice is not what these tests count.
    Notification.objects.all().delete()
    return ProposalUnit.objects.get(proposal=proposal)


def due_in(assignment, days: int) -> None:
    ProposalUnit.objects.filter(pk=assignment.pk).update(
        due_on=TODAY + datetime.timedelta(days=days)
    )


def test_a_reply_due_within_a_week_warns_the_unit_once(assignment, unit_user, office_user):
    due_in(assignment, 5)
    assert reminders.remind_replies() == {"due_soon": 1, "overdue": 0, "long_overdue": 0}
    warning = unit_user.notifications.get()
    assert "即将到期" in warning.title and "还剩 5 天" in warning.body
    assert not office_user.notifications.exists()
    assert reminders.remind_replies()["due_soon"] == 0
    assert unit_user.notifications.count() == 1


def test_a_reply_due_later_is_not_warned(assignment, unit_user):
    due_in(assignment, 8)
    assert sum(reminders.remind_replies().values()) == 0
    assert not unit_user.notifications.exists()


def test_each_threshold_is_sent_once_as_the_days_pass(assignment, unit_user, office_user):
    due_in(assignment, 3)
    reminders.remind_replies()
    due_in(assignment, -1)  # a day later than it was due
    assert reminders.remind_replies()["overdue"] == 1
    assert reminders.remind_replies()["overdue"] == 0
    due_in(assignment, -30)
    assert reminders.remind_replies()["long_overdue"] == 1
    assert sum(reminders.remind_replies().values()) == 0
    titles = list(unit_user.notifications.order_by("id").values_list("title", flat=True))
    assert [t.split("：")[0] for t in titles] == [
        "提案答复即将到期",
        "提案答复已逾期",
        "提案答复已逾期",
    ]
    assert office_user.notifications.count() == 2  # overdue and long overdue, not the warning
    assert "已逾期 30 天" in office_user.notifications.order_by("-id").first().body


def test_a_run_after_missed_days_sends_only_the_highest_threshold(assignment, unit_user):
    due_in(assignment, -45)
    assert reminders.remind_replies() == {"due_soon": 0, "overdue": 0, "long_overdue": 1}
    assert unit_user.notifications.count() == 1


def test_a_unit_that_has_replied_is_not_chased(assignment, unit_user):
    workflow.reply_submit(assignment, answer_type="solved", text="已办。", by=unit_user)
    Notification.objects.all().delete()
    due_in(assignment, -3)
    assert sum(reminders.remind_replies().values()) == 0


def test_rehandling_gives_a_new_due_date_and_rearms_the_reminders(
    assignment, unit_user, office_user, member_user
):
    due_in(assignment, -2)
    reminders.remind_replies()
    reply = workflow.reply_submit(assignment, answer_type="solved", text="已办。", by=unit_user)
    workflow.reply_release(reply, by=office_user)
    workflow.proposal_rate(
        assignment, rating="unsatisfied", communication="none", note="未落实", by=member_user
    )
    assignment.refresh_from_db()
    assert assignment.reminder_level == 0
    due_in(assignment, -1)
    assert reminders.remind_replies()["overdue"] == 1


def test_two_runs_at_once_send_nothing_twice(assignment, unit_user):
    """The claim is a conditional update: a second run that loaded the same rows before the
    first claimed them finds nothing left to claim."""
    due_in(assignment, -2)
    stale = list(ProposalUnit.objects.filter(pk=assignment.pk))
    assert reminders.remind_replies()["overdue"] == 1
    claimed = ProposalUnit.objects.filter(
        pk=stale[0].pk, reminder_level__lt=reminders.OVERDUE
    ).update(reminder_level=reminders.OVERDUE)
    assert claimed == 0
    assert unit_user.notifications.count() == 1


def test_the_beat_schedule_runs_the_job_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["proposals-reminders"]
    assert entry["task"] == send_proposal_reminders.name
    assert entry["schedule"].hour == {8}


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_overdue_job(real_worker, assignment, unit_user, office_user):
    due_in(assignment, -10)
    send_proposal_reminders.apply_async(queue=real_worker.queue)

    def told():
        return Notification.objects.filter(recipient=office_user, title__contains="已逾期")

    assert real_worker.wait_for(lambda: told().exists()), "the worker did not run the job"
    assert unit_user.notifications.filter(title__contains="已逾期").count() == 1
    assert ProposalUnit.objects.get(pk=assignment.pk).reminder_level == reminders.OVERDUE
