"""cppcc.form_renderer: the widgets it writes in Python come out exactly as Django's templates
write them, and everything else still goes through the templates."""

import datetime

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.utils.functional import lazy
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from cppcc import form_renderer
from cppcc.form_renderer import FastRenderer

TEMPLATES = DjangoTemplates()
FAST = FastRenderer()


def _both(widget: forms.Widget, name: str, value, attrs=None) -> tuple[str, str]:
    return (
        widget.render(name, value, attrs=attrs, renderer=TEMPLATES),
        widget.render(name, value, attrs=attrs, renderer=FAST),
    )


def test_the_project_renders_forms_with_it():
    assert isinstance(get_default_renderer(), FastRenderer)


CHOICES = [
    ("", "- 请选择 -"),
    ("a", "甲 & <乙>"),
    (3, 2026),
    ("组", [("x", '组内 "一"'), ("y", _("待办"))]),
    ("safe", mark_safe("<b>已转义</b>")),
]


@pytest.mark.parametrize(
    ("widget", "value", "attrs"),
    [
        (forms.TextInput(), "张三 <script>", {"class": "form-control", "placeholder": "姓名"}),
        (forms.TextInput(), None, {"required": True, "disabled": False, "data-n": 3}),
        (forms.TextInput(), mark_safe("&amp;"), {"aria-label": mark_safe("<i>")}),
        (forms.TextInput(), ("tuple", 1), None),
        (forms.NumberInput(), 12, {"min": 0, "step": "0.5"}),
        (forms.DateInput(attrs={"type": "date"}), datetime.date(2026, 11, 30), None),
        (forms.DateInput(), "2026-13-40", {"class": "is-invalid"}),
        (forms.HiddenInput(), "next?a=1&b=2", None),
        (forms.CheckboxInput(), True, {"class": "form-check-input"}),
        (forms.CheckboxInput(), False, None),
        (forms.PasswordInput(render_value=True), "p'\"w", None),
        (forms.EmailInput(), "a@b.cn", {"autocomplete": "email"}),
        (forms.Select(choices=CHOICES), "a", {"class": "form-select form-select-sm"}),
        (forms.Select(choices=CHOICES), 3, None),
        (forms.Select(choices=CHOICES), "y", {"data-x": True}),
        (forms.Select(choices=[]), None, None),
        (forms.SelectMultiple(choices=CHOICES), ["a", "x"], {"size": 4}),
        (forms.NullBooleanSelect(), "true", None),
    ],
)
def test_same_html_as_djangos_templates(widget, value, attrs):
    expected, fast = _both(widget, "field", value, attrs)
    assert fast == expected


def test_lazy_labels_are_translated_when_rendered():
    from django.utils.translation import get_language

    label = lazy(lambda: f"label-{get_language()}", str)()
    widget = forms.Select(choices=[("1", _("筛选")), ("2", label)])
    for language in ("zh-hans", "en"):
        with override(language):
            expected, fast = _both(widget, "f", "1")
        assert fast == expected
        assert f"label-{language}" in fast


def test_a_whole_form_renders_as_before():
    class Form(forms.Form):
        name = forms.CharField(label="姓名", max_length=10)
        kind = forms.ChoiceField(label="类别", choices=CHOICES)
        when = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
        ok = forms.BooleanField(label="确认", required=False)

    bound = Form(data={"name": "<李四>", "kind": "x", "when": "bad"})
    assert not bound.is_valid()
    assert Form(renderer=FAST, data=bound.data).as_div() == (
        Form(renderer=TEMPLATES, data=bound.data).as_div()
    )


def test_other_templates_still_go_through_the_engine(monkeypatch):
    # A widget with its own template (RadioSelect here) is not one the renderer writes.
    calls = []
    original = DjangoTemplates.render

    def spy(self, template_name, context, request=None):
        calls.append(template_name)
        return original(self, template_name, context, request)

    monkeypatch.setattr(DjangoTemplates, "render", spy)
    widget = forms.RadioSelect(choices=[("a", "甲")])
    assert widget.render("r", "a", renderer=FAST) == widget.render("r", "a", renderer=TEMPLATES)
    assert "django/forms/widgets/radio.html" in calls
    calls.clear()
    forms.TextInput().render("t", "v", renderer=FAST)
    forms.Select(choices=CHOICES).render("s", "a", renderer=FAST)
    assert calls == []


def test_a_custom_option_template_is_rendered_by_the_engine():
    class Custom(forms.Select):
        option_template_name = "django/forms/widgets/input_option.html"

    widget = Custom(choices=[("a", "甲"), ("b", "乙")])
    expected, fast = _both(widget, "c", "a")
    assert fast == expected
    assert Custom.option_template_name != form_renderer.OPTION_TEMPLATE
