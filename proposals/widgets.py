"""A select rendered in Python, for long lists of choices (issue 13).

Django renders each option through a template include: some 0.2 ms an option, so the office
list's filters of 170 handling units and 300 sessions cost tens of milliseconds. This widget
writes the markup Django's templates would (`django/forms/widgets/select.html` and
`select_option.html`), escaped the same way, choosing the selected option by the same rule as
`ChoiceWidget.optgroups`.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        # The base Widget's context: name, value and attributes, without an option dict each.
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        values = set(widget["value"])
        esc = conditional_escape
        parts = [f'<select name="{esc(widget["name"])}"{flatatt(widget["attrs"])}>']
        has_selected = False
        for option_value, option_label in self.choices:
            grouped = isinstance(option_label, list | tuple)
            if grouped:
                parts.append(f'\n  <optgroup label="{esc(option_value)}">')
            for sub_value, sub_label in option_label if grouped else [(option_value, option_label)]:
                text = "" if sub_value is None else str(sub_value)
                selected = (not has_selected or self.allow_multiple_selected) and text in values
                has_selected |= selected
                mark = " selected" if selected else ""
                parts.append(f'\n  <option value="{esc(text)}"{mark}>{esc(sub_label)}</option>')
            if grouped:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every value and label is escaped
