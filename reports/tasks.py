"""Thin Celery tasks of the reports app."""

from celery import shared_task

from .models import YearlySummary


@shared_task
def compile_yearly_summary(summary_id: int) -> str | None:
    """Compiles one yearly summary row (reports.summary.compile); safe to run twice: it
    replaces the row's figures and files. A row deleted meanwhile is skipped."""
    from .summary import compile as compile_summary

    summary = YearlySummary.objects.select_related("town", "studio").filter(pk=summary_id).first()
    if summary is None:
        return None
    return compile_summary(summary).status
