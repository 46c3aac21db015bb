"""Issue 12: the audit trail cannot be altered, is kept at least 184 days, then pruned daily."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from cppcc.audit import prune
from cppcc.models import AuditEvent, AuditImmutableError, AuditKind, AuditOutcome
from cppcc.tasks import prune_audit


def event(days_old: float = 0) -> AuditEvent:
    return AuditEvent.objects.create(
        at=timezone.now() - datetime.timedelta(days=days_old),
        kind=AuditKind.WRITE,
        outcome=AuditOutcome.SUCCESS,
        username="t-office",
    )


def test_a_saved_row_cannot_be_changed_or_deleted_through_the_model(db):
    row = event()
    row.username = "someone-else"
    with pytest.raises(AuditImmutableError):
        row.save()
    with pytest.raises(AuditImmutableError):
        row.delete()
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=row.pk).update(username="someone-else")
    with pytest.raises(AuditImmutableError):
        AuditEvent.objects.filter(pk=row.pk).delete()
    row.refresh_from_db()
    assert row.username == "t-office"


def test_no_add_change_or_delete_permission_exists(db):
    from django.contrib.auth.models import Permission

    codenames = set(
        Permission.objects.filter(content_type__model="auditevent").values_list(
            "codename", flat=True
        )
    )
    assert codenames == {"view_auditevent"}


def test_prune_keeps_183_day_old_rows_and_deletes_185_day_old_ones(db):
    kept, old = event(days_old=183), event(days_old=185)
    assert prune_audit() == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert prune() == 0  # safe to run twice


def test_prune_refuses_a_retention_below_184_days(db, settings):
    settings.CPPCC_AUDIT_RETENTION_DAYS = 183
    event(days_old=185)
    with pytest.raises(ImproperlyConfigured):
        prune()
    assert AuditEvent.objects.count() == 1


def test_a_longer_retention_keeps_more(db, settings):
    settings.CPPCC_AUDIT_RETENTION_DAYS = 400
    event(days_old=185)
    assert prune() == 0


def test_prune_runs_daily_from_beat():
    entries = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("prune_audit")
    ]
    assert [e["task"] for e in entries] == ["cppcc.tasks.prune_audit"]


# --- the database trigger (PostgreSQL only) ------------------------------------------------------

needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the trigger guarding audit rows exists only on PostgreSQL (migration 0006)",
)


def _raw(sql: str, params) -> None:
    # A savepoint, so the refused statement does not abort the test's transaction.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@needs_postgres
def test_trigger_refuses_any_update(db):
    row = event(days_old=300)
    with pytest.raises(DatabaseError, match="cannot be changed"):
        _raw("UPDATE cppcc_auditevent SET username = 'x' WHERE id = %s", [row.pk])
    row.refresh_from_db()
    assert row.username == "t-office"


@needs_postgres
def test_trigger_refuses_deleting_a_row_younger_than_184_days(db):
    row = event(days_old=183)
    with pytest.raises(DatabaseError, match="younger than 184 days"):
        _raw("DELETE FROM cppcc_auditevent WHERE id = %s", [row.pk])
    assert AuditEvent.objects.filter(pk=row.pk).exists()


@needs_postgres
def test_trigger_lets_an_old_row_go(db):
    row = event(days_old=185)
    _raw("DELETE FROM cppcc_auditevent WHERE id = %s", [row.pk])
    assert not AuditEvent.objects.filter(pk=row.pk).exists()
