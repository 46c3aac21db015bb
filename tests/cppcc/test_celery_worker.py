"""A real Celery worker, started by the test against Redis, runs a task whose result the test
then reads back from PostgreSQL (the production path; CI requires it)."""

import pytest

from cppcc.models import Notification
from cppcc.tasks import send_notification_email

from ..factories import UserFactory


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_email_task_and_its_result_is_visible(real_worker, tmp_path):
    user = UserFactory(username="worker-test", email="member@example.cn")
    note = Notification.objects.create(recipient=user, title="工作室活动提醒", body="明晚茶园夜话")
    send_notification_email.apply_async(args=[note.pk], queue=real_worker.queue)

    def emailed():
        note.refresh_from_db()
        return note.emailed_at is not None

    assert real_worker.wait_for(emailed), "the worker did not run the task"
    sent = "".join(p.read_text() for p in tmp_path.iterdir())
    assert "To: member@example.cn" in sent and "明晚茶园夜话" in sent
