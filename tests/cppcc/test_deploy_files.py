"""docker-compose and the image: the web container's health check passes with production
ALLOWED_HOSTS, uploads live in a volume the web and worker share, and .dockerignore keeps
secrets and local data out of the image."""

from fnmatch import fnmatch
from pathlib import Path

import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def ignore_patterns() -> list[str]:
    lines = (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip().rstrip("/") for line in lines if line.strip() and not line.startswith("#")]


def ignored(path: str) -> bool:
    return any(fnmatch(path, pattern) for pattern in ignore_patterns())


def test_the_web_health_check_calls_healthz_which_is_answered_before_host_validation():
    web = compose()["services"]["web"]
    test = " ".join(web["healthcheck"]["test"])
    assert "http://127.0.0.1:8000/healthz/" in test
    # The container calls itself by address; only the first middleware makes that pass.
    assert settings.MIDDLEWARE[0] == "cppcc.middleware.HealthCheckMiddleware"


def test_healthz_answers_a_host_that_allowed_hosts_does_not_list(client, db, settings):
    settings.ALLOWED_HOSTS = ["cppcc.example.gov.cn"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/healthz/", HTTP_HOST="127.0.0.1:8000")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    # Every other path still validates the host.
    assert client.get("/accounts/login/", HTTP_HOST="127.0.0.1:8000").status_code == 400
    assert client.get("/healthz/x", HTTP_HOST="127.0.0.1:8000").status_code == 400


def test_uploads_live_in_one_volume_shared_by_web_and_worker():
    services = compose()["services"]
    for name in ("web", "worker"):
        assert "media:/app/media" in services[name]["volumes"], name
    assert "media" in compose()["volumes"]


def test_dockerignore_keeps_secrets_and_local_data_out_of_the_image():
    for path in (".env", "db.sqlite3", "db.sqlite3-wal", ".venv", ".git", "media", "staticfiles"):
        assert ignored(path), path
    # What the image needs is still copied.
    for path in ("cppcc", "templates", "static", "locale", "manage.py", "README.md"):
        assert not ignored(path), path
