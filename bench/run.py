"""`python -m bench run`: the load benchmark of issue 13, from data to the table in the docs.

    python -m bench run --scale 1 [--duration 180] [--users 20] [--db NAME] [--seed 1]
                        [--demo] [--no-gc-freeze] [--no-write]

1. Creates the PostgreSQL database (default `bench_s<S>`, or `bench_demo` with --demo) unless it
   exists, migrates it and builds the data with `python -m bench.generate --scale S --seed N`
   (--demo: `manage.py demo --no-serve`). The build is recorded as the database's comment, so a
   second run on the same scale and seed reuses it; a database built otherwise is refused.
2. Collects the static files and, in this process with the server's settings, picks the
   accounts of each role and for each account the IDs of the pages it may see; requests every
   page once as that account (any answer but 200 stops the run) and counts the SQL queries of a
   second request (django.test.Client and CaptureQueriesContext, as bench/pages.py).
3. Starts gunicorn on 127.0.0.1 with `-c python:cppcc.gunicorn` and its workers (production's
   number, WEB_CONCURRENCY or 3; --workers N to compare), production
   settings (DJANGO_ENV=production; the load says `X-Forwarded-Proto: https` as the proxy
   would, so nothing is relaxed on the server), and drives it with locust headless
   (bench/locustfile.py) for the given time. --no-gc-freeze starts the workers with Python's
   default garbage collection, to measure the "before" of cppcc/gunicorn.py.
4. Times, in this process, the county's yearly summary for last year (reports.summary.start,
   compiled inline) and the import of 365 members (members.importing, rolled back).
5. Prints the table (per page: requests/s, p50/p95/p99, errors, queries) with the machine,
   versions, load average, commit and command, and replaces that run's section of
   docs/benchmarks.md (one section per scale and GC setting).

REDIS_URL, when set, is handed to gunicorn (the Redis cache, as in production); the timings in
this process always run Celery tasks inline.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime
import io
import json
import os
import platform
import random
import re
import secrets
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432"
LOGIN_URL = "/accounts/login/"
HEADERS = {"X-Forwarded-Proto": "https"}
# What production runs (cppcc/gunicorn.py without GUNICORN_THREADS or WEB_CONCURRENCY set).
DEFAULT_THREADS = 1
DEFAULT_WORKERS = 3
# Seconds a simulated person reads a page before the next one.
WAIT = (0.5, 1.5)
# How often a person reads one of their pages, against 1 for each floor.
PAGE_WEIGHT = 12

# The mix of 20 people: the office and the town clerks work in the app all day; members look in
# from their phones; units and leaders now and then.
ROLE_WEIGHTS = {"office": 6, "town": 5, "member": 4, "unit": 3, "leader": 2}
GENERATED_PASSWORD = "bench-pass-1"
DEMO_PASSWORD = "cppcc-demo"

# The pages each role reads. Placeholders are filled per account with IDs it may see:
# {member} {studio} {matter} {proposal} {unit_proposal}, and {member_q}, the surname of a member.
LOAD_PAGES: dict[str, list[str]] = {
    "office": [
        "/reports/office/",
        "/members/",
        "/members/?q={member_q}",
        "/members/{member}/",
        "/studios/",
        "/studios/{studio}/",
        "/consultations/",
        "/consultations/matters/",
        "/consultations/matters/{matter}/",
        "/consultations/meetings/",
        "/api/v1/meetings/",
        "/studios/activities/",
        "/api/v1/activities/",
        "/proposals/",
        "/proposals/{proposal}/",
        "/reports/duty/member/{member}/",
    ],
    "leader": [
        "/reports/dashboard/",
        "/consultations/",
        "/proposals/",
        "/proposals/{proposal}/",
    ],
    "town": [
        "/reports/town/",
        "/members/",
        "/members/?q={member_q}",
        "/members/{member}/",
        "/studios/",
        "/studios/{studio}/",
        "/consultations/",
        "/consultations/matters/",
        "/consultations/matters/{matter}/",
        "/consultations/meetings/",
        "/api/v1/meetings/",
        "/studios/activities/",
        "/api/v1/activities/",
    ],
    "member": ["/portal/", "/reports/portal/duty/", "/proposals/portal/"],
    "unit": ["/proposals/unit/", "/proposals/unit/proposals/{unit_proposal}/"],
}
# Issue 13's list of covered pages, each with the page of LOAD_PAGES that covers it
# (tests/bench/test_runner.py holds the two together).
COVERED = {
    "dashboard": "/reports/dashboard/",
    "office home": "/reports/office/",
    "town home": "/reports/town/",
    "unit home": "/proposals/unit/",
    "member list": "/members/",
    "member search": "/members/?q={member_q}",
    "member page": "/members/{member}/",
    "studio list": "/studios/",
    "studio page": "/studios/{studio}/",
    "board": "/consultations/",
    "matter list": "/consultations/matters/",
    "matter page": "/consultations/matters/{matter}/",
    "meeting list": "/consultations/meetings/",
    "meeting API": "/api/v1/meetings/",
    "activity list": "/studios/activities/",
    "activity API": "/api/v1/activities/",
    "proposal list": "/proposals/",
    "proposal page": "/proposals/{proposal}/",
    "member's portal": "/portal/",
    "member's duty record": "/reports/portal/duty/",
}
# The floors. robots.txt is a plain view: read without a session cookie nothing in the
# middleware touches the database. The password form is the lightest page behind the login:
# session, user and the base layout (its navigation included), no records.
FLOORS = {"bare": "/robots.txt", "minimal": "/accounts/password/"}
BARE_NAME = "floor:bare /robots.txt"
MINIMAL_NAME = "floor:logged-in /accounts/password/"
# `--write-every N`: one more person, the office changing a member's wishes through the API
# every N seconds (bench/locustfile.py's _Writer), in turn over WRITER_MEMBERS members.
WRITER_URL = "/api/v1/members/{member}/"
WRITER_NAME = "office-writer PATCH /api/v1/members/{member}/"
WRITER_MEMBERS = 5


# --- locust's CSV, the table and the docs -----------------------------------------------------


@dataclass
class Stat:
    name: str
    requests: int
    failures: int
    rps: float
    p50: float | None
    p95: float | None
    p99: float | None

    @property
    def who(self) -> str:
        return self.name.split(" ", 1)[0]

    @property
    def url(self) -> str:
        return self.name.split(" ", 1)[1] if " " in self.name else self.name


def _number(value: str) -> float | None:
    return None if value in ("", "N/A") else float(value)


def parse_stats(path: Path) -> list[Stat]:
    """The rows of locust's `<prefix>_stats.csv`, without its "Aggregated" total."""
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return [
        Stat(
            name=row["Name"],
            requests=int(row["Request Count"]),
            failures=int(row["Failure Count"]),
            rps=float(row["Requests/s"]),
            p50=_number(row["50%"]),
            p95=_number(row["95%"]),
            p99=_number(row["99%"]),
        )
        for row in rows
        if row["Name"] != "Aggregated"
    ]


