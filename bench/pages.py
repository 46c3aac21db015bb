"""Latency of the pages and API lists people use most, over the demo county.

    python manage.py demo --no-serve          # once: load the demo county
    python bench/pages.py [--repeat 30]       # measure; prints a Markdown table

Each URL is requested `--repeat` times in-process through Django's test client (full middleware,
templates, database), after one warm-up request, as the role that uses it. Reported: median and
95th percentile wall time, and the number of SQL queries per request. Run it against PostgreSQL
by setting DATABASE_URL, as in production.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cppcc.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from consultations.models import Matter  # noqa: E402
from cppcc.models import User  # noqa: E402

# A matter's page needs a matter: "{matter}" is the demo's 古南街道 annual matter of this year.
PAGES = [
    ("office", "/reports/office/"),
    ("office", "/members/"),
    ("office", "/members/?q=zhang"),
    ("office", "/studios/"),
    ("office", "/api/v1/members/"),
    ("office", "/api/v1/studios/"),
    ("leader", "/reports/dashboard/"),
    ("town", "/reports/town/"),
    ("member", "/portal/"),
    ("office", "/consultations/"),
    ("office", "/consultations/matters/{matter}/"),
    ("office", "/consultations/meetings/"),
    ("office", "/api/v1/matters/"),
    ("office", "/api/v1/meetings/"),
    ("town", "/consultations/"),
    # Issue 9: the lists the office works from, the unit's home and the accounts page.
    ("office", "/consultations/matters/"),
    ("office", "/consultations/tasks/?overdue=1"),
    ("office", "/studios/activities/"),
    ("office", "/studios/problems/"),
    ("office", "/studios/party-groups/"),
    ("office", "/studios/activities/export/"),
    ("unit", "/proposals/unit/"),
    ("admin", "/accounts/manage/"),
    # Issue 10: proposals, sessions and public-opinion information.
    ("office", "/proposals/"),
    ("office", "/proposals/?awaiting=review"),
    ("office", "/proposals/{proposal}/"),
    ("office", "/api/v1/proposals/"),
    ("office", "/members/sessions/"),
    ("office", "/proposals/opinions/"),
    ("member", "/proposals/portal/"),
    # Issue 11: figures for any year, the duty record and ranking, the yearly summary.
    ("leader", "/reports/dashboard/?year={last_year}"),
    ("office", "/api/v1/stats/"),
    ("office", "/reports/duty/"),
    ("member", "/reports/portal/duty/"),
    ("office", "/members/duty-rules/"),
    ("office", "/reports/summary/"),
]


def demo_proposal_id() -> int:
    """The demo's first registered proposal of the latest plenary session (its 1号提案)."""
    from proposals.models import Proposal

    proposal = (
        Proposal.objects.filter(serial=1, session__isnull=False)
        .order_by("-session__starts_on")
        .first()
    )
    if proposal is None:
        raise SystemExit("no registered proposal; load the demo first")
    return proposal.pk


def demo_matter_id() -> int:
    matter = Matter.objects.filter(
        town__name="古南街道", year=timezone.localdate().year, is_annual_topic=True
    ).first()
    if matter is None:
        raise SystemExit("no 古南街道 matter this year; load the demo first")
    return matter.pk


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    clients = {}
    rows = []
    matter = demo_matter_id()
    proposal = demo_proposal_id()
    last_year = timezone.localdate().year - 1
    for username, url in PAGES:
        url = url.format(matter=matter, proposal=proposal, last_year=last_year)
        if username not in clients:
            client = Client()
            client.force_login(User.objects.get(username=username))
            clients[username] = client
        client = clients[username]
        first = client.get(url)
        if first.status_code != 200:
            raise SystemExit(
                f"{url} as {username} answered {first.status_code}; load the demo first"
            )
        timings = []
        query_counts = []
        for _ in range(args.repeat):
            # One capture per request: Django clears the query log when a request starts.
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
            query_counts.append(len(queries))
        timings.sort()
        p95 = timings[min(len(timings) - 1, round(0.95 * len(timings)) - 1)]
        rows.append((username, url, statistics.median(timings), p95, max(query_counts)))
    engine = connection.vendor
    print(f"{engine}, {args.repeat} requests per URL after one warm-up")
    print()
    print("| role | URL | median ms | p95 ms | queries (max) |")
    print("|---|---|---:|---:|---:|")
    for username, url, median, p95, q in rows:
        print(f"| {username} | `{url}` | {median:.1f} | {p95:.1f} | {q} |")


if __name__ == "__main__":
    main()
