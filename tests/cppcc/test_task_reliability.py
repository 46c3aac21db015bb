"""Tasks are sent only when their transaction commits, and none is lost to a killed worker or a
restarted Redis (settings: acks_late, reject_on_worker_lost, prefetch 1, the broker's visibility
timeout).

The worker tests are the production path (a real `celery worker` against PostgreSQL and Redis).
They show which mechanism brings a task back, as kombu's Redis transport really behaves: when
the whole worker is SIGKILLed nobody rejects the task, and it comes back only once it has been
unacknowledged for the visibility timeout; when only a pool child dies, reject_on_worker_lost
requeues it at once.
"""

import ast
import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from kombu import Exchange, Queue

from cppcc.celery import app
from cppcc.models import Notification
from cppcc.notifications import notify
from cppcc.tasks import send_notification_email
from reports import summary
from reports.models import SummaryScope, SummaryStatus, YearlySummary

from ..factories import UserFactory
from ..reports.test_summary import YEAR, county_year  # noqa: F401 - the fixture is used by name

ROOT = Path(__file__).resolve().parents[2]
APPS = ("cppcc", "members", "studios", "consultations", "proposals", "reports")


class RolledBack(Exception):
    pass


@pytest.fixture
def sent(monkeypatch):
    """The names of the tasks handed to Celery (to the broker, or run eagerly) in this test."""
    names: list[str] = []

    def record(task, *args, **kwargs):
        names.append(task.name)

    monkeypatch.setattr("celery.app.task.Task.apply_async", record)
    return names


def _start_summary(office_user) -> None:
    summary.start(office_user, YEAR, SummaryScope.COUNTY)


def _notify(office_user) -> None:
    notify(UserFactory(email="clerk@example.cn"), "协商会议提醒")


@pytest.mark.parametrize("enqueue", [_start_summary, _notify], ids=["summary", "notification"])
def test_a_task_queued_in_a_rolled_back_transaction_is_never_sent(
    enqueue, office_user, sent, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RolledBack),
        transaction.atomic(),
    ):
        enqueue(office_user)
        assert sent == [], "sent before the commit"
        raise RolledBack
    assert sent == []


@pytest.mark.parametrize("enqueue", [_start_summary, _notify], ids=["summary", "notification"])
def test_a_task_queued_in_a_committed_transaction_is_sent_once(
    enqueue, office_user, sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        enqueue(office_user)
    assert len(sent) == 1


def test_no_app_code_sends_a_task_outside_the_commit():
    """`.delay()`/`.apply_async()` send at once, even from a transaction that then rolls back;
    the apps queue with `delay_on_commit` (or a beat schedule) instead."""
    offenders = []
    for app_dir in APPS:
        for path in (ROOT / app_dir).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("delay", "apply_async", "send_task")
                ):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []


def test_reliable_task_settings_are_on():
    conf = app.conf
    assert conf.task_acks_late and conf.task_reject_on_worker_lost
    assert conf.worker_prefetch_multiplier == 1
    # A running task is never handed out a second time while it may still be running.
    timeout = conf.broker_transport_options["visibility_timeout"]
    assert timeout > django_settings.CELERY_TASK_TIME_LIMIT


@pytest.mark.django_db
def test_a_delivery_after_the_summary_is_done_compiles_nothing(county_year, monkeypatch):  # noqa: F811
    from reports.tasks import compile_yearly_summary

    row = YearlySummary.objects.create(year=YEAR, scope=SummaryScope.COUNTY)
    YearlySummary.objects.filter(pk=row.pk).update(status=SummaryStatus.DONE)
    monkeypatch.setattr(summary, "compile", lambda row: pytest.fail("compiled again"))
    assert compile_yearly_summary.run(row.pk) is None


# --- a real worker ----------------------------------------------------------------------------


def contents(row: YearlySummary) -> dict:
    """What a compile produced: figures, narrative and every file's bytes. The files hold no
    time of compiling, hash seed or process state (cppcc.documents: fixed zip time stamps, the
    summary's as-of date in the core properties, the font subset's time stamps kept), so a
    rerun on another worker must give them byte for byte."""
    result = {"figures": row.figures, "narrative": row.narrative}
    for field in ("docx", "xlsx", "pdf"):
        with getattr(row, field).open("rb") as f:
            result[field] = f.read()
    return result


def stored_files() -> list[str]:
    folder = Path(django_settings.MEDIA_ROOT) / "reports" / "summaries" / str(YEAR)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.fixture
def default_queue():
    """Makes `queue` the queue a start sends to (the start enqueues to the default one)."""
    saved = app.conf.task_default_queue

    def use(queue: str) -> None:
        app.conf.task_default_queue = queue

    yield use
    app.conf.task_default_queue = saved


def _start_on_commit(office_user) -> YearlySummary:
    with transaction.atomic():
        (row,) = summary.start(office_user, YEAR, SummaryScope.COUNTY)
    return row


