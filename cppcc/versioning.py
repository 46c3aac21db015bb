"""No lost updates: records edited in forms and the API carry a version number.

An edit page or an API update sends back the version it was based on. The service claims the
record with one conditional UPDATE (`... SET version = version + 1 WHERE id = %s AND version = n`),
so of two saves based on the same version exactly one wins and the other is refused with
`StaleVersion` (a ConflictError: 409 in the API, a non-field error on the page, the form kept).
"""

from __future__ import annotations

from django import forms
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from .workflow import ConflictError

STALE_MESSAGE = _("该记录已被他人修改，请刷新后再改。")
VERSION_REQUIRED = _("修改时须带上所依据的版本号 version（读取记录时返回）。")


class StaleVersion(ConflictError):
    """Someone saved the record after this edit was loaded."""

    def __init__(self):
        super().__init__(str(STALE_MESSAGE))
        self.code = "stale_version"


class VersionedModel(models.Model):
    version = models.PositiveIntegerField(_("版本"), default=1, editable=False)

    class Meta:
        abstract = True


def claim_version(obj: VersionedModel, expected: int | None) -> None:
    """Bumps the stored version of `obj`, refusing when it is no longer `expected`.

    Call inside the service's transaction, before its save: a refusal later in the service rolls
    the bump back with the rest. `expected=None` (internal callers that hold no version, e.g.
    the demo loader) bumps without a condition, so forms open elsewhere still see the change.
    """
    rows = type(obj)._base_manager.filter(pk=obj.pk)
    if expected is not None:
        rows = rows.filter(version=expected)
    if not rows.update(version=F("version") + 1):
        raise StaleVersion()
    if expected is not None:
        obj.version = expected + 1
    else:
        obj.version = type(obj)._base_manager.values_list("version", flat=True).get(pk=obj.pk)


class VersionFormMixin:
    """Adds a hidden `version` to an edit form: the version of the record it was filled from.

    Pass `version=` when the form is not a ModelForm; a ModelForm takes it from its instance.
    Templates render it with `form.hidden_fields`. Every page sends it back; a post without one
    (a script, an old test) saves as before rather than failing, unlike the API, which requires
    it."""

    def __init__(self, *args, version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if version is None and instance is not None and instance.pk:
            version = instance.version
        self.fields["version"] = forms.IntegerField(
            widget=forms.HiddenInput,
            required=False,
            min_value=1,
            initial=version,
            error_messages={"invalid": STALE_MESSAGE, "min_value": STALE_MESSAGE},
        )

    @property
    def based_on_version(self) -> int | None:
        return self.cleaned_data.get("version")


class VersionSerializerMixin(serializers.Serializer):
    """`version` is returned on reads and required on PUT/PATCH (a 400 without it); the service
    answers a stale one with 409. Creates ignore it."""

    version = serializers.IntegerField(
        required=False,
        min_value=1,
        help_text=_("记录的版本号；修改（PUT/PATCH）时必须带上读取时的值，已被他人修改则答 409。"),
    )

    # Not in validate(): serializers override that without calling super().
    def to_internal_value(self, data):
        attrs = super().to_internal_value(data)
        if self.instance is not None and attrs.get("version") is None:
            raise serializers.ValidationError({"version": [str(VERSION_REQUIRED)]})
        return attrs


def require_version(data) -> int:
    """For API actions that take a plain payload: the version it carries, else a 400."""
    field = serializers.IntegerField(min_value=1)
    value = data.get("version") if hasattr(data, "get") else None
    if value in (None, ""):
        raise serializers.ValidationError({"version": [str(VERSION_REQUIRED)]})
    try:
        return field.run_validation(value)
    except serializers.ValidationError as exc:
        raise serializers.ValidationError({"version": exc.detail}) from exc
