"""The fixed cast every test can call on, and the switches for tests that need real services.

Cast: an admin, an office clerk (holding the member-register right), a town clerk of 古南街道, a
clerk of 东溪镇 who must see nothing of 古南, two members (one in each town's studio), a handling
unit's login, and a leader. All log in with PASSWORD.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import Group
from django.db.models.signals import post_migrate

from cppcc.roles import MEMBER_REGISTER_GROUP, Role

from .factories import (
    HandlingUnitFactory,
    MemberFactory,
    MembershipFactory,
    StudioFactory,
    TermFactory,
    TownFactory,
    UserFactory,
)

PASSWORD = "cppcc-test-pass"

# In CI (.ci/run sets it) a test that would skip for a missing service fails instead.
REQUIRE_SERVICES = os.environ.get("CPPCC_REQUIRE_SERVICES") == "1"


def need(condition: bool, reason: str) -> None:
    """Skip the calling test when `condition` is false, or fail it when CI requires services."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"CPPCC_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def _answers(url: str, default_port: int) -> bool:
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), timeout=1
        ):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True)
def _fresh_generations():
    """Each test starts from new generations (cppcc.generations): the cache outlives the test's
    rolled-back rows (Redis, or the process's locmem), and figures, totals or corpora kept by an
    earlier test must not be read for another test's rows; and no ledger change is pending from
    an earlier test's rolled-back transaction."""
    from cppcc.generations import bump_all

    bump_all()


@pytest.fixture
def require_postgres(settings):
    need(
        settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        "DATABASE_URL does not point at PostgreSQL",
    )


@pytest.fixture
def require_redis():
    url = os.environ.get("REDIS_URL", "")
    need(bool(url) and _answers(url, 6379), "REDIS_URL is not set or Redis does not answer")
    return url


@pytest.fixture
def chromium_path():
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    need(path is not None, "Debian's chromium is not installed")
    return path


# --- the cast ----------------------------------------------------------------------------------


@pytest.fixture
def term(db):
    return TermFactory()


@pytest.fixture
def gunan(db):
    return TownFactory(name="古南街道", kind="street", order=1)


@pytest.fixture
def dongxi(db):
    return TownFactory(name="东溪镇", kind="town", order=2)


@pytest.fixture
def gunan_studio(gunan):
    return StudioFactory(town=gunan, name="古南街道委员工作室")


@pytest.fixture
def dongxi_studio(dongxi):
    return StudioFactory(town=dongxi, name="东溪镇委员工作室")


@pytest.fixture
def member_a(gunan_studio, term):
    """A member of 古南街道's studio."""
    member = MemberFactory(name="张古南")
    MembershipFactory(member=member, studio=gunan_studio, term=term)
    return member


@pytest.fixture
def member_b(dongxi_studio, term):
    """A member of 东溪镇's studio."""
    member = MemberFactory(name="李东溪")
    MembershipFactory(member=member, studio=dongxi_studio, term=term)
    return member


@pytest.fixture
def admin_user(db):
    user = UserFactory(username="t-admin", roles=[Role.ADMIN], is_staff=True, is_superuser=True)
    return user


@pytest.fixture
def office_user(db):
    user = UserFactory(username="t-office", display_name="机关干部", roles=[Role.OFFICE])
    user.groups.add(Group.objects.get(name=MEMBER_REGISTER_GROUP))
    return user


@pytest.fixture
def office_user_without_register(db):
    return UserFactory(username="t-office2", roles=[Role.OFFICE])


@pytest.fixture
def town_user(gunan):
    return UserFactory(username="t-town", roles=[Role.TOWN], town=gunan)


@pytest.fixture
def other_town_user(dongxi):
    return UserFactory(username="t-town2", roles=[Role.TOWN], town=dongxi)


@pytest.fixture
def member_user(member_a):
    return UserFactory(username="t-member", roles=[Role.MEMBER], member=member_a)


@pytest.fixture
def member_b_user(member_b):
    return UserFactory(username="t-member2", roles=[Role.MEMBER], member=member_b)


@pytest.fixture
def unit(db):
    return HandlingUnitFactory(name="区交通局")


@pytest.fixture
def unit_user(unit):
    return UserFactory(username="t-unit", roles=[Role.UNIT], handling_unit=unit)


@pytest.fixture
def leader_user(db):
    return UserFactory(username="t-leader", roles=[Role.LEADER])


