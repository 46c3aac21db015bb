"""A cheaper `get_FOO_display()` for every model.

Django's Model._get_FIELD_display rebuilds `dict(make_hashable(field.flatchoices))` on every
call, and make_hashable hashes each lazy label, which translates it: a field with eleven choices
costs eleven gettext calls per row, about 0.1 ms a call. A list of twenty members shows six
labels a row, so 10 ms of every member list went there (issue 13, measured with
`python -m bench profile`). The value-to-label map only changes when the field's choices do, so
it is built once per field and choices object; the labels stay lazy and are translated once,
when shown, in the language active then.

Installing means more than replacing Model._get_FIELD_display: each model class got its
`get_FOO_display` as a partialmethod of the function Model had when the class was created,
which for every app model is Django's (models are imported before any AppConfig.ready runs).
So install() also rebinds those partialmethods; a model created afterwards picks up the
replaced method by itself.
"""

from functools import partialmethod

from django.apps import apps
from django.db.models import Model
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable

_ORIGINAL = Model._get_FIELD_display


def _labels(field) -> dict:
    cached = field.__dict__.get("_cppcc_labels")
    # Keyed by the choices object too: code that assigns field.choices gets a fresh map.
    if cached is not None and cached[0] is field.choices:
        return cached[1]
    labels = {make_hashable(value): label for value, label in field.flatchoices}
    field.__dict__["_cppcc_labels"] = (field.choices, labels)
    return labels


def _get_FIELD_display(self, field):  # noqa: N802 - Django's name
    value = getattr(self, field.attname)
    return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)


def install() -> None:
    Model._get_FIELD_display = _get_FIELD_display
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.fields:
            name = f"get_{field.name}_display"
            method = model.__dict__.get(name)
            # Only Django's own partialmethod: a model that defines get_FOO_display keeps it.
            if isinstance(method, partialmethod) and method.func is _ORIGINAL:
                setattr(model, name, partialmethod(_get_FIELD_display, field=field))
