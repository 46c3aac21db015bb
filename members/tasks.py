"""Celery tasks of the members app: thin, the rules are in members.duty."""

from celery import shared_task


@shared_task
def rebuild_duty_ledger(years: list[int] | None = None) -> int:
    """Rebuilds the duty ledger of every member in `years` (None: all years); safe to run twice.
    Queued on commit when a points rule changes."""
    from .duty import rebuild

    return rebuild(years=years)


@shared_task
def rebuild_duty_ledger_recent() -> int:
    """Nightly safety net (settings.CELERY_BEAT_SCHEDULE): rebuilds this year and yesterday's
    year, so duties whose day has just passed (duty days, meetings) count, even on 1 January."""
    import datetime

    from django.utils import timezone

    from .duty import rebuild

    today = timezone.localdate()
    return rebuild(years=sorted({today.year, (today - datetime.timedelta(days=1)).year}))
