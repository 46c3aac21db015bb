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
    if isinstance(value, bool):
        return field.verbose_name, _("是") if value else _("否")
    return field.verbose_name, choices.get(value, value)


def _resolve_related(model, entries: list[dict]) -> None:
    """Foreign-key changes are stored as ids; show the related rows' names instead (one query
    per related model, however many changes name it)."""
    wanted: dict = {}
    for entry in entries:
        for change in entry["changes"]:
            field = change.pop("_fk", None)
            if field is not None:
                wanted.setdefault(field.related_model, set()).update(
                    v for v in (change["old"], change["new"]) if v not in (None, "")
                )
                change["_model"] = field.related_model
    names = {
        related: {o.pk: str(o) for o in related._default_manager.filter(pk__in=ids)}
        for related, ids in wanted.items()
        if ids
    }
    for entry in entries:
        for change in entry["changes"]:
            related = change.pop("_model", None)
            if related is not None:
                for side in ("old", "new"):
                    value = change[side]
                    change[side] = names.get(related, {}).get(value, value)


def object_history(obj, limit: int = 50) -> list[dict]:
    """Changes and state moves of one record, newest first, for its page's history panel.

    State fields moved by cppcc.workflow appear once, as the Transition (who, from, to, note),
    not again as a field edit; a model may name bookkeeping fields the panel leaves out in
    `history_panel_hidden` (e.g. when a matter entered its step).
    """
    from django.contrib.contenttypes.models import ContentType

    from .models import Transition

    model = type(obj)
    ct = ContentType.objects.get_for_model(obj)
    transitions = list(
        Transition.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("by")[
            :limit
        ]
    )
    hidden = set(getattr(model, "history_panel_hidden", ())) | {t.field for t in transitions}
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
                    if change.field in hidden:
                        continue
                    label, old = _label(model, change.field, change.old)
                    _unused, new = _label(model, change.field, change.new)
                    row = {"field": label, "old": old, "new": new}
                    field = next(
                        (f for f in model._meta.get_fields() if f.name == change.field), None
                    )
                    if field is not None and (field.many_to_one or field.one_to_one):
                        row["_fk"] = field
                    changes.append(row)
                if not changes and not newer.history_change_reason:
                    # Only a state move (shown by its Transition) or hidden bookkeeping.
                    continue
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
        _resolve_related(model, entries)
    for t in transitions:
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