# Each step of the killed worker's compile pauses this long, so the kill lands at a known step.
PAUSE = {"CPPCC_SUMMARY_STAGE_PAUSE": "1"}
# The worker that takes over sweeps unacknowledged tasks at start and every second, and takes
# back one unacknowledged for 5 s (production: 1 h, see settings).
QUICK_REDELIVERY = {
    "CELERY_VISIBILITY_TIMEOUT": "5",
    "CELERY_UNACKED_RESTORE_INTERVAL": "1",
    "CELERY_UNACKED_RESTORE_THROTTLE": "1",
}


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_summary_killed_mid_compile_completes_on_another_worker_as_if_undisturbed(
    start_worker,
    default_queue,
    county_year,  # noqa: F811
    office_user,
):
    first = start_worker(env=PAUSE)
    default_queue(first.queue)
    row = _start_on_commit(office_user)

    def at_the_excel_step():
        row.refresh_from_db()
        return row.progress >= 85

    assert first.wait_for(at_the_excel_step, timeout=60), first.output
    first.kill()
    row.refresh_from_db()
    assert row.status == SummaryStatus.RUNNING and row.progress < 100
    # The Word file was written but the row was never saved with it: the rerun must replace
    # this orphan, not store a second copy beside it.
    assert not row.docx and stored_files() == ["county.docx"]

    second = start_worker(first.queue, env=QUICK_REDELIVERY)

    def finished():
        row.refresh_from_db()
        return row.status in (SummaryStatus.DONE, SummaryStatus.FAILED)

    assert second.wait_for(finished, timeout=60), second.output
    assert row.status == SummaryStatus.DONE, row.error
    recovered = contents(row)
    assert stored_files() == ["county.docx", "county.pdf", "county.xlsx"]

    undisturbed = contents(summary.compile(row))
    assert undisturbed == recovered
    assert YearlySummary.objects.filter(year=YEAR, scope_key="county").count() == 1
    assert stored_files() == ["county.docx", "county.pdf", "county.xlsx"]


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_a_killed_pool_child_is_requeued_at_once_by_reject_on_worker_lost(
    start_worker,
    default_queue,
    county_year,  # noqa: F811
    office_user,
):
    # Production's hour-long visibility timeout: only the rejection can bring the task back.
    worker = start_worker(pool="prefork", env=PAUSE)
    default_queue(worker.queue)
    row = _start_on_commit(office_user)

    def running():
        row.refresh_from_db()
        return row.status == SummaryStatus.RUNNING and row.progress >= 5

    assert worker.wait_for(running, timeout=60), worker.output
    (child,) = worker.pool_children()
    os.kill(child, signal.SIGKILL)

    def finished():
        row.refresh_from_db()
        return row.status in (SummaryStatus.DONE, SummaryStatus.FAILED)

    assert worker.wait_for(finished, timeout=80), worker.output
    assert row.status == SummaryStatus.DONE, row.error
    assert "WorkerLostError" in worker.output
    assert YearlySummary.objects.count() == 1
    assert stored_files() == ["county.docx", "county.pdf", "county.xlsx"]


# --- a Redis restart ------------------------------------------------------------------------


def _free_port(start: int = 6390) -> int:
    for port in range(start, start + 50):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.skip("no free port for a Redis of the test's own")


class OwnRedis:
    """A redis-server of the test's own on a spare port, its data in a temporary folder."""

    def __init__(self, folder: Path, appendonly: bool):
        self.port = _free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.args = [
            shutil.which("redis-server") or "redis-server",
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(folder),
            "--appendonly",
            "yes" if appendonly else "no",
            "--save",
            "",
        ]
        self.process = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            self.args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        pytest.fail("redis-server did not start")

    def restart(self) -> None:
        # SIGTERM: the orderly shutdown of a service restart or a host reboot.
        self.process.terminate()
        self.process.wait(timeout=20)
        self.start()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def queued(self, queue: str) -> int:
        import redis

        return redis.Redis.from_url(self.url).llen(queue)


@pytest.fixture
def own_redis(tmp_path, require_redis):
    """own_redis(appendonly=True) -> a started OwnRedis; stopped at the end."""
    started = []

    def make(appendonly: bool = True) -> OwnRedis:
        folder = tmp_path / f"redis-{len(started)}"
        folder.mkdir()
        server = OwnRedis(folder, appendonly)
        server.start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


def _queue_emails(server: OwnRedis, queue: str, count: int) -> list[Notification]:
    user = UserFactory(username="restart-test", email="member@example.cn")
    notes = [
        Notification.objects.create(recipient=user, title=f"学习培训通知{i}") for i in range(count)
    ]
    with app.connection_for_write(server.url) as connection:
        Queue(queue, Exchange(queue), routing_key=queue)(connection.default_channel).declare()
        for note in notes:
            send_notification_email.apply_async(args=[note.pk], queue=queue, connection=connection)
    return notes


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_tasks_queued_before_a_redis_restart_all_run(start_worker, own_redis):
    server = own_redis(appendonly=True)
    queue = "restart-test"
    notes = _queue_emails(server, queue, 5)
    assert server.queued(queue) == 5
    server.restart()
    assert server.queued(queue) == 5

    worker = start_worker(queue, env={"REDIS_URL": server.url})

    def all_emailed():
        return not Notification.objects.filter(
            pk__in=[n.pk for n in notes], emailed_at__isnull=True
        ).exists()

    assert worker.wait_for(all_emailed, timeout=60), worker.output


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True)
def test_without_appendonly_a_redis_restart_loses_the_queue(own_redis):
    # Why docker-compose.yml and .ci/run start Redis with --appendonly yes.
    server = own_redis(appendonly=False)
    _queue_emails(server, "restart-test", 2)
    assert server.queued("restart-test") == 2
    server.restart()
    assert server.queued("restart-test") == 0
