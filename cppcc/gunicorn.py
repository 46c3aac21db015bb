"""gunicorn settings: `gunicorn cppcc.wsgi:application -c python:cppcc.gunicorn`.

Used by the Dockerfile, docker-compose and the benchmark runner (`python -m bench run`).
Command-line options given after `-c` still win (the runner passes its own `--bind`).

Garbage collection. A worker holds a few hundred thousand long-lived objects once Django, the
apps, the URL patterns and the libraries are imported. CPython's full (generation 2) collection
walks all of them; measured at ten counties' data it paused a request for 150–180 ms every few
hundred requests (issue 13). After the worker has loaded the application, each app's
`warm_up()` (an AppConfig method, where an app has one) loads what it keeps per process; then we
collect once and `gc.freeze()` what survives, so later collections skip it. And collections are
taken out of the requests: the worker runs them after a response has gone (`post_request`),
when the young generation has reached GC_THRESHOLD, choosing the generation as CPython would;
CPython's own trigger stays as a safety net far above (GC_SAFETY_THRESHOLD), for a single
request that allocates that much. `CPPCC_GC_FREEZE=0` turns all of this off (Python's
defaults), which is how the benchmark measures "before". `CPPCC_GC_THRESHOLD` (three
comma-separated integers) overrides the thresholds.
`CPPCC_GC_STATS=1` times every collection in the worker and logs, when the worker exits, a line
`gc-stats {json}`: per generation the number of collections, their total and longest CPU time
in ms, and the same for the collections that ran while a request was being served
("in_request"). The benchmark runner reads it from the log.
"""

import gc
import json
import os
import time

# WEB_CONCURRENCY is the variable gunicorn and most hosting platforms already use.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Threads per worker (gunicorn's gthread worker above 1). bench/run.py's DEFAULT_THREADS is kept
# equal to this default so that the benchmark measures what production runs.
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
# A yearly summary or an export can take seconds; the default 30 s is kept as the hard limit.
timeout = 30
# The app is loaded in each worker, not in the master: nothing (a database connection, a
# thread) is shared across the fork, and a worker restart reloads the code.
preload_app = False

GC_FREEZE = os.environ.get("CPPCC_GC_FREEZE", "1") not in ("0", "false", "no", "")
# Generation 0 at 50,000 allocations instead of 700: a page's objects die young, so fewer
# young collections run, and each older collection finds less to promote.
GC_THRESHOLD = tuple(
    int(part) for part in os.environ.get("CPPCC_GC_THRESHOLD", "50000,20,100").split(",")
)
# CPython's own trigger while a request runs: only a request allocating this much collects.
GC_SAFETY_THRESHOLD = (GC_THRESHOLD[0] * 20, GC_THRESHOLD[1], GC_THRESHOLD[2])


def _warm_up(worker) -> None:
    # Importing the URL patterns imports every view, serializer and form module, which
    # otherwise happens on the first request, after the freeze, and stays in the young
    # generations to be scanned again and again.
    from django.apps import apps
    from django.db import connections
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - the attribute access does the import
    # What an app keeps in each process (the similar-proposals corpus: 2 s to build at ten
    # counties' scale, 0.2 s to load another worker's) is loaded before the first request and
    # frozen with the rest. A worker whose warm-up fails still serves: the first request that
    # needs the value loads it as before.
    for config in apps.get_app_configs():
        warm_up = getattr(config, "warm_up", None)
        if warm_up is None:
            continue
        try:
            warm_up()
        except Exception:
            worker.log.exception("warm-up of %s failed", config.label)
    # No connection opened here is carried into the first request (close_old_connections would
    # keep it for CONN_MAX_AGE).
    connections.close_all()


GC_STATS = os.environ.get("CPPCC_GC_STATS") == "1"
# generation (or "in_request") -> [collections, total seconds, longest seconds]; filled by
# _time_collection.
_pauses = {generation: [0, 0.0, 0.0] for generation in (0, 1, 2, "in_request")}
_collection_started = [0.0]
# Whether a request is being served (pre_request .. post_request).
_serving = [False]


def _time_collection(phase: str, info: dict) -> None:
    # CPU time of the worker, not wall time: on a shared machine a collection can be put off
    # the CPU halfway, and that wait is the neighbours' doing, not the collector's.
    if phase == "start":
        _collection_started[0] = time.process_time()
        return
    took = time.process_time() - _collection_started[0]
    for key in (info["generation"], "in_request") if _serving[0] else (info["generation"],):
        entry = _pauses[key]
        entry[0] += 1
        entry[1] += took
        entry[2] = max(entry[2], took)


def post_worker_init(worker) -> None:
    """Runs in each worker once it has loaded the WSGI application."""
    _warm_up(worker)
    if not GC_FREEZE:
        worker.log.info("gc: defaults (CPPCC_GC_FREEZE=0), thresholds %s", gc.get_threshold())
    else:
        gc.collect()
        gc.freeze()
        gc.set_threshold(*GC_SAFETY_THRESHOLD)
        worker.log.info(
            "gc: froze %d objects, collections between requests at %s",
            gc.get_freeze_count(),
            GC_THRESHOLD,
        )
    if GC_STATS:
        # Only the collections while serving: the one above is part of starting up.
        gc.callbacks.append(_time_collection)


def collect_if_due() -> int | None:
    """The collection CPython would have run by now, if any (the generation collected)."""
    young, middle, old = gc.get_count()
    if young < GC_THRESHOLD[0]:
        return None
    # The oldest generation whose count has passed its threshold, and all younger ones.
    generation = 2 if old >= GC_THRESHOLD[2] else 1 if middle >= GC_THRESHOLD[1] else 0
    gc.collect(generation)
    return generation


def pre_request(worker, req) -> None:
    _serving[0] = True


def post_request(worker, req, environ, resp) -> None:
    """Runs in the worker once the response has been written."""
    _serving[0] = False
    if GC_FREEZE:
        collect_if_due()


def worker_exit(server, worker) -> None:
    """Runs in the worker as it exits."""
    if GC_STATS:
        stats = {
            generation: {
                "collections": count,
                "total_ms": round(total * 1000, 1),
                "longest_ms": round(longest * 1000, 1),
            }
            for generation, (count, total, longest) in _pauses.items()
        }
        worker.log.info("gc-stats %s", json.dumps(stats))
