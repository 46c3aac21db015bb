"""In-app notifications: the one helper any app calls to tell a person something."""

import datetime
from collections.abc import Mapping

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Notification

# What a notification says where a value is not recorded yet (a matter assigned before its
# deadline is set), instead of Python's "None".
MISSING = _("未定")


def shown(value) -> object:
    """A value as a notification writes it: missing as 未定, dates as 2026-11-30."""
    if value is None or value == "":
        return str(MISSING)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def fill(template, values: Mapping[str, object]) -> str:
    """`template % values` with every value passed through shown(). Values that may be missing
    belong in %(name)s placeholders (a %d of 未定 fails loudly rather than printing None)."""
    return str(template) % {key: shown(value) for key, value in values.items()}


def notify(
    user, title: str, body: str = "", url: str = "", *, values: Mapping | None = None
) -> Notification:
    """Put a notification in the user's inbox and, when they have an email address, email it
    after the surrounding transaction commits (so a rolled-back change sends nothing).

    With `values`, `title` and `body` are templates filled by fill(), so that a missing value
    reads 未定; callers that format their own text should pass values this way instead.
    """
    if values is not None:
        title, body = fill(title, values), fill(body, values)
    note = Notification.objects.create(recipient=user, title=title, body=body, url=url)
    if user.email:
        from .tasks import send_notification_email

        send_notification_email.delay_on_commit(note.pk)
    return note


def unread_pending(user):
    """The unread count, to be read with a page's other counts (cppcc.navigation.run_together);
    0 without a user."""
    from .navigation import Pending

    if user is None:
        return Pending.count(Notification.objects.none())
    return Pending.count(Notification.objects.filter(recipient=user, read_at__isnull=True))


def unread_count(user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(user, ids=None) -> int:
    from django.utils import timezone

    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
