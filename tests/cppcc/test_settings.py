"""The settings read from the environment: embedded default, production, and the deploy check."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLEAN = {
    k: v
    for k, v in os.environ.items()
    if k
    not in {
        "DATABASE_URL",
        "REDIS_URL",
        "DJANGO_ENV",
        "SECRET_KEY",
        "ALLOWED_HOSTS",
        "DJANGO_SETTINGS_MODULE",
        # Set by the browser tests' conftest for Playwright; not part of any deployment.
        "DJANGO_ALLOW_ASYNC_UNSAFE",
    }
}
PRODUCTION = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k7#pQ9!zW2@xL5$mN8^vB3&cR6*tY1(uI4)oP0_aS9-dF2+gH5=jK8~lZ3",
    "ALLOWED_HOSTS": "cppcc.example.cn",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/test",
}


def run(code: str, **env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'cppcc.settings'); django.setup(); {code}",
        ],
        cwd=ROOT,
        env={**CLEAN, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_with_no_environment_it_runs_on_sqlite_with_inline_tasks_and_debug_off():
    result = run(
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG, s.LANGUAGE_CODE, s.TIME_ZONE)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.sqlite3",
        "True",
        "False",
        "zh-hans",
        "Asia/Shanghai",
    ]


def test_database_and_redis_urls_switch_to_postgres_and_a_real_broker():
    result = run(
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.CELERY_BROKER_URL, "
        "s.CELERY_TASK_ACKS_LATE, s.CELERY_TASK_REJECT_ON_WORKER_LOST, s.CELERY_WORKER_PREFETCH_MULTIPLIER)",
        DATABASE_URL="postgres://postgres@127.0.0.1:5432/test",
        REDIS_URL="redis://127.0.0.1:6379/0",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.db.backends.postgresql",
        "False",
        "redis://127.0.0.1:6379/0",
        "True",
        "True",
        "1",
    ]


def test_production_refuses_to_start_without_secret_key_and_hosts():
    env = {k: v for k, v in PRODUCTION.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    result = run("print('started')", **env)
    assert result.returncode != 0
    assert "SECRET_KEY and ALLOWED_HOSTS" in result.stderr


def test_production_settings_pass_the_deploy_check_with_no_warning():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**CLEAN, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_demo_refuses_a_production_configuration():
    result = subprocess.run(
        [sys.executable, "manage.py", "demo", "--no-serve"],
        cwd=ROOT,
        env={**CLEAN, **PRODUCTION},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "生产环境" in result.stderr