def parse_failures(path: Path) -> list[str]:
    """`<prefix>_failures.csv` as lines: how often, which request, what went wrong."""
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return [
            f"{row['Occurrences']} × {row['Name']}: {row['Error']}" for row in csv.DictReader(fh)
        ]


def parse_exceptions(path: Path) -> list[str]:
    """`<prefix>_exceptions.csv` as lines: errors raised in the load script itself. locust
    counts such a task as neither a request nor a failure, so a broken floor or page would
    otherwise only be missing from the table."""
    if not path.exists():
        return []
    with open(path, newline="", encoding="utf-8") as fh:
        return [f"{row['Count']} × exception: {row['Message']}" for row in csv.DictReader(fh)]


def parse_gc_stats(log: str) -> str:
    """The `gc-stats` lines the gunicorn workers log as they exit (cppcc/gunicorn.py), summed
    over the workers: per generation, collections, longest and total pause (CPU time), then
    those of them that ran while a request was being served."""
    totals = {g: [0, 0.0, 0.0] for g in ("2", "1", "0", "in_request")}
    workers = 0
    for line in log.splitlines():
        if "gc-stats " not in line:
            continue
        workers += 1
        for generation, entry in json.loads(line.split("gc-stats ", 1)[1]).items():
            total = totals[generation]
            total[0] += entry["collections"]
            total[1] += entry["total_ms"]
            total[2] = max(total[2], entry["longest_ms"])
    if not workers:
        return "not recorded"
    parts = [
        f"{'during requests' if g == 'in_request' else f'generation {g}'}: {count:,} "
        f"collections, longest {longest:.1f} ms, total {total:,.0f} ms"
        for g, (count, total, longest) in totals.items()
    ]
    return f"{'; '.join(parts)} (summed over {workers} workers)"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f}"


