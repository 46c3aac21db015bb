"""The benchmark runner (bench/run.py): locust's CSV into the table, the docs section it
replaces, the pages the load covers, the IDs it gives each login, and the gunicorn GC hook."""

import gc
import json
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from urllib.parse import urlsplit

import psycopg
import pytest
from django.urls import Resolver404, resolve

from bench import run

# Locust 2.x `--csv PREFIX` writes PREFIX_stats.csv with this header.
HEADER = (
    "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
    "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
    "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%"
)
ROWS = [
    "GET,floor:bare /robots.txt,300,0,3,3.4,1,20,25,1.67,0,3,3,4,4,5,6,7,9,20,20,20",
    "GET,floor:logged-in /accounts/password/,310,0,11,12,8,40,9000,1.72,0,11,12,13,14,16,19,21,25,40,40,40",
    "GET,office /studios/,120,2,48,52,30,410,80000,0.67,0.01,48,50,55,60,70,95,120,190,410,410,410",
    "POST,office login,6,0,210,215,190,240,0,0.03,0,210,220,220,220,240,240,240,240,240,240,240",
    "GET,office login form,6,0,15,15,12,19,5000,0.03,0,15,15,16,16,19,19,19,19,19,19,19",
    "GET,office warm-up,0,0,0,0,0,0,0,0,0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A",
    "POST,writer token,1,0,90,90,90,90,60,0.01,0,90,90,90,90,90,90,90,90,90,90,90",
    "GET,writer read,5,0,30,30,25,35,900,0.03,0,30,30,30,30,35,35,35,35,35,35,35",
    "PATCH,office-writer PATCH /api/v1/members/{member}/,60,1,50,55,30,180,900,0.33,0.01,50,55,60,60,70,120,150,180,180,180,180",
    "GET,unit /proposals/unit/proposals/{unit_proposal}/,0,0,0,0,0,0,0,0,0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A",
    ",Aggregated,742,2,12,20,1,410,30000,4.1,0.01,12,14,16,18,40,60,90,150,410,410,410",
]


@pytest.fixture
def stats_csv(tmp_path) -> Path:
    path = tmp_path / "locust_stats.csv"
    path.write_text("\n".join([HEADER, *ROWS]) + "\n", encoding="utf-8")
    return path


def test_parse_stats_reads_each_request_name_without_the_total(stats_csv):
    stats = {s.name: s for s in run.parse_stats(stats_csv)}

    assert "Aggregated" not in stats
    studios = stats["office /studios/"]
    assert (studios.requests, studios.failures, studios.rps) == (120, 2, 0.67)
    assert (studios.p50, studios.p95, studios.p99) == (48, 95, 190)
    assert (studios.who, studios.url) == ("office", "/studios/")
    assert stats["unit /proposals/unit/proposals/{unit_proposal}/"].p99 is None


def test_table_puts_floors_first_leaves_out_logins_and_compares_with_the_logged_in_floor(
    stats_csv,
):
    text = run.table(run.parse_stats(stats_csv), {"office /studios/": 8, run.BARE_NAME: 0})
    lines = text.splitlines()

    assert lines[0].startswith("| role | URL | req/s | p50 ms | p95 ms | p99 ms |")
    assert lines[2] == "| floor:bare | `/robots.txt` | 1.67 | 3 | 6 | 9 | – | 0 / 300 | 0 |"
    assert lines[3].startswith("| floor:logged-in | `/accounts/password/` |")
    # 95 ms against the logged-in floor's 19 ms; 2 of 120 requests failed; 8 queries.
    assert "| office | `/studios/` | 0.67 | 48 | 95 | 190 | 5.0 | 2 / 120 | 8 |" in lines
    # A page locust never reached shows dashes; the office's writes come after the pages.
    assert (
        "| unit | `/proposals/unit/proposals/{unit_proposal}/` | 0.00 | – | – | – |" in (lines[-2])
    )
    assert lines[-1] == (
        "| office-writer | `PATCH /api/v1/members/{member}/` | 0.33 | 50 | 120 | 180 | 6.3 "
        "| 1 / 60 | – |"
    )
    assert not any("login" in line or "warm-up" in line for line in lines)
    # The writer's token and its reads of versions are not the load's.
    assert not any(word in text for word in ("writer token", "writer read"))


