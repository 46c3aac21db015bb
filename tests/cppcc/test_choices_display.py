"""cppcc.choices: get_FOO_display() from a map built once per field, same answers as Django's."""

import pytest
from django.db.models import Model
from django.utils.functional import lazy
from django.utils.translation import override

from cppcc import choices
from members.models import Gender, Member


def test_installed_for_every_model():
    from django.apps import apps

    assert Model._get_FIELD_display is choices._get_FIELD_display
    # Each model's get_FOO_display was bound to Django's function when the class was made:
    # install() must have rebound them all, or the replacement above changes nothing.
    bound = [
        (model.__name__, name)
        for model in apps.get_models(include_auto_created=True)
        for name, method in vars(model).items()
        if name.startswith("get_") and name.endswith("_display") and hasattr(method, "func")
    ]
    assert ("Member", "get_gender_display") in bound
    unpatched = [
        f"{model.__name__}.{name}"
        for model in apps.get_models(include_auto_created=True)
        for name, method in vars(model).items()
        if getattr(method, "func", None) is choices._ORIGINAL
    ]
    assert unpatched == []


def test_the_map_is_built_once_per_field(monkeypatch):
    # The displayed label comes from the field's memoised map: Django's path would call
    # make_hashable on every choice at every call.
    field = Member._meta.get_field("gender")
    field.__dict__.pop("_cppcc_labels", None)
    assert Member(gender=Gender.values[0]).get_gender_display()
    assert field.__dict__["_cppcc_labels"][0] is field.choices
    calls = []
    original = choices.make_hashable
    monkeypatch.setattr(choices, "make_hashable", lambda v: calls.append(v) or original(v))
    Member(gender=Gender.values[0]).get_gender_display()
    assert calls == [Gender.values[0]]


@pytest.mark.parametrize("value", [*Gender.values, "x", ""])
def test_same_label_as_django(value):
    member = Member(gender=value, party="", post="")
    field = Member._meta.get_field("gender")
    assert member.get_gender_display() == choices._ORIGINAL(member, field)


def test_unknown_value_is_shown_as_is():
    assert Member(gender="x").get_gender_display() == "x"


def test_label_is_translated_when_shown():
    calls = []

    def label(language_marker):
        calls.append(language_marker)
        from django.utils.translation import get_language

        return f"label-{get_language()}"

    field = Member._meta.get_field("gender")
    lazy_label = lazy(label, str)("m")
    saved = field.choices
    try:
        field.choices = [("m", lazy_label)]
        calls.clear()
        with override("zh-hans"):
            assert Member(gender="m").get_gender_display() == "label-zh-hans"
        with override("en"):
            assert Member(gender="m").get_gender_display() == "label-en"
    finally:
        field.choices = saved
    # The map keeps the lazy label: each display translated it in the language active then.
    assert calls


def test_new_choices_object_gets_a_new_map():
    field = Member._meta.get_field("gender")
    saved = field.choices
    try:
        assert Member(gender="m").get_gender_display() != "changed"
        field.choices = [("m", "changed")]
        assert Member(gender="m").get_gender_display() == "changed"
    finally:
        field.choices = saved
    assert Member(gender="m").get_gender_display() == choices._ORIGINAL(Member(gender="m"), field)
