"""The one mechanism every app's workflow module uses to change a record's state.

`transition()` locks the row, checks the move is allowed from the state it finds (so of two
concurrent clicks only the first wins), saves, and writes a Transition row with who, when,
from, to, note and address. Apps keep their own tables of allowed moves and call this.
"""

from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .audit import client_ip, current_request
from .models import Transition


class WorkflowError(Exception):
    """A move the rules do not allow; the message is Chinese and shown to the person."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


class ConflictError(WorkflowError):
    """The record changed under us (someone else's click won): answered with 409 in the API."""

    def __init__(self, message: str):
        super().__init__(message, code="conflict")


def transition(
    instance,
    *,
    field: str,
    allowed_from: Iterable[str],
    to: str,
    by,
    note: str = "",
    updates: dict | None = None,
    conflict_message: str = _("该记录已被他人处理，请刷新后重试。"),
):
    """Move `instance.<field>` to `to` if its current state in the database is in allowed_from.

    `updates` are further fields saved in the same write (e.g. a solved date).
    Returns the refreshed instance; raises ConflictError when the stored state no longer allows it.
    """
    model = type(instance)
    allowed = set(allowed_from)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=instance.pk)
        current = getattr(locked, field)
        if current not in allowed:
            raise ConflictError(str(conflict_message))
        setattr(locked, field, to)
        fields = [field]
        for name, value in (updates or {}).items():
            setattr(locked, name, value)
            fields.append(name)
        locked._history_user = by if getattr(by, "is_authenticated", False) else None
        locked.save(update_fields=fields)
        Transition.objects.create(
            content_type=ContentType.objects.get_for_model(model),
            object_id=str(instance.pk),
            field=field,
            from_state=current,
            to_state=to,
            by=by if getattr(by, "is_authenticated", False) else None,
            note=note,
            ip=client_ip(current_request()),
        )
    for name in fields:
        setattr(instance, name, getattr(locked, name))
    return instance