def test_replace_section_rewrites_only_its_own_section():
    text = (
        "# Benchmarks\n\nintro\n\n## Load benchmark: S=1\n\nold table\n\n## Member import\n\nkept\n"
    )

    replaced = run.replace_section(text, "## Load benchmark: S=1", "new table")

    assert replaced == (
        "# Benchmarks\n\nintro\n\n## Load benchmark: S=1\n\nnew table\n\n## Member import\n\nkept\n"
    )
    added = run.replace_section(replaced, "## Load benchmark: S=10", "tenfold")
    assert added.endswith("## Member import\n\nkept\n\n## Load benchmark: S=10\n\ntenfold\n")
    assert run.replace_section(added, "## Load benchmark: S=10", "again").count("S=10") == 1


def test_section_heading_names_the_data_and_the_gc_setting():
    assert run.section_heading(10, gc_freeze=True) == "## Load benchmark: S=10"
    assert "--no-gc-freeze" in run.section_heading(1, gc_freeze=False)
    assert run.section_heading(None, gc_freeze=True) == "## Load benchmark: the demo county"
    other = 3 if run.DEFAULT_THREADS != 3 else 2
    assert run.section_heading(10, gc_freeze=True, threads=other) == (
        f"## Load benchmark: S=10, {other} thread(s) per worker"
    )
    assert run.section_heading(10, gc_freeze=True, workers=run.DEFAULT_WORKERS + 2) == (
        f"## Load benchmark: S=10, {run.DEFAULT_WORKERS + 2} workers"
    )
    # A load with the office's writes is a section of its own, not the read-only run's.
    assert run.section_heading(10, gc_freeze=True, write_every=30) == (
        "## Load benchmark: S=10, the office writing every 30 s"
    )


def test_the_benchmark_runs_the_workers_and_threads_production_runs(monkeypatch):
    # The runner's defaults are what cppcc/gunicorn.py configures without the environment, so
    # the load is measured on production's processes unless --workers/--threads say otherwise.
    import importlib

    from cppcc import gunicorn as settings

    monkeypatch.delenv("WEB_CONCURRENCY", raising=False)
    monkeypatch.delenv("GUNICORN_THREADS", raising=False)
    settings = importlib.reload(settings)
    assert (settings.workers, settings.threads) == (run.DEFAULT_WORKERS, run.DEFAULT_THREADS)


def _example(template: str) -> str:
    return template.format(
        member=1, studio=1, matter=1, proposal=1, unit_proposal=1, member_q="%E5%BC%A0"
    )


def test_every_page_of_the_load_and_the_floors_resolves():
    urls = [u for pages in run.LOAD_PAGES.values() for u in pages] + list(run.FLOORS.values())
    unresolved = []
    for url in urls:
        try:
            resolve(urlsplit(_example(url)).path)
        except Resolver404:
            unresolved.append(url)
    assert unresolved == []


def test_the_load_covers_every_page_the_issue_lists():
    loaded = {u for pages in run.LOAD_PAGES.values() for u in pages}
    assert {name: url for name, url in run.COVERED.items() if url not in loaded} == {}
    assert set(run.LOAD_PAGES) == set(run.ROLE_WEIGHTS)


def test_a_town_clerk_is_given_a_studio_of_their_own_town(
    town_user, office_user, gunan_studio, dongxi_studio
):
    rng = run.random.Random(1)

    town_urls = {run.fill("/studios/{studio}/", town_user, rng) for _ in range(10)}
    office_urls = {run.fill("/studios/{studio}/", office_user, rng) for _ in range(10)}

    assert town_urls == {f"/studios/{gunan_studio.pk}/"}
    # The same draws for the office reach both towns' studios.
    assert office_urls == {f"/studios/{gunan_studio.pk}/", f"/studios/{dongxi_studio.pk}/"}


def test_a_login_that_sees_no_such_record_gets_no_page(unit_user):
    rng = run.random.Random(1)
    assert run.fill("/proposals/unit/proposals/{unit_proposal}/", unit_user, rng) is None
    assert run.fill("/studios/{studio}/", unit_user, rng) is None


def test_member_search_uses_the_surname_of_a_member_the_login_sees(town_user, member_a):
    url = run.fill("/members/?q={member_q}", town_user, run.random.Random(1))
    assert url == "/members/?q=" + run.quote(member_a.name[0])


