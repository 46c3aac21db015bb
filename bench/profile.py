"""`python -m bench profile`: where one request of each load page spends its time, in-process.

    python -m bench profile --scale 10 [--repeat 10] [--only SUBSTRING] [--cprofile N]

Reads an existing bench database (built by `python -m bench run` or `bench.generate`), picks
the same accounts and pages as the load run, and requests each page `--repeat` times through
Django's test client after one warm-up, with production settings and no other load. For each
page it reports the median wall time, the part spent waiting on PostgreSQL (every statement's
wall time, through a connection execute wrapper), the rest (Python: middleware, ORM, templates)
and the queries; "first (cold)" is the page's first request in the process, which also
pays for what is computed once and kept when this page is the first to need it (the load run's
warm-up takes those out of its statistics). The last line is the load's demand: the seconds of work per second of the
locust mix (each page's median weighted by how often the load requests it), which is what two
workers on two cores have to stay well under for requests not to queue.

`--cprofile N` prints the N costliest functions of `--repeat` requests of the slowest page
(`--sort cumulative`, the default, or `tottime`: where the time is spent itself).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import tempfile
import time
from pathlib import Path

from bench import run


class _Timer:
    """Connection execute wrapper: wall time and count of every statement."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.count += 1


def _rates(accounts, users: int) -> dict[str, float]:
    """Share of all load requests each page name gets, the floors included. Locust starts the
    people of each role by ROLE_WEIGHTS; each reads one of its account's pages with weight
    PAGE_WEIGHT and each floor with weight 1."""
    total = sum(run.ROLE_WEIGHTS.values())
    page_share = run.PAGE_WEIGHT / (run.PAGE_WEIGHT + 2)
    by_role: dict[str, list] = {}
    for account in accounts:
        by_role.setdefault(account.role, []).append(account)
    shares: dict[str, float] = {}
    for role, role_accounts in by_role.items():
        people = max(1, round(users * run.ROLE_WEIGHTS[role] / total)) / users
        for account in role_accounts:
            for name, _url in account.pages:
                share = people / len(role_accounts) * page_share / len(account.pages)
                shares[name] = shares.get(name, 0.0) + share
    shares[run.BARE_NAME] = shares[run.MINIMAL_NAME] = 1 / (run.PAGE_WEIGHT + 2)
    return shares


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench profile", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="database name (default bench_s<S>)")
    parser.add_argument("--pg", default=os.environ.get("BENCH_PG", run.DEFAULT_PG))
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--only", help="only pages whose name contains this")
    parser.add_argument("--cprofile", type=int, default=0, metavar="N")
    parser.add_argument(
        "--sort",
        default="cumulative",
        choices=("cumulative", "tottime"),
        help="order of the cProfile listing (tottime: where the time is spent itself)",
    )
    args = parser.parse_args(argv)

    target = run.Target(args.db or f"bench_s{args.scale}", args.pg, args.scale, args.seed)
    workdir = Path(tempfile.gettempdir()) / "cppcc-bench" / target.db
    workdir.mkdir(parents=True, exist_ok=True)
    env = run.server_env(target, workdir, gc_freeze=True)
    run.collect_static(env, workdir / "static")
    os.environ.update({k: v for k, v in env.items() if k != "REDIS_URL"})
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from cppcc.models import User

    accounts, _notes = run.plan_accounts(args.users, False, args.seed)
    shares = _rates(accounts, args.users)
    pages: dict[str, tuple[str, str]] = {
        run.BARE_NAME: ("", run.FLOORS["bare"]),
        run.MINIMAL_NAME: (accounts[0].username, run.FLOORS["minimal"]),
    }
    for account in accounts:
        for name, url in account.pages:
            pages.setdefault(name, (account.username, url))
    clients: dict[str, Client] = {}
    rows = []
    slowest: tuple[float, str, Client, str] | None = None
    for name, (username, url) in pages.items():
        if args.only and args.only not in name:
            continue
        if username not in clients:
            client = Client(headers=run.HEADERS)
            if username:
                client.force_login(User.objects.get(username=username))
            clients[username] = client
        client = clients[username]
        started = time.perf_counter()
        if client.get(url).status_code != 200:
            raise SystemExit(f"{url} as {username or 'anonymous'} did not answer 200")
        # The first request of a page in this process: it also pays for what is computed once
        # and kept (figures of a scope, the proposal corpus) when it is the first to need it.
        first = time.perf_counter() - started
        walls, dbs, queries = [], [], 0
        for _ in range(args.repeat):
            timer = _Timer()
            with connection.execute_wrapper(timer):
                started = time.perf_counter()
                client.get(url)
                walls.append(time.perf_counter() - started)
            dbs.append(timer.seconds)
            queries = timer.count
        wall, db = statistics.median(walls), statistics.median(dbs)
        rows.append((name, wall, db, queries, shares.get(name, 0.0), first))
        if slowest is None or wall > slowest[0]:
            slowest = (wall, name, client, url)

    print(f"{target.db}, {args.repeat} requests per page after one warm-up, medians in ms\n")
    print("| page | wall | PostgreSQL | Python | queries | share of load | first (cold) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, wall, db, queries, share, first in sorted(rows, key=lambda r: -r[1] * r[4]):
        print(
            f"| {name} | {wall * 1000:.1f} | {db * 1000:.1f} | {(wall - db) * 1000:.1f} "
            f"| {queries} | {share:.1%} | {first * 1000:.0f} |"
        )
    demand = sum(wall * share for _n, wall, _d, _q, share, _f in rows)
    db_demand = sum(db * share for _n, _w, db, _q, share, _f in rows)
    print(
        f"\nmean work per load request: {demand * 1000:.1f} ms "
        f"(PostgreSQL {db_demand * 1000:.1f} ms, Python {(demand - db_demand) * 1000:.1f} ms)"
    )
    if args.cprofile and slowest is not None:
        _wall, name, client, url = slowest
        # --repeat requests profiled together: one request's few milliseconds are noisy.
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.repeat):
            client.get(url)
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.cprofile)
        print(f"\ncProfile of {args.repeat} requests of {name} ({url}):\n{out.getvalue()}")


if __name__ == "__main__":
    main()
