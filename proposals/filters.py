"""The proposal list's filters, shared by the page, its xlsx export and the API list, so that
"export what I see" exports exactly the rows the list shows.

The filterset is given a queryset already scoped by Proposal.objects.visible_to; the session
and unit choices are the ones the person may see.
"""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cppcc.filters import Checkbox, ListFilterSet, YearFilter
from cppcc.scoping import ScopedChoicesMixin, register
from cppcc.widgets import SearchSelect
from members.models import CommitteeSession, Term

from . import selectors
from .models import (
    HandlingUnit,
    ProposalCategory,
    ProposalRating,
    ProposalStatus,
    ProposalUnit,
    Rating,
)
from .widgets import QuickSelect


def visible_sessions(request):
    return CommitteeSession.objects.visible_to(request.user).order_by("-starts_on", "pk")


def visible_units(request):
    return selectors.units_visible_to(request.user).order_by("name")


# Handling units have no visible_to of their own: every scoped unit choice uses this rule.
register(HandlingUnit, selectors.units_visible_to)


class ProposalFilter(ScopedChoicesMixin, ListFilterSet):
    # The year a proposal belongs to (Proposal.year), as the figures count it: the dashboard's
    # proposal cards link here with ?year=.
    year = YearFilter(label=_("年度"))
    term = django_filters.ModelChoiceFilter(
        label=_("届次"), queryset=Term.objects.order_by("-start_year"), empty_label=_("全部届次")
    )
    session = django_filters.ModelChoiceFilter(
        label=_("会议"),
        queryset=visible_sessions,
        empty_label=_("全部会议"),
        null_label=_("闭会期间"),
        widget=QuickSelect,
    )
    category = django_filters.ChoiceFilter(
        label=_("类别"), choices=ProposalCategory.choices, empty_label=_("全部类别")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=ProposalStatus.choices, empty_label=_("全部状态")
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("承办单位"),
        queryset=visible_units,
        empty_label=_("全部承办单位"),
        method="filter_unit",
        # Handling units grow with the county (170 at ten counties' scale): searched.
        widget=SearchSelect("units", placeholder=_("全部承办单位"), empty_label=_("全部承办单位")),
    )
    rating = django_filters.ChoiceFilter(
        label=_("满意度"), choices=Rating.choices, empty_label=_("全部评价"), method="filter_rating"
    )
    key = django_filters.BooleanFilter(label=_("重点提案"), widget=Checkbox, method="filter_key")
    overdue = django_filters.BooleanFilter(
        label=_("答复逾期"), widget=Checkbox, method="filter_overdue"
    )
    awaiting = django_filters.ChoiceFilter(
        label=_("待办"),
        choices=selectors.AWAITING_OFFICE,
        empty_label=_("全部"),
        method="filter_awaiting",
    )
    q = django_filters.CharFilter(label=_("搜索"), method="filter_q")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.fields["q"].widget.attrs["placeholder"] = _("案由 / 案号 / 提案人")

    def filter_unit(self, qs, name, value):
        held = ProposalUnit.objects.active().filter(unit=value)
        return qs.filter(pk__in=held.values("proposal_id"))

    def filter_rating(self, qs, name, value):
        rated = ProposalRating.objects.filter(rating=value)
        return qs.filter(pk__in=rated.values("assignment__proposal_id"))

    def filter_key(self, qs, name, value):
        return qs.filter(is_key=True) if value else qs

    def filter_awaiting(self, qs, name, value):
        return selectors.awaiting_office(qs, value)

    def filter_overdue(self, qs, name, value):
        return selectors.overdue_proposals(qs) if value else qs

    def filter_q(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        number = value.removeprefix("第").removesuffix("号")
        return qs.filter(
            Q(title__icontains=value)
            | Q(number=number)
            | Q(lead_proposer__name__icontains=value)
            | Q(collective_source__icontains=value)
        )
