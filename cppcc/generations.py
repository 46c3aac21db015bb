"""Generations: numbers in the shared cache (Redis in production) that every write to a set of
models moves on, so that what is kept computed from those records is keyed by the generation it
was computed at and is never read again once they change (issue 13: the figure pages, the
activity totals, the duty ledger's county figures, the similar-proposals corpus).

A write moves the generation on twice: at once, so that a reader inside the writing transaction
does not get a value from before it, and when the transaction commits, so that a value a
concurrent reader computed meanwhile from the old rows is left behind too. A value computed
inside a transaction that changed the generation's records is neither kept nor read
(`keepable`): it may count rows others cannot see yet, or never will after a rollback.
`remembered` keeps a value by these rules. Model signals
(post_save, post_delete, m2m_changed) carry the writes; writers that send none (bulk_create,
QuerySet.update, raw SQL) announce them with cppcc.changes.announce. A generation lost with the
cache (eviction, restart) restarts above every number used before.
"""

import threading
import time
from collections.abc import Callable

from django.apps import apps
from django.core.cache import cache
from django.db import connections, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from .changes import records_changed


def _fresh() -> int:
    return time.time_ns() // 1000


_ALL: list["Generation"] = []
# cache.get's default for "not there", told apart from a kept None.
_MISSING = object()


def bump_all() -> None:
    """Leaves everything kept so far behind: after writes outside any signal and transaction
    (the bench's data generator), and between tests, whose rolled-back rows the cache outlives."""
    for generation in _ALL:
        generation.settle()
        generation.bump()


def settle_all() -> None:
    """Generation.settle for every generation: a test's stand-in for a request made after its
    writes were committed (the test's own transaction never commits)."""
    for generation in _ALL:
        generation.settle()


class Generation:
    def __init__(
        self, name: str, fed_by: tuple[str, ...], *, deletes: tuple[str, ...] | None = None
    ):
        """`fed_by`: model labels whose writes move it on; `deletes`: those whose post_delete
        does (default all: a receiver costs Django's fast delete, so a model whose deletions
        are announced by their writer may be left out)."""
        self.name = name
        self.key = f"generation:{name}"
        self.fed_by = fed_by
        self.deletes = fed_by if deletes is None else deletes
        # Whether this thread's open transaction has changed the records (see keepable).
        self._local = threading.local()
        _ALL.append(self)

    def current(self) -> int:
        value = cache.get(self.key)
        if value is None:
            cache.add(self.key, _fresh(), timeout=None)
            value = cache.get(self.key, 0)
        return value

    def bump(self) -> None:
        try:
            cache.incr(self.key)
        except ValueError:  # no generation yet, or evicted
            cache.add(self.key, _fresh(), timeout=None)

    def changed(self, using: str | None = None) -> None:
        """The records changed: moved on now and again when the transaction commits."""
        self.bump()
        if transaction.get_connection(using).in_atomic_block:
            self._local.dirty = True
            transaction.on_commit(self._committed, using=using)
        else:
            transaction.on_commit(self.bump, using=using)

    def _committed(self) -> None:
        self._local.dirty = False
        self.bump()

    def settle(self) -> None:
        """Forgets that this thread's open transaction changed the records: for a test that
        stands in for a request outside any transaction, and between tests."""
        self._local.dirty = False

    def keepable(self, using: str | None = None) -> bool:
        """False inside a transaction that changed the records: what it reads is its own."""
        if transaction.get_connection(using).in_atomic_block:
            return not getattr(self._local, "dirty", False)
        # Outside any transaction: one that changed them has ended (committed or not).
        self._local.dirty = False
        return True

    def remembered(
        self,
        key: str,
        compute: Callable,
        *,
        timeout: int,
        daily: bool = False,
        using: str = "default",
    ):
        """compute(), or the value it gave before for `key` at this generation (and, with
        `daily`, today: a value that says "overdue" or "coming" moves with the date). The
        database's name is part of the key: two databases served through one cache (a
        developer's, the bench's copies) do not read each other's values."""
        if not self.keepable(using):
            return compute()
        # str(): the embedded default names its SQLite file with a Path.
        name = str(connections[using].settings_dict["NAME"])
        parts = [self.key, name, str(self.current())]
        if daily:
            parts.append(timezone.localdate().isoformat())
        full = ":".join([*parts, key])
        value = cache.get(full, _MISSING)
        if value is _MISSING:
            value = compute()
            cache.set(full, value, timeout)
        return value

    def _on_write(self, sender, using=None, **kwargs) -> None:
        if kwargs.get("action", "post_").startswith("post_"):
            self.changed(using)

    def _on_announced(self, sender, **kwargs) -> None:
        if sender is None or sender._meta.label in self.fed_by:
            self.changed()

    def watch(self) -> None:
        """Connects the signals of every model in fed_by (from an AppConfig.ready)."""
        uid = f"generation-{self.name}"
        # weak=False: the bound methods of a module-level object live as long as the process.
        records_changed.connect(self._on_announced, weak=False, dispatch_uid=f"{uid}-announced")
        for label in self.fed_by:
            model = apps.get_model(label)
            post_save.connect(
                self._on_write, sender=model, weak=False, dispatch_uid=f"{uid}-save-{label}"
            )
            if label in self.deletes:
                post_delete.connect(
                    self._on_write, sender=model, weak=False, dispatch_uid=f"{uid}-delete-{label}"
                )
            for field in model._meta.local_many_to_many:
                through = field.remote_field.through
                m2m_changed.connect(
                    self._on_write, sender=through, weak=False, dispatch_uid=f"{uid}-m2m-{through}"
                )