def table(stats: list[Stat], queries: dict[str, int]) -> str:
    """The Markdown table: floors first, then the pages in the order of LOAD_PAGES; the logins
    and the warm-up are left out (requested before the statistics start). The ratio compares a page's p95 with the logged-in floor's,
    which the issue's target bounds at 4."""
    by_name = {s.name: s for s in stats}
    floor = by_name.get(MINIMAL_NAME)
    floor_p95 = floor.p95 if floor else None
    order = [BARE_NAME, MINIMAL_NAME] + [
        f"{role} {url}" for role, urls in LOAD_PAGES.items() for url in urls
    ]
    rank = {name: i for i, name in enumerate(order)}
    shown = sorted(
        (
            s
            for s in stats
            if not s.name.endswith((" login", "login form", " warm-up"))
            and s.name not in ("writer token", "writer read")
        ),
        key=lambda s: (rank.get(s.name, len(order)), s.name),
    )
    lines = [
        "| role | URL | req/s | p50 ms | p95 ms | p99 ms | p95 / floor | errors | queries |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in shown:
        ratio = (
            f"{s.p95 / floor_p95:.1f}"
            if s.p95 is not None and floor_p95 and not s.name.startswith("floor:")
            else "–"
        )
        q = queries.get(s.name)
        lines.append(
            f"| {s.who} | `{s.url}` | {s.rps:.2f} | {_ms(s.p50)} | {_ms(s.p95)} | {_ms(s.p99)} "
            f"| {ratio} | {s.failures} / {s.requests} | {'–' if q is None else q} |"
        )
    return "\n".join(lines)


def replace_section(text: str, heading: str, body: str) -> str:
    """`text` with the section under `heading` (up to the next `## ` heading) replaced by
    `body`, or with the section added at the end."""
    section = f"{heading}\n\n{body.strip()}\n"
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.rstrip("\n") == heading), None)
    if start is None:
        return text.rstrip("\n") + "\n\n" + section
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    tail = "".join(lines[end:])
    return "".join(lines[:start]) + section + ("\n" + tail if tail else "")


def section_heading(
    scale: int | None,
    gc_freeze: bool,
    threads: int = DEFAULT_THREADS,
    workers: int = DEFAULT_WORKERS,
    write_every: int = 0,
) -> str:
    """One section per data, GC setting and, when not production's, workers and threads, and
    per rate of the office's writes (none by default)."""
    data = "the demo county" if scale is None else f"S={scale}"
    gc = "" if gc_freeze else ", Python's default garbage collection (--no-gc-freeze)"
    processes = "" if workers == DEFAULT_WORKERS else f", {workers} workers"
    per_worker = "" if threads == DEFAULT_THREADS else f", {threads} thread(s) per worker"
    writes = f", the office writing every {write_every} s" if write_every else ""
    return f"## Load benchmark: {data}{gc}{processes}{per_worker}{writes}"


# --- the machine ------------------------------------------------------------------------------


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def commit() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=False
        ).stdout.strip()

    head = git("rev-parse", "--short", "HEAD") or "unknown"
    return head + (" plus uncommitted changes" if git("status", "--porcelain") else "")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- the database and the data ----------------------------------------------------------------


@dataclass
class Target:
    db: str
    pg: str
    scale: int | None  # None: the demo county
    seed: int

    @property
    def url(self) -> str:
        return f"{self.pg}/{self.db}"

    @property
    def marker(self) -> str:
        if self.scale is None:
            return json.dumps({"bench": "demo"})
        return json.dumps({"bench": "generate", "scale": self.scale, "seed": self.seed})


def _admin_connection(pg: str):
    import psycopg

    return psycopg.connect(f"{pg}/postgres", autocommit=True)


def database_marker(target: Target) -> str | None:
    """Creates the database if missing; returns its comment (the build marker) or None."""
    from psycopg import sql

    with _admin_connection(target.pg) as conn:
        row = conn.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [target.db],
        ).fetchone()
        if row is None:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target.db)))
            return None
        return row[0]


