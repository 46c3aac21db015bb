"""The fixed cast every test can call on, and the switches for tests that need real services.

Cast: an admin, an office clerk (holding the member-register right), a town clerk of 古南街道, a
clerk of 东溪镇 who must see nothing of 古南, two members (one in each town's studio), a handling
unit's login, and a leader. All log in with PASSWORD.
"""

import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.contrib.auth.models import Group

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
    """A real Celery worker process consuming its own queue (see the `real_worker` fixture)."""

    def __init__(self, process: subprocess.Popen, queue: str):
        self.process = process
        self.queue = queue
        self.output = ""

    def wait_for(self, condition, timeout: float = 60) -> bool:
        """Polls `condition()` until it is true or the time is up; fails if the worker dies."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return True
            assert self.process.poll() is None, "the worker exited early"
            time.sleep(0.3)
        return False


def _database_url() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@pytest.fixture
def real_worker(require_postgres, require_redis, tmp_path, settings):
    """Starts `celery worker` against Redis and the test database (the production path) on a
    queue of its own; tests send tasks with apply_async(queue=worker.queue). Needs
    @pytest.mark.django_db(transaction=True) so the worker sees the test's rows."""
    assert settings.CELERY_TASK_ALWAYS_EAGER is False, "REDIS_URL must make tasks go to the broker"
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": require_redis,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path),
        "DJANGO_SETTINGS_MODULE": "cppcc.settings",
    }
    process = subprocess.Popen(
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
        cwd=Path(__file__).resolve().parents[1],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    worker = Worker(process, queue)
    try:
        yield worker
    finally:
        process.terminate()
        worker.output = process.communicate(timeout=30)[0]
