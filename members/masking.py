"""How sensitive member values look to someone who may not see them in full.

Pages, the API serializers, exports and the history panel all call these functions, so a value
is never masked one way on one screen and leaked on another.
"""

import datetime

from django.utils.translation import gettext as _

from .selectors import can_view_sensitive


def mask_id_number(value: str | None) -> str:
    """500222197505011234 -> 500***********1234 (first 3 and last 4 kept)."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_mobile(value: str | None) -> str:
    """13812345678 -> 138****5678."""
    if not value:
        return ""
    value = str(value)
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_birth_date(value) -> str:
    """A date -> "1975年"; the year alone says the age bracket without identifying the person."""
    if not value:
        return ""
    year = value.year if isinstance(value, datetime.date) else str(value)[:4]
    return _("%(year)s年") % {"year": year}


def full_birth_date(value) -> str:
    if not value:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%Y-%m-%d")
    return str(value)


MASKERS = {"id_number": mask_id_number, "mobile": mask_mobile, "birth_date": mask_birth_date}


def sensitive_values(member, *, reveal: bool) -> dict[str, str]:
    """The three sensitive values as display strings: full when `reveal`, else masked.
    Callers decide `reveal` (the permission check plus, on pages, an audited click)."""
    if reveal:
        return {
            "id_number": member.id_number or "",
            "mobile": member.mobile or "",
            "birth_date": full_birth_date(member.birth_date),
        }
    return {name: mask(getattr(member, name)) for name, mask in MASKERS.items()}


def values_for(member, user) -> dict[str, str]:
    """Full for holders of the register right, masked for everyone else (API, exports)."""
    return sensitive_values(member, reveal=can_view_sensitive(user))


def mask_history(entries: list[dict], model, *, reveal: bool = False) -> list[dict]:
    """Masks the sensitive fields' old and new values in cppcc.audit.object_history entries
    (they carry the field's Chinese label, so match on the label)."""
    if reveal:
        return entries
    by_label = {
        str(model._meta.get_field(name).verbose_name): mask for name, mask in MASKERS.items()
    }
    for entry in entries:
        for change in entry["changes"]:
            mask = by_label.get(str(change["field"]))
            if mask is not None:
                change["old"] = mask(change["old"])
                change["new"] = mask(change["new"])
    return entries