def set_marker(target: Target) -> None:
    from psycopg import sql

    with _admin_connection(target.pg) as conn:
        conn.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(target.db), sql.Literal(target.marker)
            )
        )


def analyze(target: Target) -> None:
    """VACUUM ANALYZE the freshly built database. Autovacuum gets to new tables in its own
    time; until then the planner takes them for nearly empty, and the figure statements and
    the yearly summary ran several times slower than on the same data analysed (S=1 summary
    4.8 s against 1.7 s)."""
    import psycopg

    with psycopg.connect(target.url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


def _has_members(target: Target) -> bool:
    import psycopg

    with psycopg.connect(target.url) as conn:
        exists = conn.execute("SELECT to_regclass('members_member')").fetchone()[0]
        return (
            bool(exists)
            and conn.execute("SELECT EXISTS (SELECT 1 FROM members_member)").fetchone()[0]
        )


def build_data(target: Target, env: dict[str, str]) -> str:
    """Migrates and builds the data unless the marker says it is there; says what it did.
    The build runs without DJANGO_ENV=production, which the demo loader refuses."""
    env = {k: v for k, v in env.items() if k != "DJANGO_ENV"}
    marker = database_marker(target)
    if marker != target.marker and (
        marker is not None or (target.scale is not None and _has_members(target))
    ):
        raise SystemExit(
            f"{target.db} holds other data ({marker or 'no bench marker'}); "
            f"pass --db another name or drop it: dropdb -h 127.0.0.1 -U postgres {target.db}"
        )
    migrate = [sys.executable, "manage.py", "migrate", "--noinput", "-v0"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)
    if marker == target.marker:
        return f"reused {target.db} ({marker})"
    started = time.perf_counter()
    if target.scale is None:
        # Loading the demo twice changes nothing, so an unmarked demo database is completed.
        command = [sys.executable, "manage.py", "demo", "--no-serve"]
    else:
        command = [sys.executable, "-m", "bench.generate", "--scale", str(target.scale)]
        command += ["--seed", str(target.seed)]
    subprocess.run(command, cwd=ROOT, env=env, check=True)
    analyze(target)
    set_marker(target)
    return f"built {target.db} in {time.perf_counter() - started:.0f} s ({shlex.join(command[1:])})"


# --- in-process: accounts, pages, query counts, timings ---------------------------------------


@dataclass
class Account:
    role: str
    username: str
    password: str
    pages: list[tuple[str, str]] = field(default_factory=list)  # (stat name, URL)


def _accounts(role: str, wanted: int, demo: bool) -> list:
    from cppcc.models import User

    users = User.objects.filter(is_active=True).order_by("pk")
    if demo or role in ("office", "leader"):
        return list(users.filter(username=role)[:1])
    return list(users.filter(username__regex=rf"^{role}-[0-9]+$")[:wanted])


def _pick(queryset, rng: random.Random):
    """One row of `queryset` chosen by `rng`, or None: two queries, whatever the size."""
    count = queryset.count()
    return queryset.order_by("pk")[rng.randrange(count)] if count else None


def fill(template: str, user, rng: random.Random) -> str | None:
    """The URL of `template` with IDs `user` may see, or None when it sees none."""
    from consultations.models import Matter
    from members.models import Member
    from proposals.models import Proposal, ProposalUnit
    from studios.models import Studio

    values: dict[str, object] = {}
    for key in re.findall(r"{(\w+)}", template):
        if key in ("member", "member_q"):
            row = _pick(Member.objects.visible_to(user), rng)
            if row is None:
                return None
            values["member"] = row.pk
            values["member_q"] = quote(row.name[:1])
        elif key == "studio":
            row = _pick(Studio.objects.visible_to(user), rng)
        elif key == "matter":
            row = _pick(Matter.objects.visible_to(user), rng)
        elif key == "proposal":
            row = _pick(Proposal.objects.visible_to(user), rng)
        elif key == "unit_proposal":
            assignments = ProposalUnit.objects.visible_to(user).filter(
                unit_id=user.handling_unit_id
            )
            row = _pick(assignments, rng)
            if row is not None:
                values[key] = row.proposal_id
                continue
        else:
            raise KeyError(key)
        if key not in ("member", "member_q"):
            if row is None:
                return None
            values[key] = row.pk
    return template.format(**values)


def plan_accounts(users: int, demo: bool, seed: int) -> tuple[list[Account], list[str]]:
    """Accounts per role (as many as locust will start of that role, when the data has them)
    with their pages; and notes on pages an account could not be given."""
    total = sum(ROLE_WEIGHTS.values())
    password = DEMO_PASSWORD if demo else GENERATED_PASSWORD
    accounts: list[Account] = []
    notes: list[str] = []
    for role, weight in ROLE_WEIGHTS.items():
        wanted = max(1, round(users * weight / total))
        found = _accounts(role, wanted, demo)
        if not found:
            raise SystemExit(f"no active login for the role {role}; build the data first")
        for user in found:
            rng = random.Random(f"{seed}-{user.username}")
            account = Account(role, user.username, password)
            for template in LOAD_PAGES[role]:
                url = fill(template, user, rng)
                if url is None:
                    notes.append(f"{user.username} sees nothing for {template}")
                    continue
                account.pages.append((f"{role} {template}", url))
            accounts.append(account)
    return accounts, notes


def count_queries(accounts: list[Account]) -> dict[str, int]:
    """Queries of one request per stat name, after a first request by the same login (which
    fills the session as a person's first page does); any answer but 200 stops the run."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from cppcc.models import User

    counts: dict[str, int] = {}

    def measure(client, name: str, url: str, who: str) -> None:
        first = client.get(url)
        if first.status_code != 200:
            raise SystemExit(f"{url} as {who} answered {first.status_code}")
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        counts[name] = len(queries)

    measure(Client(headers=HEADERS), BARE_NAME, FLOORS["bare"], "anonymous")
    for account in accounts:
        client = Client(headers=HEADERS)
        client.force_login(User.objects.get(username=account.username))
        if MINIMAL_NAME not in counts:
            measure(client, MINIMAL_NAME, FLOORS["minimal"], account.username)
        for name, url in account.pages:
            if name not in counts:
                measure(client, name, url, account.username)
    return counts


def plan_writer(accounts: list[Account], every: int) -> dict | None:
    """The office's writes of `--write-every`: its login, and the members it changes with
    their wishes as generated (put back after the load: restore_writes)."""
    from cppcc.models import User
    from members.models import Member

    if not every:
        return None
    office = next(a for a in accounts if a.role == "office")
    members = Member.objects.visible_to(User.objects.get(username=office.username))
    chosen = members.filter(status="active").order_by("pk")[:WRITER_MEMBERS]
    return {
        "username": office.username,
        "password": office.password,
        "token_url": "/api/v1/auth/token/",
        "url": WRITER_URL,
        "name": WRITER_NAME,
        "every": every,
        "members": {str(m.pk): m.wishes for m in chosen},
    }


def restore_writes(writer: dict | None, env: dict[str, str]) -> None:
    """The members the office changed, back as generated, so that the next run reads the same
    records; then `forget_kept` in the server's environment (its shared cache), as after any
    write the application does not see."""
    from members.models import Member

    if not writer:
        return
    for pk, wishes in writer["members"].items():
        Member.objects.filter(pk=int(pk)).update(wishes=wishes)
    subprocess.run(
        [sys.executable, "manage.py", "forget_kept"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def data_size() -> str:
    from consultations.models import ConsultationMeeting, Matter
    from members.models import Member
    from proposals.models import OpinionReport, Proposal
    from studios.models import Activity, Studio, Town

    parts = [
        ("members", Member),
        ("towns", Town),
        ("studios", Studio),
        ("activities", Activity),
        ("matters", Matter),
        ("meetings", ConsultationMeeting),
        ("proposals", Proposal),
        ("opinion reports", OpinionReport),
    ]
    return ", ".join(f"{model._default_manager.count():,} {label}" for label, model in parts)


def time_summary() -> str:
    """The county's yearly summary of last year, started and compiled inline (eager Celery)."""
    from django.utils import timezone

    from cppcc.models import User
    from reports import summary, summary_documents
    from reports.models import SummaryScope, SummaryStatus
    from reports.periods import Period

    office = User.objects.get(username="office")
    year = timezone.localdate().year - 1
    wholes = []
    # Twice: the first compile in a process also loads matplotlib and WeasyPrint's fonts, which
    # a Celery worker does once.
    for _ in range(2):
        started = time.perf_counter()
        rows = summary.start(office, year, SummaryScope.COUNTY)
        wholes.append(time.perf_counter() - started)
        rows[0].refresh_from_db()
        if rows[0].status != SummaryStatus.DONE:
            return f"the {year} summary did not finish: {rows[0].status} {rows[0].error}"
    parts = []
    started = time.perf_counter()
    summary.gather(summary.Scope.of(rows[0]), Period.for_year(year))
    parts.append(f"figures {time.perf_counter() - started:.2f} s")
    for label, build in (
        ("Word", summary_documents.summary_docx),
        ("Excel", summary_documents.summary_xlsx),
        ("PDF", summary_documents.summary_pdf),
    ):
        started = time.perf_counter()
        build(rows[0])
        parts.append(f"{label} {time.perf_counter() - started:.2f} s")
    return (
        f"yearly summary of the county for {year}, started and compiled: {wholes[0]:.2f} s "
        f"the first time in the process, {wholes[1]:.2f} s the second "
        f"(each part again on its own: {', '.join(parts)})"
    )


class _RollBack(Exception):
    pass


def member_workbook(count: int = 365) -> bytes:
    """`count` of the register's members as the office exports them, each given a new valid ID
    number, so that importing the file creates `count` members."""
    from openpyxl import load_workbook
    from stdnum.cn import ric

    from cppcc.models import User
    from members import importing
    from members.models import Member

    office = User.objects.get(username="office")
    members = importing.export_queryset(Member.objects.visible_to(office).order_by("pk")[:count])
    workbook = load_workbook(io.BytesIO(importing.export_members(members, office)))
    sheet = workbook.active
    headers = [cell.value for cell in sheet[1]]
    column = headers.index(importing.HEADER_OF["id_number"]) + 1
    taken = set(Member.objects.values_list("id_number", flat=True))
    for row in range(2, sheet.max_row + 1):
        old = str(sheet.cell(row=row, column=column).value)
        # Keeps region, birth date and the gender digit; changes the two digits before it.
        for serial in range(100):
            body = f"{old[:14]}{serial:02d}{old[16]}"
            new = body + ric.calc_check_digit(body + "0")  # it skips the last character
            if new not in taken:
                break
        taken.add(new)
        sheet.cell(row=row, column=column).value = new
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def time_import(count: int = 365) -> str:
    """Reads and writes `count` new members as the office's import does, then rolls back."""
    from django.db import transaction

    from cppcc.models import User
    from members import importing

    data = member_workbook(count)
    office = User.objects.get(username="office")
    started = time.perf_counter()
    plan = importing.parse_workbook(io.BytesIO(data))
    parsed = time.perf_counter() - started
    if not plan.ok:
        return f"member import refused the file: {plan.errors[0]}"
    try:
        with transaction.atomic():
            counts = importing.apply_plan(plan, by=office)
            written = time.perf_counter() - started
            raise _RollBack
    except _RollBack:
        pass
    return (
        f"import of {count} members ({counts['new']} new): {written:.2f} s "
        f"(reading and checking the file {parsed:.2f} s; rolled back)"
    )


# --- gunicorn and locust ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict[str, str], port: int, log: Path, threads: int, workers: int):
    command = [
        sys.executable, "-m", "gunicorn", "cppcc.wsgi:application",
        "-c", "python:cppcc.gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--threads", str(threads),
    ]  # fmt: skip
    with open(log, "w") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz/", headers=HEADERS)
        for _ in range(120):
            if server.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {log}")
            with (
                contextlib.suppress(OSError, urllib.error.URLError),
                urllib.request.urlopen(request, timeout=2) as response,
            ):
                if response.status == 200:
                    break
            time.sleep(0.5)
        else:
            raise SystemExit(f"gunicorn did not answer /healthz/; see {log}")
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def run_locust(env: dict, plan: Path, prefix: Path, port: int, users: int, duration: int) -> None:
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "locustfile.py"),
        "--headless", "--only-summary", "-u", str(users), "-r", "5", "-t", f"{duration}s",
        "--host", f"http://127.0.0.1:{port}", "--csv", str(prefix), "--stop-timeout", "5",
    ]  # fmt: skip
    # locust exits 1 when a request failed; the failures are in the table, not a crash.
    result = subprocess.run(command, cwd=ROOT, env={**env, "BENCH_PLAN": str(plan)}, check=False)
    if not Path(f"{prefix}_stats.csv").exists():
        raise SystemExit(f"locust wrote no statistics (exit {result.returncode})")