@pytest.fixture
def cast(
    admin_user,
    office_user,
    town_user,
    other_town_user,
    member_user,
    member_b_user,
    unit_user,
    leader_user,
):
    """Every role at once, keyed by role code (used by the page walk and the access matrix)."""
    return {
        Role.ADMIN: admin_user,
        Role.OFFICE: office_user,
        Role.TOWN: town_user,
        Role.MEMBER: member_user,
        Role.UNIT: unit_user,
        Role.LEADER: leader_user,
    }


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as that user."""
    from django.test import Client

    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


def _reseed_points_rules(sender, using="default", **kwargs):
    """A transactional test ends with a flush of every table, which also empties the default
    points rules that members/migrations/0006 seeded; the flush then sends post_migrate, and
    here they are put back, so the next test starts from the migrated database as every other
    test does (otherwise duty points read 0 depending on test order)."""
    if sender.label != "members":
        return
    import importlib

    from django.apps import apps

    from members.models import PointsRule

    if not PointsRule.objects.using(using).exists():
        importlib.import_module("members.migrations.0006_default_points_rules").seed(apps, None)


post_migrate.connect(_reseed_points_rules, dispatch_uid="tests-reseed-points-rules")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path_factory):
    # Uploads and the demo's photos land in a temporary folder, never in the checkout's media/.
    settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # PBKDF2's deliberate slowness would dominate a suite that logs in hundreds of times.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def eager_celery():
    """Run tasks inline in this test even when REDIS_URL points at a real broker."""
    from cppcc.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


class Worker:
    """A real Celery worker process consuming its own queue (see the `start_worker` fixture)."""

    def __init__(self, process: subprocess.Popen, queue: str, log: Path):
        self.process = process
        self.queue = queue
        self.log = log

    @property
    def output(self) -> str:
        # A file, not a pipe: nobody reads a pipe while the test runs, and a full one would
        # block the worker's logging.
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def wait_for(self, condition, timeout: float = 60) -> bool:
        """Polls `condition()` until it is true or the time is up; fails if the worker dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            assert self.process.poll() is None, f"the worker exited early:\n{self.output}"
            time.sleep(0.3)
        return False

    def pool_children(self) -> list[int]:
        """The pids of the prefork pool's child processes (empty for --pool=solo)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def kill(self) -> None:
        """SIGKILLs the worker's whole process group (main process and pool children), as an
        OOM kill or a lost host would: nothing gets to ack, reject or clean up."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """Warm shutdown (SIGTERM), then SIGKILL if it does not end."""
        if self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()


def _database_url() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def start_worker(require_postgres, require_redis, tmp_path, settings):
    """start_worker(queue=None, *, pool="solo", env=None) -> Worker: starts `celery worker`
    against Redis and the test database (the production path) on `queue` (default: a new queue
    of its own), with extra environment `env` (e.g. REDIS_URL of another Redis, or
    CELERY_VISIBILITY_TIMEOUT). Start another on the same queue to take over a killed one's
    tasks. Every worker started is stopped at the end. Needs
    @pytest.mark.django_db(transaction=True) so the worker sees the test's rows."""
    assert settings.CELERY_TASK_ALWAYS_EAGER is False, "REDIS_URL must make tasks go to the broker"
    started: list[Worker] = []

    def start(queue: str | None = None, *, pool: str = "solo", env: dict | None = None) -> Worker:
        queue = queue or f"test-{uuid.uuid4().hex[:8]}"
        full_env = {
            **os.environ,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": require_redis,
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(tmp_path),
            # The worker writes files where the test reads them (tests keep MEDIA_ROOT in tmp).
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            "DJANGO_SETTINGS_MODULE": "cppcc.settings",
            **(env or {}),
        }
        log = tmp_path / f"worker-{len(started)}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "cppcc",
                    "worker",
                    f"--pool={pool}",
                    "--concurrency=1",
                    "-Q",
                    queue,
                    "--loglevel=INFO",
                    "--without-heartbeat",
                    "--without-gossip",
                    "--without-mingle",
                ],
                cwd=Path(__file__).resolve().parents[1],
                env=full_env,
                stdout=out,
                stderr=subprocess.STDOUT,
                text=True,
                # Its own process group, so kill() reaches the pool children and nothing else.
                start_new_session=True,
            )
        worker = Worker(process, queue, log)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def real_worker(start_worker):
    """One real worker on a queue of its own; tests send tasks with
    apply_async(queue=worker.queue). See `start_worker`."""
    return start_worker()
