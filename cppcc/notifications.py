"""In-app notifications: the one helper any app calls to tell a person something."""

from django.db import transaction

from .models import Notification


def notify(user, title: str, body: str = "", url: str = "") -> Notification:
    """Put a notification in the user's inbox and, when they have an email address, email it
    after the surrounding transaction commits (so a rolled-back change sends nothing)."""
    note = Notification.objects.create(recipient=user, title=title, body=body, url=url)
    if user.email:
        from .tasks import send_notification_email

        transaction.on_commit(lambda: send_notification_email.delay(note.pk))
    return note


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, ids=None) -> int:
    from django.utils import timezone

    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