# --- the run ----------------------------------------------------------------------------------


_STARTED = time.monotonic()


def step(text: str) -> None:
    print(f"[{time.monotonic() - _STARTED:5.0f} s] {text}", flush=True)


def collect_static(env: dict[str, str], root: Path) -> str:
    """collectstatic into `root` unless its manifest is newer than every source file. Hashed
    names as in production, without whitenoise's compression (minutes on a busy machine, and
    the load requests no static file: a browser keeps them cached)."""
    manifest = root / "staticfiles.json"
    sources = [p for p in (ROOT / "static").rglob("*") if p.is_file()]
    if manifest.exists() and all(p.stat().st_mtime < manifest.stat().st_mtime for p in sources):
        return "static files up to date"
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return "static files collected"


def server_env(target: Target, workdir: Path, gc_freeze: bool) -> dict[str, str]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cppcc.settings",
        "DJANGO_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        # testserver: the in-process test client of count_queries().
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": target.url,
        "STATIC_ROOT": str(workdir / "static"),
        "MEDIA_ROOT": str(workdir / "media"),
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "GUNICORN_ACCESSLOG": "",
        "CPPCC_GC_FREEZE": "1" if gc_freeze else "0",
        "CPPCC_GC_STATS": "1",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage",
    }
    env.pop("DJANGO_DEBUG", None)
    return env


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench run", description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=int, default=180, help="seconds of load")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--db", help="database name (default bench_s<S>, bench_demo with --demo)")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", DEFAULT_PG))
    parser.add_argument("--demo", action="store_true", help="the demo county, not generated data")
    parser.add_argument("--no-gc-freeze", dest="gc_freeze", action="store_false")
    parser.add_argument(
        "--threads",
        type=int,
        default=DEFAULT_THREADS,
        help=f"threads per gunicorn worker (default {DEFAULT_THREADS}, cppcc/gunicorn.py's)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=DEFAULT_WORKERS,
        help=f"gunicorn worker processes (default {DEFAULT_WORKERS}, cppcc/gunicorn.py's)",
    )
    parser.add_argument(
        "--write-every",
        type=int,
        default=0,
        metavar="SECONDS",
        help="one more person: the office changing a member through the API every SECONDS "
        "(default: none, a read-only load)",
    )
    parser.add_argument("--no-write", dest="write", action="store_false", help="print only")
    args = parser.parse_args(argv)

    scale = None if args.demo else args.scale
    target = Target(
        args.db or ("bench_demo" if args.demo else f"bench_s{args.scale}"),
        args.pg,
        scale,
        args.seed,
    )
    workdir = Path(tempfile.gettempdir()) / "cppcc-bench" / target.db
    workdir.mkdir(parents=True, exist_ok=True)
    env = server_env(target, workdir, args.gc_freeze)
    step(f"data in {target.db}")
    print(build_data(target, env), flush=True)
    step("static files")
    print(collect_static(env, workdir / "static"), flush=True)

    # This process reads the same database with the server's settings, but runs Celery tasks
    # inline (the summary) and keeps its cache to itself.
    os.environ.update({k: v for k, v in env.items() if k != "REDIS_URL"})
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.db import connection

    step("accounts, pages and their queries, in this process")
    accounts, notes = plan_accounts(args.users, args.demo, args.seed)
    queries = count_queries(accounts)
    writer = plan_writer(accounts, args.write_every)
    size = data_size()
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
    connection.close()

    plan = workdir / "plan.json"
    by_role: dict[str, dict] = {}
    for account in accounts:
        entry = by_role.setdefault(
            account.role, {"weight": ROLE_WEIGHTS[account.role], "accounts": []}
        )
        entry["accounts"].append(
            {"username": account.username, "password": account.password, "pages": account.pages}
        )
    plan.write_text(
        json.dumps(
            {
                "roles": by_role,
                "floors": FLOORS,
                "floor_names": {"bare": BARE_NAME, "minimal": MINIMAL_NAME},
                "headers": HEADERS,
                "login_url": LOGIN_URL,
                "wait": WAIT,
                "page_weight": PAGE_WEIGHT,
                "people": args.users,
                "writer": writer,
            },
            ensure_ascii=False,
            indent=1,
        ),
        encoding="utf-8",
    )
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    prefix = workdir / f"locust-{stamp}"
    port = free_port()
    load_before = load_average()
    server_log = workdir / f"gunicorn-{stamp}.log"
    step(f"gunicorn on 127.0.0.1:{port}, locust for {args.duration} s ({plan})")
    with gunicorn(env, port, server_log, args.threads, args.workers):
        run_locust(env, plan, prefix, port, args.users + bool(writer), args.duration)
    restore_writes(writer, env)
    load_after = load_average()
    gc_pauses = parse_gc_stats(server_log.read_text(encoding="utf-8", errors="replace"))
    step("the yearly summary and the member import, in this process")
    summary_line = time_summary()
    import_line = time_import()

    stats = parse_stats(Path(f"{prefix}_stats.csv"))
    failures = parse_failures(Path(f"{prefix}_failures.csv")) + parse_exceptions(
        Path(f"{prefix}_exceptions.csv")
    )
    command = "python -m bench " + shlex.join(
        ["run", *(argv if argv is not None else sys.argv[2:])]
    )
    gc_text = (
        "cppcc/gunicorn.py: gc.freeze() after the app loads, thresholds "
        + os.environ.get("CPPCC_GC_THRESHOLD", "50000,20,100")
        if args.gc_freeze
        else "Python's defaults (CPPCC_GC_FREEZE=0)"
    )
    threads_text = f" of {args.threads} threads each" if args.threads > 1 else " (sync)"
    accounts_text = ", ".join(f"{role} {len(entry['accounts'])}" for role, entry in by_role.items())
    body = "\n".join(
        [
            f"Command: `{command}` ({datetime.date.today().isoformat()}, commit {commit()}).",
            "",
            f"- Machine: {os.cpu_count()} cores, {cpu_model()}; Python {platform.python_version()}, "
            f"Django {django.get_version()}, PostgreSQL {pg_version}.",
            f"- Data: {size}.",
            f"- Load: {args.users} people for {args.duration} s (role weights "
            + ", ".join(f"{r} {w}" for r, w in ROLE_WEIGHTS.items())
            + f"; logins {accounts_text}), {WAIT[0]}–{WAIT[1]} s between pages; gunicorn "
            f"{args.workers} workers{threads_text} on loopback, production settings; garbage collection: "
            f"{gc_text}.",
            *(
                [
                    f"- Writes: one more person, the office ({writer['username']}), changing a "
                    f"member's wishes through the API (PATCH {WRITER_URL}) every "
                    f"{args.write_every} s, in turn over {len(writer['members'])} members, put "
                    "back when the load stops; every write leaves what was kept behind."
                ]
                if writer
                else []
            ),
            f"- Load average (1, 5, 15 min): before {load_before}, after {load_after}.",
            f"- Garbage collection while serving (CPU time of the workers): {gc_pauses}.",
            f"- {summary_line}.",
            f"- {import_line}.",
            "",
            "Times from locust (ms, whole request over loopback), counted from the moment the "
            "last person has logged in and read each of their pages once (the warm-up); "
            "queries of one request after a first by the same login, counted in-process. "
            "Errors: failed / all requests.",
            "",
            table(stats, queries),
        ]
        + (["", "Failures:", "", *[f"- {line}" for line in failures]] if failures else [])
        + (["", "Pages left out:", "", *[f"- {line}" for line in notes]] if notes else [])
    )
    heading = section_heading(scale, args.gc_freeze, args.threads, args.workers, args.write_every)
    print(f"\n{heading}\n\n{body}\n")
    print(f"locust CSV: {prefix}_stats.csv", flush=True)
    if args.write:
        DOCS.write_text(
            replace_section(DOCS.read_text(encoding="utf-8"), heading, body), encoding="utf-8"
        )
        print(f"written to {DOCS.relative_to(ROOT)}")
