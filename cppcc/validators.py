"""Bounds every form and API serializer shares: no date before 1900 and no text without a
length limit.

A date typed as 0190-05-01 or a pasted novel is a mistake, not a record; left through, the
first breaks year lookups and the yearly figures, the second fills pages and exports. Forms
take `LimitsMixin` (first in the bases) and get both on every date and text field they have,
including fields a subclass adds in its own __init__ (checked again before cleaning).
Serializers get the same validators, with the same Chinese messages, from
`SerializerLimitsMixin`, which cppcc.scoping's ScopedModelSerializer and ScopedSerializer (the
bases of every API serializer) include.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

EARLIEST_DATE = datetime.date(1900, 1, 1)
# Reasons and suggestions of a proposal run to a few thousand characters; twice the longest
# seen in the source articles' county is still far below this.
TEXT_MAX_LENGTH = 20000


def validate_date_not_before_1900(value) -> None:
    if isinstance(value, datetime.datetime):
        value = value.date()
    if value is not None and value < EARLIEST_DATE:
        raise ValidationError(_("日期不能早于 1900 年 1 月 1 日，请检查年份。"), code="too_early")


def limit_fields(fields) -> None:
    """Adds the date floor and, where a text field has none, the length limit."""
    for field in fields.values():
        if isinstance(field, forms.DateField | forms.DateTimeField):
            if validate_date_not_before_1900 not in field.validators:
                field.validators.append(validate_date_not_before_1900)
        elif isinstance(field, forms.CharField) and field.max_length is None:
            field.max_length = TEXT_MAX_LENGTH
            field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))
            field.widget.attrs.setdefault("maxlength", str(TEXT_MAX_LENGTH))


class LimitsMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit_fields(self.fields)

    def full_clean(self):
        limit_fields(self.fields)
        super().full_clean()


# --- API serializers -------------------------------------------------------------------------


def _limit_serializer_field(field) -> None:
    if field.read_only:
        return
    if isinstance(field, serializers.ListField):
        _limit_serializer_field(field.child)
    elif isinstance(field, serializers.DateField | serializers.DateTimeField):
        if validate_date_not_before_1900 not in field.validators:
            field.validators.append(validate_date_not_before_1900)
    elif isinstance(field, serializers.CharField) and field.max_length is None:
        # Django's validator rather than DRF's own max_length: the message is the forms' one.
        field.max_length = TEXT_MAX_LENGTH
        field.validators.append(MaxLengthValidator(TEXT_MAX_LENGTH))


def limit_serializer_fields(fields) -> None:
    for field in fields.values():
        _limit_serializer_field(field)


class SerializerLimitsMixin:
    """For serializers: the date floor on every writable date and date-time field, and the text
    limit on every writable text field that has no max_length of its own."""

    def get_fields(self):
        fields = super().get_fields()
        limit_serializer_fields(fields)
        return fields
