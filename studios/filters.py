"""The filters of the office's studio lists, shared by each page and its xlsx export, so that
"export what I see" exports exactly the rows the page lists.

Town and studio choices come from the person's own visible_to: a town clerk is offered only
their town, and a value outside it is an invalid choice (a Chinese error), never a wider list.
"""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from cppcc.filters import DateRangeForm, ListFilterSet, date_filters, search
from cppcc.scoping import ScopedChoicesMixin
from cppcc.widgets import SearchSelect

from . import selectors
from .models import (
    Activity,
    ActivityKind,
    ContactPair,
    PartyGroup,
    Problem,
    ProblemStatus,
    Studio,
    StudioKind,
    Town,
)

INVALID_TOWN = _("只能选择您可查看的镇街。")
INVALID_STUDIO = _("只能选择您可查看的工作室。")


def visible_towns(request):
    return Town.objects.visible_to(request.user).only("pk", "name")


def visible_studios(request):
    return Studio.objects.visible_to(request.user).only("pk", "name").order_by("name")


def town_filter(field_name: str) -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        label=_("镇街"),
        field_name=field_name,
        queryset=visible_towns,
        empty_label=_("全部镇街"),
        error_messages={"invalid_choice": INVALID_TOWN},
        # Towns grow with the county: searched, not listed (cppcc.widgets).
        widget=SearchSelect("towns", placeholder=_("全部镇街"), empty_label=_("全部镇街")),
    )


def studio_filter(field_name: str = "studio") -> django_filters.ModelChoiceFilter:
    return django_filters.ModelChoiceFilter(
        label=_("工作室"),
        field_name=field_name,
        queryset=visible_studios,
        empty_label=_("全部工作室"),
        error_messages={"invalid_choice": INVALID_STUDIO},
        widget=SearchSelect("studios", placeholder=_("全部工作室"), empty_label=_("全部工作室")),
    )


class ActivityFilter(ScopedChoicesMixin, ListFilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"), method="filter_q", help_text=_("主题、地点、纪要或工作室")
    )
    town = town_filter("studio__town")
    studio = studio_filter()
    kind = django_filters.ChoiceFilter(
        label=_("活动类型"), choices=ActivityKind.choices, empty_label=_("全部类型")
    )
    date_from, date_to = date_filters("date")

    class Meta:
        model = Activity
        fields = []
        form = DateRangeForm

    def filter_q(self, qs, name, value):
        return search(qs, ("title", "place", "summary", "studio__name"), value)


class ProblemFilter(ScopedChoicesMixin, ListFilterSet):
    STATUS_CHOICES = [("unsolved", _("未解决")), *ProblemStatus.choices]

    q = django_filters.CharFilter(
        label=_("搜索"), method="filter_q", help_text=_("问题、情况、反映人或村/社区")
    )
    town = town_filter("studio__town")
    studio = studio_filter()
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=STATUS_CHOICES, empty_label=_("全部状态"), method="filter_status"
    )
    date_from, date_to = date_filters("raised_on")

    class Meta:
        model = Problem
        fields = []
        form = DateRangeForm

    def filter_q(self, qs, name, value):
        return search(
            qs, ("title", "description", "raised_by", "village__name", "studio__name"), value
        )

    def filter_status(self, qs, name, value):
        if value == "unsolved":
            return qs.exclude(status=ProblemStatus.SOLVED)
        return qs.filter(status=value)


class StudioFilter(ScopedChoicesMixin, ListFilterSet):
    kind = django_filters.ChoiceFilter(
        label=_("类型"), choices=StudioKind.choices, empty_label=_("全部类型")
    )
    town = town_filter("town")
    off_size = django_filters.BooleanFilter(
        label=_("人数不在规定范围的镇街工作室"),
        method="filter_off_size",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = Studio
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        low, high = selectors.town_studio_size()
        self.filters["off_size"].label = _("只看人数不在 %(low)d–%(high)d 人的镇街工作室") % {
            "low": low,
            "high": high,
        }

    def filter_off_size(self, qs, name, value):
        return selectors.off_size_studios(qs) if value else qs


class PartyGroupFilter(ScopedChoicesMixin, ListFilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"), method="filter_q", help_text=_("党小组、工作室或组长姓名")
    )
    town = town_filter("studio__town")
    needs_leader = django_filters.BooleanFilter(
        label=_("只看待更换组长的党小组"),
        method="filter_needs_leader",
        widget=forms.CheckboxInput,
    )

    class Meta:
        model = PartyGroup
        fields = []

    def filter_q(self, qs, name, value):
        return search(qs, ("name", "studio__name", "leader__name"), value)

    def filter_needs_leader(self, qs, name, value):
        return qs.filter(leader_vacant_since__isnull=False) if value else qs


class ContactPairFilter(ScopedChoicesMixin, ListFilterSet):
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q", help_text=_("委员姓名"))

    class Meta:
        model = ContactPair
        fields = []

    def filter_q(self, qs, name, value):
        return search(qs, ("party_member__name", "non_party_member__name"), value)
