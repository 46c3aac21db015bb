"""The form renderer (settings.FORM_RENDERER): Django's, with the commonest widgets written in
Python.

Django renders each widget through its template engine: an <input> is a template that includes
another for its attributes, and a <select> includes one template per option. Every list's
filter bar is a form of such widgets, so at ten counties' scale (issue 13, measured with
`python -m bench profile`) widget templates took about a tenth of a list page's time, seventy
template includes a request on the proposal list. Here the <input> family, <select> and its
<option>s give the same HTML as Django's templates (django/forms/templates/django/forms/
widgets/: input.html, attrs.html, select.html, select_option.html), byte for byte, which
tests/cppcc/test_form_renderer.py checks against the templates themselves; any other template
(a project or package widget, a form or field layout) goes through the templates as before.
"""

from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

_WIDGETS = "django/forms/widgets/"
# The widget templates that are nothing but `{% include "django/forms/widgets/input.html" %}`.
INPUT_TEMPLATES = frozenset(
    f"{_WIDGETS}{name}.html"
    for name in (
        "input", "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number",
        "password", "search", "tel", "text", "time", "url",
    )
)  # fmt: skip
SELECT_TEMPLATE = f"{_WIDGETS}select.html"
OPTION_TEMPLATE = f"{_WIDGETS}select_option.html"


def _formatted(value) -> str:
    """`{{ value|stringformat:'s' }}`: "%s" of the value, which is str() of it (a tuple too,
    which the filter converts first), still safe if the value was, then escaped as the
    template would."""
    text = str(value)
    if isinstance(value, SafeData):
        text = mark_safe(text)
    return conditional_escape(text)


def _shown(value) -> str:
    """`{{ value }}`: in local time and localised as the template would, then escaped."""
    value = localize(template_localtime(value))
    if not issubclass(type(value), str):
        value = str(value)
    return conditional_escape(value)


def _attrs(attrs: dict) -> str:
    # attrs.html: False leaves the attribute out, True writes its bare name.
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {_shown(name)}")
        else:
            parts.append(f' {_shown(name)}="{_formatted(value)}"')
    return "".join(parts)


def _input(widget: dict) -> str:
    value = widget["value"]
    shown = "" if value is None else f' value="{_formatted(value)}"'
    return (
        f'<input type="{_shown(widget["type"])}" name="{_shown(widget["name"])}"'
        f"{shown}{_attrs(widget['attrs'])}>"
    )


def _option(option: dict) -> str:
    return (
        f'<option value="{_formatted(option["value"])}"{_attrs(option["attrs"])}>'
        f"{_shown(option['label'])}</option>"
    )


class FastRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            if template_name in INPUT_TEMPLATES:
                return mark_safe(_input(widget))
            if template_name == SELECT_TEMPLATE:
                return self._select(widget, context, request)
        return super().render(template_name, context, request)

    def _select(self, widget: dict, context: dict, request) -> str:
        parts = [f'<select name="{_shown(widget["name"])}"{_attrs(widget["attrs"])}>']
        for group_name, group_choices, _index in widget["optgroups"]:
            if group_name:
                parts.append(f'\n  <optgroup label="{_shown(group_name)}">')
            for option in group_choices:
                if option.get("template_name") == OPTION_TEMPLATE:
                    # The included template's own last line break stays in Django's output.
                    html = _option(option) + "\n"
                else:  # a widget with its own option template, included unstripped as there
                    template = self.get_template(option["template_name"])
                    html = template.render({**context, "widget": option}, request)
                parts.append(f"\n  {html}")
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))
