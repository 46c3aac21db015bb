"""The one mechanism every app's workflow module uses to change a record's state.

`transition()` locks the row, checks the move is allowed from the state it finds (so of two
concurrent clicks only the first wins), saves, and writes a Transition row with who, when,
from, to, note and address. Apps keep their own tables of allowed moves and call this.
"""

from collections.abc import Callable, Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .audit import client_ip, current_request
from .models import Transition

DEFAULT_CONFLICT = _("该记录已被他人处理，请刷新后重试。")


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


def _is_versioned(model) -> bool:
    from .versioning import VersionedModel  # imports this module (ConflictError)

    return issubclass(model, VersionedModel)


def transition(
    instance,
    *,
    field: str,
    allowed_from: Iterable[str],
    to: str,
    by,
    note: str = "",
    updates: dict | None = None,
    conflict_message: str | Callable = DEFAULT_CONFLICT,
    guard: Callable | None = None,
):
    """Move `instance.<field>` to `to` if its current state in the database is in allowed_from.

    `updates` are further fields saved in the same write (e.g. a solved date).
    `guard(locked)` runs on the locked row before the change and raises WorkflowError to refuse
    it, so a rule that reads other rows (a matter's meetings) is checked against what is stored
    at the moment of the move, not what the caller loaded earlier.
    `conflict_message` may be a callable taking the locked row, to tell the loser of a race
    which state the record is in now.
    A record with a `version` (cppcc.versioning) gets it bumped in the same write, so an edit
    form or API update opened before the move is refused as stale instead of writing back
    what the move changed.
    Returns the refreshed instance; raises ConflictError when the stored state no longer allows it.
    """
    model = type(instance)
    allowed = set(allowed_from)
    with transaction.atomic():
        locked = model._default_manager.select_for_update().get(pk=instance.pk)
        current = getattr(locked, field)
        if current not in allowed:
            message = conflict_message(locked) if callable(conflict_message) else conflict_message
            raise ConflictError(str(message))
        if guard is not None:
            guard(locked)
        setattr(locked, field, to)
        fields = [field]
        for name, value in (updates or {}).items():
            setattr(locked, name, value)
            fields.append(name)
        if _is_versioned(model):
            # The row is locked: no other write can slip between the read and this bump.
            locked.version += 1
            fields.append("version")
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
