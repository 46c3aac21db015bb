"""The embedded default as the README's demo command leaves it: every page linked from each
demo login's home, followed to WALK_LIMIT pages a login, must answer without a server error,
and must be one its reader may open (a link that answers 403 or 404 names what they may not
see, or leads nowhere).

Run by .ci/run after `python manage.py demo --no-serve` with no DATABASE_URL or REDIS_URL: the
SQLite file, the per-process cache and inline Celery tasks. The test suite runs on PostgreSQL
in CI and on a SQLite test database elsewhere, neither of which is this configuration (the
demo's dashboard once answered 500 because the SQLite file's name is a Path).
"""

import os
import re
import sys
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cppcc.settings")
for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_ENV"):
    if os.environ.get(name):
        raise SystemExit(f"{name} is set: this walks the embedded default, run it without")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402

from cppcc.models import User  # noqa: E402

LOGINS = ("admin", "office", "leader", "town", "member", "unit")
WALK_LIMIT = 150
# Links that log out, leave the app or produce files (timed and tested elsewhere).
SKIP = ("logout", "/static/", "/media/", "/admin/", "export", "download", "/print", ".pdf")
HREF = re.compile(r'href="(/[^"#]*)"')


def walk(username: str) -> tuple[int, list[str]]:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(User.objects.get(username=username))
    seen: set[str] = set()
    queue: deque[str] = deque(["/"])
    errors = []
    while queue and len(seen) < WALK_LIMIT:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code >= 500 or response.status_code in (403, 404):
            errors.append(f"{username} {url} answered {response.status_code}")
        elif response.status_code in (301, 302) and response["Location"].startswith("/"):
            queue.append(response["Location"])
        elif response.status_code == 200 and "html" in response.get("Content-Type", ""):
            for href in HREF.findall(response.content.decode()):
                if href not in seen and not any(part in href for part in SKIP):
                    queue.append(href.replace("&amp;", "&"))
    return len(seen), errors


def main() -> None:
    failures = []
    for username in LOGINS:
        count, errors = walk(username)
        print(f"{username}: {count} pages, {len(errors)} refused or failed")
        failures += errors
    if failures:
        raise SystemExit("\n".join(failures))


if __name__ == "__main__":
    main()
