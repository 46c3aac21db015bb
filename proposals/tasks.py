"""The daily overdue-reply job (Celery beat, settings.CELERY_BEAT_SCHEDULE): thin, the rules are
in proposals.reminders."""

from celery import shared_task


@shared_task
def send_proposal_reminders() -> dict[str, int]:
    from .reminders import remind_replies

    return remind_replies()
