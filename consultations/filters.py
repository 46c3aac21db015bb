"""The filters of the matter, meeting and follow-up task lists, shared by each page and its xlsx
export, so that "export what I see" exports exactly the rows the list shows.

Every filterset is given a queryset already scoped by `visible_to`; the town choices are the
towns the person may see, so a town clerk is offered only their own town and another town's id
is refused as an invalid choice (the scope would have shown nothing of it anyway).
"""

import django_filters
from django import forms
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cppcc.filters import (
    Checkbox,
    DateRangeForm,
    IdFilter,
    ListFilterSet,
    YearFilter,
    date_filters,
)
from cppcc.scoping import ScopedChoicesMixin
from cppcc.widgets import SearchSelect
from proposals.filters import visible_units
from studios.filters import visible_towns

from . import selectors
from .models import COMPLETED_STATE, STEPS, MatterStatus, MeetingKind, Step, state_label


def _town_search() -> SearchSelect:
    # Towns grow with the county (200 at ten counties' scale): searched, not listed.
    return SearchSelect("towns", placeholder=_("全部镇街"), empty_label=_("全部镇街"))


# --- matters -------------------------------------------------------------------------------------

# The matter list's sort keys (?sort=town, ?sort=-deadline …); the first is the default.
STEP_ORDER = Case(
    When(status=MatterStatus.COMPLETED, then=Value(len(STEPS))),
    *[When(step=step, then=Value(i)) for i, step in enumerate(STEPS)],
    output_field=IntegerField(),
)
MATTER_SORTS = {
    "town": ("town__order", "town_id", "-is_annual_topic", "id"),
    "step": (STEP_ORDER, "town__order", "id"),
    # Fewer days in the step first = entered it later.
    "days": ("-step_entered_at", "-id"),
    "deadline": ("deadline", "town__order", "id"),
    "title": ("title", "id"),
}


def _descending(keys):
    out = []
    for key in keys:
        if isinstance(key, str):
            out.append(key[1:] if key.startswith("-") else f"-{key}")
        else:
            out.append(key.desc())
    return out


def matter_ordering(sort: str):
    desc = sort.startswith("-")
    keys = MATTER_SORTS.get(sort.lstrip("-"), MATTER_SORTS["town"])
    if sort.lstrip("-") == "deadline":
        # Matters not yet assigned have no deadline: they go last either way.
        first = F("deadline").desc(nulls_last=True) if desc else F("deadline").asc(nulls_last=True)
        return (first, *(_descending(keys[1:]) if desc else keys[1:]))
    return tuple(_descending(keys)) if desc else keys


SORT_LABELS = {
    "town": _("镇街"),
    "step": _("当前步骤"),
    "days": _("在本步天数"),
    "deadline": _("办理期限"),
    "title": _("事项"),
}


class MatterListFilter(ScopedChoicesMixin, ListFilterSet):
    # Any year may be asked for (a year with no matters lists none); the select offers the
    # years that have some.
    year = YearFilter(label=_("年度"), widget=forms.Select)
    town = django_filters.ModelChoiceFilter(
        label=_("镇街"), queryset=visible_towns, empty_label=_("全部镇街"), widget=_town_search()
    )
    step = django_filters.ChoiceFilter(
        label=_("当前步骤"),
        choices=[*Step.choices, (COMPLETED_STATE, state_label(COMPLETED_STATE))],
        method="filter_step",
        empty_label=_("全部步骤"),
    )
    stalled = django_filters.BooleanFilter(
        label=_("停滞"), widget=Checkbox, method="only_if_ticked"
    )
    overdue = django_filters.BooleanFilter(
        label=_("已逾期"), widget=Checkbox, method="only_if_ticked"
    )
    sort = django_filters.ChoiceFilter(
        label=_("排序"),
        choices=[
            (key, _("按%(what)s%(dir)s") % {"what": label, "dir": suffix})
            for key_, label in SORT_LABELS.items()
            for key, suffix in ((key_, ""), (f"-{key_}", _("（倒序）")))
        ],
        method="filter_sort",
        empty_label=None,
    )

    def __init__(self, data=None, *args, years=(), **kwargs):
        super().__init__(data, *args, **kwargs)
        self.form.fields["year"].widget.choices = [("", _("全部年度"))] + [
            (y, _("%(y)s年") % {"y": y}) for y in years
        ]

    def filter_step(self, qs, name, value):
        if value == COMPLETED_STATE:
            return qs.filter(status=MatterStatus.COMPLETED)
        return qs.filter(status=MatterStatus.ACTIVE, step=value)

    def tick_stalled(self, qs):
        return qs.filter(pk__in=selectors.stalled_matters().values("pk"))

    def tick_overdue(self, qs):
        return selectors.overdue_matters(qs)

    def filter_sort(self, qs, name, value):
        return qs

    def sorted_qs(self):
        """The filtered rows in the chosen order (the sort filter itself leaves the order alone,
        so that an unknown sort falls back to the default)."""
        sort = self.form.cleaned_data.get("sort") if self.is_valid() else ""
        return self.qs.order_by(*matter_ordering(sort or "town"))

    def chosen_sort(self) -> str:
        return (self.form.cleaned_data.get("sort") if self.is_valid() else "") or "town"


# --- meetings ------------------------------------------------------------------------------------


class MeetingListFilter(ScopedChoicesMixin, ListFilterSet):
    town = django_filters.ModelChoiceFilter(
        label=_("镇街"), queryset=visible_towns, empty_label=_("全部镇街"), widget=_town_search()
    )
    kind = django_filters.ChoiceFilter(
        label=_("协商类型"), choices=MeetingKind.choices, empty_label=_("全部类型")
    )
    date_from, date_to = date_filters("date")
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")
    matter = IdFilter(label=_("议题"), widget=forms.HiddenInput)

    class Meta:
        form = DateRangeForm

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = _("主题 / 地点 / 议题")

    def filter_q(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(topic__icontains=value)
            | Q(place__icontains=value)
            | Q(matter__title__icontains=value)
        )


# --- follow-up tasks -----------------------------------------------------------------------------


class TaskListFilter(ScopedChoicesMixin, ListFilterSet):
    town = django_filters.ModelChoiceFilter(
        label=_("镇街"),
        field_name="meeting__town",
        queryset=visible_towns,
        empty_label=_("全部镇街"),
        widget=_town_search(),
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("责任单位"),
        queryset=visible_units,
        empty_label=_("全部单位"),
        widget=SearchSelect("units", placeholder=_("全部单位"), empty_label=_("全部单位")),
    )
    open = django_filters.BooleanFilter(label=_("未完成"), widget=Checkbox, method="only_if_ticked")
    overdue = django_filters.BooleanFilter(
        label=_("已逾期"), widget=Checkbox, method="only_if_ticked"
    )

    def tick_open(self, qs):
        return selectors.open_tasks(qs)

    def tick_overdue(self, qs):
        return selectors.overdue_tasks(qs, timezone.localdate())
