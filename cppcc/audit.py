"""The audit trail: django-simple-history rows, stamped with the request's address.

Every model that staff edit declares `history = HistoricalRecords(bases=[HistoryIPAddress])`;
simple-history's middleware records the user, and the signal below adds the address.
"""

from django.conf import settings
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record


def client_ip(request) -> str | None:
    if request is None:
        return None
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


def current_request():
    return getattr(HistoricalRecords.context, "request", None)


@receiver(pre_create_historical_record)
def stamp_address(sender, instance, history_instance, **kwargs):
    if hasattr(history_instance, "history_ip"):
        history_instance.history_ip = client_ip(current_request())


HISTORY_KINDS = {"+": _("创建"), "~": _("修改"), "-": _("删除")}


def _label(model, field_name: str, value):
    """A field's Chinese name and a stored value's Chinese label, for the history panel."""
    try:
        field = model._meta.get_field(field_name)
    except Exception:
        return field_name, value
    choices = dict(field.flatchoices) if getattr(field, "flatchoices", None) else {}
    if isinstance(value, list):
        # Many-to-many history gives a list of related rows, not one stored value.
        return field.verbose_name, "、".join(str(v) for v in value)
    return field.verbose_name, choices.get(value, value)


def object_history(obj, limit: int = 50) -> list[dict]:
    """Changes and state moves of one record, newest first, for its page's history panel."""
    from django.contrib.contenttypes.models import ContentType

    from .models import Transition

    entries = []
    manager = getattr(obj, "history", None)
    if manager is not None:
        records = list(
            manager.select_related("history_user").order_by("-history_date")[: limit + 1]
        )
        for newer, older in zip(records, records[1:] + [None], strict=False):
            if len(entries) >= limit:
                break
            changes = []
            if older is not None and newer.history_type == "~":
                delta = newer.diff_against(older)
                for change in delta.changes:
                    label, old = _label(type(obj), change.field, change.old)
                    _unused, new = _label(type(obj), change.field, change.new)
                    changes.append({"field": label, "old": old, "new": new})
            entries.append(
                {
                    "at": newer.history_date,
                    "user": newer.history_user,
                    "ip": getattr(newer, "history_ip", None),
                    "kind": HISTORY_KINDS.get(newer.history_type, newer.history_type),
                    "changes": changes,
                    "note": newer.history_change_reason or "",
                }
            )
    ct = ContentType.objects.get_for_model(obj)
    for t in Transition.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("by")[
        :limit
    ]:
        label, old = _label(type(obj), t.field, t.from_state)
        _unused, new = _label(type(obj), t.field, t.to_state)
        entries.append(
            {
                "at": t.at,
                "user": t.by,
                "ip": t.ip,
                "kind": _("状态变更"),
                "changes": [{"field": label, "old": old, "new": new}],
                "note": t.note,
            }
        )
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:limit]
