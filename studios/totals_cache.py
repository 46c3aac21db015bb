"""The activity list's totals kept in Django's cache (Redis in production): over the whole county
they sum 84,000 activities and count 420,000 attendance rows at ten counties' scale (issue 13),
most of the page's time, while the records behind them change a few times a day.

An entry is keyed by the statement the totals run (which carries the viewer's scope and the
filter) and by a data generation, which every write to an activity, its attendance or a studio
(whose town decides a town clerk's scope) moves on: post_save and post_delete, and `changed` from
writers that send no signal (bulk inserts). TIMEOUT bounds what a write that escaped both could
cost.
"""

import hashlib
from collections.abc import Callable

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet

from cppcc.generations import Generation

TIMEOUT = 600

# The models whose rows activity_totals reads, directly or through the viewer's scope.
FED_BY = ("studios.Activity", "studios.ActivityAttendance", "studios.Studio")


TOTALS = Generation("activity-totals", FED_BY)
changed = TOTALS.changed
watch = TOTALS.watch  # StudiosConfig.ready


def remembered(qs: QuerySet, compute: Callable[[], dict]) -> dict:
    """compute(), or what it gave before for the same statement (scope and filter) and
    generation; not kept by a transaction that changed the activities (Generation.remembered)."""
    try:
        sql, params = qs.order_by().values("pk").query.get_compiler(qs.db).as_sql()
    except EmptyResultSet:  # nothing can match (e.g. an impossible date range): nothing to keep
        return compute()
    digest = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
    return TOTALS.remembered(digest, compute, timeout=TIMEOUT, using=qs.db)
