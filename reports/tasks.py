"""Thin Celery tasks of the reports app."""

from celery import shared_task

from .models import IN_PROGRESS, YearlySummary


@shared_task
def compile_yearly_summary(summary_id: int) -> str | None:
    """Compiles one yearly summary row (reports.summary.compile).

    Safe to run twice and to kill at any point (acks_late: a killed worker's task is delivered
    again): a compile writes nothing but progress until its one final save, and replaces the
    row's files under fixed names. A delivery that finds the row no longer queued or running
    (done by an earlier delivery, or deleted) does nothing."""
    from .summary import compile as compile_summary

    summary = (
        YearlySummary.objects.select_related("town", "studio")
        .filter(pk=summary_id, status__in=IN_PROGRESS)
        .first()
    )
    if summary is None:
        return None
    return compile_summary(summary).status
