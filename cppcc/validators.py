"""Bounds every form shares: no date before 1900 and no text without a length limit.

A date typed as 0190-05-01 or a pasted novel is a mistake, not a record; left through, the
first breaks year lookups and the yearly figures, the second fills pages and exports. Forms
take `LimitsMixin` (first in the bases) and get both on every date and text field they have,
including fields a subclass adds in its own __init__ (checked again before cleaning).
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

EARLIEST_DATE = datetime.date(1900, 1, 1)
# Reasons and suggestions of a proposal run to a few thousand characters; twice the longest
# seen in the source articles' county is still far below this.
TEXT_MAX_LENGTH = 20000


def validate_date_not_before_1900(value) -> None:
    if value is not None and value < EARLIEST_DATE:
        raise ValidationError(_("日期不能早于 1900 年 1 月 1 日，请检查年份。"), code="too_early")


def limit_fields(fields) -> None:
    """Adds the date floor and, where a text field has none, the length limit."""
    for field in fields.values():
        if isinstance(field, forms.DateField) and not isinstance(field, forms.DateTimeField):
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
