"""Search selects: pickers for choices that grow with the county (towns, studios, members,
handling units, proposals). A <select> lists every option on every request, so a page's cost
grows with the county; a search select renders only the chosen value's label (one query through
the field's scoped queryset) and asks /search/<kind>/ (cppcc.search_views) for the rest as the
person types.

Validation stays with the field: its queryset is the person's scope (visible_to), so an id
outside it is "无效的选择。" exactly as with a <select>. Without JavaScript the widget is a plain
number input (single) or a text input of ids (multiple) beside the current labels, and still
submits; static/js/search-select.js turns it into a search box.
"""

import re

from django import forms
from django.forms.utils import flatatt
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

# A primary key fits a signed 64-bit integer; anything longer cannot name a row.
MAX_ID = 2**63 - 1
SEPARATORS = re.compile(r"[\s,，、]+")


def search_url(kind: str, params: dict | None = None) -> str:
    """The endpoint of `kind`, or '' while it is not routed (the widget then stays a plain
    input instead of breaking the page)."""
    try:
        url = reverse("search", kwargs={"kind": kind})
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode(params)}" if params else url


def _ids(values) -> list[int]:
    out = []
    for value in values:
        text = str(getattr(value, "pk", value)).strip()
        if text.isdigit() and 0 < int(text) <= MAX_ID:
            out.append(int(text))
    return out


class SearchSelect(forms.Widget):
    """One choice of a ModelChoiceField / ModelChoiceFilter, searched by `kind`."""

    multiple = False
    input_type = "number"

    class Media:
        js = ("js/search-select.js",)

    def __init__(
        self,
        kind: str,
        attrs=None,
        *,
        params: dict | None = None,
        placeholder=None,
        empty_label=None,
    ):
        super().__init__(attrs)
        self.kind = kind
        self.params = params or {}
        self.placeholder = placeholder or _("输入名称搜索")
        self.empty_label = empty_label
        # ModelChoiceField assigns its ModelChoiceIterator here; it is never iterated (that
        # would list every option), only its queryset and label are read.
        self.choices = ()

    def __deepcopy__(self, memo):
        obj = super().__deepcopy__(memo)
        obj.params = dict(self.params)
        return obj

    def chosen(self, values) -> list[tuple[int, str]]:
        """(id, label) of the chosen values the field's (scoped) queryset holds: one query,
        and nothing for an id outside the person's scope."""
        ids = _ids(values)
        queryset = getattr(self.choices, "queryset", None)
        if not ids or queryset is None:
            return []
        field = getattr(self.choices, "field", None)
        label = field.label_from_instance if field is not None else str
        found = {obj.pk: label(obj) for obj in queryset.filter(pk__in=ids)}
        return [(pk, found[pk]) for pk in dict.fromkeys(ids) if pk in found]

    def _values(self, value) -> list:
        if value is None or value == "":
            return []
        if isinstance(value, list | tuple):
            return list(value)
        return [value]

    def value_from_datadict(self, data, files, name):
        value = data.get(name)
        return value.strip() if isinstance(value, str) else value

    def value_omitted_from_data(self, data, files, name):
        return name not in data

    def _outer_attrs(self, name: str) -> dict:
        return {
            "class": "search-select",
            "data-search-select": "multiple" if self.multiple else "single",
            "data-url": search_url(self.kind, self.params),
            "data-name": name,
            "data-placeholder": str(self.placeholder),
            "data-empty": str(self.empty_label or ""),
            "data-none": str(_("没有找到")),
        }

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        values = self._values(value)
        chosen = self.chosen(values)
        outer = flatatt(self._outer_attrs(name))
        return format_html("<div{}>{}</div>", outer, self._inner(name, values, chosen, attrs))

    def _inner(self, name, values, chosen, attrs):
        shown = chosen[0][1] if chosen else ""
        # The typed value is echoed as typed (a number), never as another row's label.
        current = values[0] if values else ""
        input_attrs = {
            **attrs,
            "type": self.input_type,
            "name": name,
            "value": current,
            "min": 1,
            "data-search-value": "",
            "data-label": shown,
        }
        input_attrs.setdefault("placeholder", _("编号"))
        return format_html(
            "<input{}>{}",
            flatatt(input_attrs),
            format_html('<span class="small text-muted" data-search-label>{}</span>', shown)
            if shown
            else "",
        )


class SearchSelectMultiple(SearchSelect):
    """Several choices of a ModelMultipleChoiceField: the chosen ones as ticked boxes (untick to
    drop), a search to add more. Without JavaScript a text box takes further ids."""

    multiple = True
    input_type = "text"

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
        if isinstance(values, str):
            values = [values]
        out = []
        for value in values:
            out.extend(v for v in SEPARATORS.split(str(value)) if v)
        return list(dict.fromkeys(out))

    def id_for_label(self, id_):
        return f"{id_}_search" if id_ else id_

    def _inner(self, name, values, chosen, attrs):
        base_id = attrs.get("id", name)
        boxes = format_html_join(
            "",
            '<div class="form-check"><input class="form-check-input" type="checkbox" '
            'name="{}" value="{}" id="{}_{}" checked><label class="form-check-label" '
            'for="{}_{}">{}</label></div>',
            ((name, pk, base_id, pk, base_id, pk, label) for pk, label in chosen),
        )
        # Ids the scope does not hold are kept in the text box, so the form's error ("无效的
        # 选择。") has the value it refers to beside it, never a name.
        known = {pk for pk, _label in chosen}
        unknown = [str(v) for v in values if not (str(v).isdigit() and int(v) in known)]
        fallback = format_html(
            '<input type="text" name="{}" value="{}" id="{}_search" class="{}" '
            'placeholder="{}" data-search-fallback>',
            name,
            "，".join(unknown),
            base_id,
            attrs.get("class", "form-control"),
            _("编号，多个用逗号分隔"),
        )
        return format_html(
            '<div data-search-chosen class="mb-1">{}</div>{}', boxes or mark_safe(""), fallback
        )
