"""Choices scoped to what the person may see: every related field of a serializer, every model
choice of a filterset and every picker offers only rows of `Model.objects.visible_to(user)`.

An id outside that scope is refused exactly like an id that does not exist ("无效的选择。"),
so a refusal never tells whether a record exists, let alone echoes its name. Models without a
`visible_to` (terms, sectors, special committees: reference tables every role reads) are left
as they are; a model whose rule lives elsewhere registers it with `register()` (handling units:
proposals.filters).
"""

from collections.abc import Callable

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.filters import QuerySetRequestMixin
from rest_framework import serializers
from rest_framework.relations import ManyRelatedField, RelatedField

from .validators import SerializerLimitsMixin

INVALID_CHOICE = _("无效的选择。")

# The messages of a related field and of a model choice that could name the value or the record.
RELATED_ERRORS = {"does_not_exist": INVALID_CHOICE, "incorrect_type": INVALID_CHOICE}
CHOICE_ERRORS = {
    "invalid_choice": INVALID_CHOICE,
    "invalid_pk_value": INVALID_CHOICE,
    "invalid_list": INVALID_CHOICE,
}

_RULES: dict[type[models.Model], Callable] = {}


def register(model: type[models.Model], rule: Callable) -> None:
    """Scope `model` by `rule(user)` where its queryset has no visible_to of its own."""
    _RULES[model] = rule


def visible(model: type[models.Model], user) -> models.QuerySet | None:
    """The rows of `model` the user may see, or None for a table everyone reads."""
    if model in _RULES:
        return _RULES[model](user)
    rows = model._default_manager.all()
    if hasattr(rows, "visible_to"):
        return rows.visible_to(user)
    return None


def narrowed(queryset: models.QuerySet, user) -> models.QuerySet:
    """`queryset` (which may narrow further, e.g. to active members) within the user's scope."""
    scope = visible(queryset.model, user)
    if scope is None:
        return queryset
    if not scope.query.where:
        # Countywide roles: no subquery for nothing.
        return queryset
    return queryset.filter(pk__in=scope.values("pk"))


def _user(request):
    return getattr(request, "user", None)


# --- serializers -----------------------------------------------------------------------------


def scope_field(field: serializers.Field, user) -> None:
    """Narrow a writable related field (or the child of a many=True one) to the user's scope and
    make its refusal a plain "无效的选择。"."""
    relation = field.child_relation if isinstance(field, ManyRelatedField) else field
    if not isinstance(relation, RelatedField) or field.read_only:
        return
    relation.error_messages.update(RELATED_ERRORS)
    if type(relation).get_queryset is not RelatedField.get_queryset:
        return  # the field's own get_queryset decides (it starts from visible_to itself)
    if relation.queryset is not None:
        relation.queryset = narrowed(relation.queryset, user)


class ScopedRelationsMixin:
    """For serializers: every writable related field offers, accepts and (in the browsable API)
    lists only what the requesting person may see."""

    def get_fields(self):
        fields = super().get_fields()
        user = _user(self.context.get("request"))
        for field in fields.values():
            scope_field(field, user)
        return fields


# Every API serializer derives from one of these two, so each also gets the date floor and the
# text limit the forms have (cppcc.validators).
class ScopedModelSerializer(
    ScopedRelationsMixin, SerializerLimitsMixin, serializers.ModelSerializer
):
    pass


class ScopedSerializer(ScopedRelationsMixin, SerializerLimitsMixin, serializers.Serializer):
    pass


# --- filtersets ------------------------------------------------------------------------------


def _scoped_choices(original):
    def choices(request):
        rows = original(request) if callable(original) else original
        return narrowed(rows, _user(request)) if rows is not None else rows

    return choices


class ScopedChoicesMixin:
    """For filtersets (pages, exports and the API's browsable filter form): every model choice
    lists only what the person sees, and any other id is "无效的选择。"."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for flt in self.filters.values():
            if not isinstance(flt, QuerySetRequestMixin):
                continue
            flt.queryset = _scoped_choices(flt.queryset)
            flt.extra["error_messages"] = {**CHOICE_ERRORS, **flt.extra.get("error_messages", {})}


# --- forms -----------------------------------------------------------------------------------


def scope_form(form, user) -> None:
    """Narrow every model choice field of a Django form to the user's scope (the HTML pickers)."""
    for field in form.fields.values():
        queryset = getattr(field, "queryset", None)
        if queryset is None:
            continue
        field.queryset = narrowed(queryset, user)
        field.error_messages.update(
            {k: v for k, v in CHOICE_ERRORS.items() if k in field.error_messages}
        )


# --- refusals --------------------------------------------------------------------------------


def may_see(user, record: models.Model) -> bool:
    scope = visible(type(record), user)
    return scope is None or scope.filter(pk=record.pk).exists()


def named_refusal(user, message, *records: models.Model):
    """`message`, which names `records`, if the user may see every one of them; otherwise the
    plain "无效的选择。", so a refusal never names what the person may not see."""
    return message if all(may_see(user, r) for r in records) else INVALID_CHOICE


def visible_names(user, model: type[models.Model], pks) -> str | None:
    """The names of the rows `pks`, joined with 、, when every one exists and the user may see
    it; None otherwise (refuse with INVALID_CHOICE then)."""
    pks = list(dict.fromkeys(pks))
    scope = visible(model, user)
    rows = scope if scope is not None else model._default_manager.all()
    names = dict(rows.filter(pk__in=pks).values_list("pk", "name"))
    if len(names) != len(pks):
        return None
    return "、".join(names[pk] for pk in pks)