def test_the_writer_is_the_office_changing_active_members_it_sees(office_user, member_a, member_b):
    from members.models import Member

    member_b.wishes = "多调研农村养老"
    member_b.save()
    Member.objects.filter(pk=member_a.pk).update(status="left")
    accounts = [run.Account("town", "t-town", "pw"), run.Account("office", "t-office", "pw")]

    writer = run.plan_writer(accounts, every=30)

    assert (writer["username"], writer["every"]) == ("t-office", 30)
    # Its members with their wishes as they were, to be put back when the load stops.
    assert writer["members"] == {str(member_b.pk): "多调研农村养老"}
    assert writer["url"].format(member=member_b.pk) == f"/api/v1/members/{member_b.pk}/"
    assert run.plan_writer(accounts, every=0) is None


@pytest.fixture
def gc_state():
    from cppcc import gunicorn

    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)
    if gunicorn._time_collection in gc.callbacks:
        gc.callbacks.remove(gunicorn._time_collection)
    gunicorn._serving[0] = False


def _worker(errors=None):
    def exception(*args):
        if errors is None:
            raise AssertionError(args)
        errors.append(args)

    return SimpleNamespace(log=SimpleNamespace(info=lambda *args: None, exception=exception))


@pytest.mark.django_db
def test_gunicorn_worker_warms_up_what_the_apps_keep_before_the_freeze(gc_state):
    # The similar-proposals corpus is loaded as the worker starts, then frozen with the app:
    # no collection walks it again.
    from cppcc import gunicorn
    from proposals import similarity
    from tests.factories import ProposalFactory

    proposal = ProposalFactory()
    similarity.clear_caches()
    gunicorn.post_worker_init(_worker())
    base = similarity._bases["default"][1]
    assert proposal.pk in base.position
    assert not any(o is base.corpus for o in gc.get_objects())


@pytest.mark.django_db
def test_a_failed_warm_up_is_logged_and_the_worker_still_starts(gc_state, monkeypatch):
    from cppcc import gunicorn
    from proposals import similarity

    def broken(db="default"):
        raise RuntimeError("database down")

    monkeypatch.setattr(similarity, "warm", broken)
    errors = []
    gunicorn.post_worker_init(_worker(errors))
    assert [args[1] for args in errors] == ["proposals"]
    assert gc.get_freeze_count() > 10_000


# The warm-up reads the database, as in a real worker.
@pytest.mark.django_db
def test_gunicorn_worker_freezes_the_loaded_app_and_raises_the_young_threshold(gc_state):
    from cppcc import gunicorn

    gunicorn.post_worker_init(_worker())

    assert gc.get_freeze_count() > 10_000
    # CPython's own trigger only as a safety net: collections run between requests.
    assert gc.get_threshold() == gunicorn.GC_SAFETY_THRESHOLD
    assert gunicorn.GC_SAFETY_THRESHOLD[0] > gunicorn.GC_THRESHOLD[0] > 700


@pytest.mark.django_db
def test_collections_run_after_the_response_not_during_the_request(gc_state, monkeypatch):
    from cppcc import gunicorn

    monkeypatch.setattr(gunicorn, "GC_STATS", True)
    monkeypatch.setattr(gunicorn, "_pauses", {g: [0, 0.0, 0.0] for g in (0, 1, 2, "in_request")})
    gunicorn.post_worker_init(_worker())
    monkeypatch.setattr(gunicorn, "GC_THRESHOLD", (1000, 3, 100))

    kept = []
    for _request in range(4):
        gunicorn.pre_request(None, None)
        # A request's new objects: past the young threshold, under the safety net.
        kept.append([[] for _ in range(5000)])
        gunicorn.post_request(None, None, {}, None)
    del kept
    collected = gunicorn._pauses
    assert collected["in_request"][0] == 0
    # Four young collections were due, and the middle generation's every third.
    assert collected[0][0] + collected[1][0] == 4 and collected[1][0] == 1
    assert gunicorn.collect_if_due() is None  # nothing young since


# The warm-up reads the database, as in a real worker.
@pytest.mark.django_db
def test_gunicorn_worker_keeps_python_defaults_with_gc_freeze_off(gc_state, monkeypatch):
    from cppcc import gunicorn

    monkeypatch.setattr(gunicorn, "GC_FREEZE", False)
    before = gc.get_threshold()

    gunicorn.post_worker_init(_worker())

    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


