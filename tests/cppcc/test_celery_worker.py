"""A real Celery worker, started by the test against Redis, runs a task whose result the test
then reads back from PostgreSQL (the production path; CI requires it)."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from cppcc.models import Notification
from cppcc.tasks import send_notification_email

from ..factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{user}{password}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_email_task_and_its_result_is_visible(
    require_postgres, require_redis, tmp_path
):
    user = UserFactory(username="worker-test", email="member@example.cn")
    note = Notification.objects.create(recipient=user, title="工作室活动提醒", body="明晚茶园夜话")
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": require_redis,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "cppcc.settings",
    }
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "cppcc",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert settings.CELERY_TASK_ALWAYS_EAGER is False, (
            "REDIS_URL must make tasks go to the broker"
        )
        send_notification_email.apply_async(args=[note.pk], queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            note.refresh_from_db()
            if note.emailed_at is not None:
                break
            assert worker.poll() is None, "the worker exited early"
            time.sleep(0.3)
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0]
    assert note.emailed_at is not None, f"the worker did not run the task:\n{output[-3000:]}"
    sent = "".join(p.read_text() for p in tmp_path.iterdir())
    assert "To: member@example.cn" in sent and "明晚茶园夜话" in sent
    assert "send_notification_email" in output and "succeeded" in output
