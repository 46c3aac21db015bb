from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from . import audit
from .models import Notification


@shared_task(bind=True, max_retries=5, default_retry_delay=60)
def send_notification_email(self, notification_id: int) -> bool:
    """Email one notification. Safe to run twice: a notification already emailed is skipped."""
    with transaction.atomic():
        note = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at__isnull=True)
            .first()
        )
        if note is None or not note.recipient.email:
            return False
        try:
            send_mail(
                subject=f"【政协履职】{note.title}",
                message=note.body or note.title,
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[note.recipient.email],
            )
        except OSError as exc:
            raise self.retry(exc=exc) from exc
        note.emailed_at = timezone.now()
        note.save(update_fields=["emailed_at"])
    return True


@shared_task
def prune_audit() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): removes audit rows past the retention period."""
    return audit.prune()
