"""Security headers on pages, API answers and the login page; `check --deploy` stays clean."""

import os
import subprocess
import sys
from pathlib import Path

from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def assert_hardened(response):
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "object-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_login_page_headers(db):
    response = Client().get("/accounts/login/")
    assert response.status_code == 200
    assert_hardened(response)


def test_office_page_headers(client_for, office_user):
    response = client_for(office_user).get("/reports/office/")
    assert response.status_code == 200
    assert_hardened(response)


def test_api_answer_headers(client_for, office_user):
    response = client_for(office_user).get("/api/v1/handling-units/")
    assert response.status_code == 200
    assert_hardened(response)


def test_refused_api_answer_headers(db):
    response = Client().get("/api/v1/members/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
    assert_hardened(response)


def test_lockout_page_headers(office_user):
    client = Client()
    for _ in range(6):
        response = client.post(
            "/accounts/login/", {"username": office_user.username, "password": "x"}
        )
    assert response.status_code == 429
    assert_hardened(response)


def test_check_deploy_is_clean_with_production_settings():
    # The environment .ci/run gives the same check.
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "x" * 20 + "-a-long-random-production-secret-for-the-deploy-check",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
    }
    # The browser tests' setting (async.E001 in a deployment) is not the deployment's.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