@pytest.mark.skipif(
    "1" not in (os.environ.get("CPPCC_BENCH_SMOKE"), os.environ.get("CPPCC_REQUIRE_SERVICES")),
    reason="a real 10-second load run at S=1 on PostgreSQL: set CPPCC_BENCH_SMOKE=1 "
    "(database CPPCC_BENCH_DB, default bench_smoke, built on the first run); CI runs it",
)
def test_smoke_run_at_scale_one_answers_every_page():
    database = os.environ.get("CPPCC_BENCH_DB", "bench_smoke")
    result = subprocess.run(
        [sys.executable, "-m", "bench", "run", "--scale", "1", "--duration", "10"]
        + ["--users", "5", "--no-write", "--write-every", "2"]
        + ["--db", database],
        cwd=run.ROOT,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "| floor:bare | `/robots.txt` |" in result.stdout
    assert "Failures:" not in result.stdout
    # The office wrote during the load, each write a 200 with the new version (locust's own
    # CSV keeps what the table leaves out), and its members were put back after it.
    csv_path = Path(result.stdout.split("locust CSV: ", 1)[1].split()[0])
    stats = {stat.name: stat for stat in run.parse_stats(csv_path)}
    assert stats[run.WRITER_NAME].failures == 0
    plan = json.loads((csv_path.parent / "plan.json").read_text(encoding="utf-8"))
    written = plan["writer"]["members"]
    with psycopg.connect(f"{os.environ.get('BENCH_PG', run.DEFAULT_PG)}/{database}") as connection:
        rows = connection.execute(
            "SELECT id, wishes FROM members_member WHERE id = ANY(%s)",
            [[int(pk) for pk in written]],
        ).fetchall()
    assert {str(pk): wishes for pk, wishes in rows} == written


def test_gc_pauses_are_summed_over_the_workers_log_lines():
    log = "\n".join(
        [
            "[2026-11-30 11:30:00 +0000] [101] [INFO] Booting worker with pid: 101",
            '[2026-11-30 11:31:00 +0000] [101] [INFO] gc-stats {"0": {"collections": 900, '
            '"total_ms": 40.5, "longest_ms": 1.5}, "1": {"collections": 80, "total_ms": 30.0, '
            '"longest_ms": 4.0}, "2": {"collections": 3, "total_ms": 420.0, "longest_ms": 170.0}}',
            '[2026-11-30 11:31:00 +0000] [102] [INFO] gc-stats {"0": {"collections": 100, '
            '"total_ms": 4.5, "longest_ms": 2.5}, "1": {"collections": 20, "total_ms": 10.0, '
            '"longest_ms": 1.0}, "2": {"collections": 1, "total_ms": 150.0, "longest_ms": 150.0}}',
        ]
    )

    text = run.parse_gc_stats(log)

    assert text.startswith("generation 2: 4 collections, longest 170.0 ms, total 570 ms; ")
    assert "generation 0: 1,000 collections, longest 2.5 ms, total 45 ms" in text
    assert run.parse_gc_stats("no such line") == "not recorded"


# The warm-up reads the database, as in a real worker.
@pytest.mark.django_db
def test_gunicorn_worker_logs_its_collections_when_it_exits(gc_state, monkeypatch):
    from cppcc import gunicorn

    lines = []
    worker = _worker()
    worker.log.info = lambda *args: lines.append(args)
    monkeypatch.setattr(gunicorn, "GC_STATS", True)
    monkeypatch.setattr(gunicorn, "_pauses", {g: [0, 0.0, 0.0] for g in (0, 1, 2, "in_request")})
    gunicorn.post_worker_init(worker)

    gc.collect(2)
    gunicorn.worker_exit(None, worker)

    logged = run.parse_gc_stats("gc-stats " + lines[-1][1])
    assert logged.startswith("generation 2: 1 collections")


def test_exceptions_of_the_load_script_are_reported_as_failures(tmp_path):
    # A task that raises is neither a request nor a failure in locust's statistics: the
    # runner must surface it, or a broken floor is only a row missing from the table.
    path = tmp_path / "run_exceptions.csv"
    path.write_text(
        "Count,Message,Traceback,Nodes\n"
        '3,"TypeError: unexpected keyword argument","  File ""x.py""",local\n',
        encoding="utf-8",
    )
    assert run.parse_exceptions(path) == ["3 × exception: TypeError: unexpected keyword argument"]
    assert run.parse_exceptions(tmp_path / "missing.csv") == []
