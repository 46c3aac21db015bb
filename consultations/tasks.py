"""The daily reminder job (Celery beat, settings.CELERY_BEAT_SCHEDULE): thin, the rules are in
consultations.reminders."""

from celery import shared_task


@shared_task
def send_matter_reminders() -> dict[str, int]:
    from .reminders import remind_deadlines, remind_stalled

    return {"stalled": remind_stalled(), "deadlines": remind_deadlines()}
