"""What every list's filters share (studios, consultations, proposals, opinion reports): the
compact filter bar's styling, ticked-only checkboxes, a date range that refuses a start after
its end, and free-text search. Each app's filterset is shared by its page and its xlsx export,
so the file holds exactly what the page lists."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# A primary key fits a signed 64-bit integer; a larger number makes SQLite raise OverflowError
# and PostgreSQL a DataError (a 500) instead of "no such record".
MAX_ID = 2**63 - 1
FIRST_YEAR, LAST_YEAR = 1900, 9999


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    """A record id typed as a number (`?town=3`): anything but a positive 64-bit integer is a
    form error (400 in the API) rather than a database error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


@extend_schema_field({"type": "integer", "minimum": FIRST_YEAR, "maximum": LAST_YEAR})
class YearFilter(django_filters.NumberFilter):
    """`?year=2026` over a date (lookup_expr="year") or a year column. Year 0 or 10000 has no
    date (Python raises building the range), so it is refused as a form error."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        super().__init__(*args, **kwargs)


class Checkbox(forms.CheckboxInput):
    """`?stalled=1`: a ticked box filters; unticked leaves the list whole (not "not stalled")."""

    def __init__(self, attrs=None):
        super().__init__({"class": "form-check-input", **(attrs or {})}, check_test=bool)


class DateRangeForm(forms.Form):
    """The form of a filterset with date_from / date_to: a start after the end is a Chinese
    error and the list shows nothing rather than a silently empty range."""

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        return cleaned


def date_filters(field_name: str) -> tuple[django_filters.DateFilter, django_filters.DateFilter]:
    """The date_from / date_to pair over `field_name` (use with Meta.form = DateRangeForm)."""
    return (
        django_filters.DateFilter(
            label=_("开始日期"), field_name=field_name, lookup_expr="gte", widget=DATE
        ),
        django_filters.DateFilter(
            label=_("结束日期"), field_name=field_name, lookup_expr="lte", widget=DATE
        ),
    )


def search(qs, fields: tuple[str, ...], value: str):
    value = (value or "").strip()
    if not value:
        return qs
    q = Q()
    for name in fields:
        q |= Q(**{f"{name}__icontains": value})
    return qs.filter(q)


class ListFilterSet(django_filters.FilterSet):
    """Styles the fields for the compact filter bar (templates/includes/filter_bar.html)."""

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select form-select-sm w-auto"
            else:
                css = "form-control form-control-sm w-auto"
            widget.attrs["class"] = css
            widget.attrs.setdefault("aria-label", str(field.label))
            if field.help_text and not isinstance(widget, forms.CheckboxInput | forms.Select):
                # The bar has no room for help text: it becomes the placeholder, and is dropped
                # so no aria-describedby points at text the bar never renders.
                widget.attrs.setdefault("placeholder", str(field.help_text))
                field.help_text = ""
        return form

    def only_if_ticked(self, qs, name, value):
        """A Checkbox filter's method: `tick_<name>(qs)` narrows the list when ticked."""
        return getattr(self, f"tick_{name}")(qs) if value else qs
