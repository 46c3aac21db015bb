"""The member list's filters, shared by the office page, the Excel export and the API, so that
"export what I see" exports exactly the rows the list shows."""

import django_filters
from django.db.models import Q, Value
from django.db.models.functions import Replace
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cppcc.filters import YearFilter
from cppcc.scoping import ScopedChoicesMixin
from cppcc.widgets import SearchSelect

from .models import (
    CommitteeSession,
    Member,
    MemberStatus,
    PartyAffiliation,
    Post,
    Sector,
    SessionKind,
    SpecialCommittee,
    Term,
)


def studio_model():
    """The Studio model reached through the membership relation: members must not import
    studios (studios imports members), but may filter on the relation studios declared."""
    membership = Member._meta.get_field("studio_memberships").related_model
    return membership._meta.get_field("studio").related_model


def studio_queryset(request):
    return studio_model().objects.order_by("kind", "town__order", "name")


SORTS = {
    "pinyin": ("name_pinyin", "id"),
    "-pinyin": ("-name_pinyin", "-id"),
    "sector": ("sector__order", "name_pinyin", "id"),
    "-updated": ("-updated_at", "-id"),
}


def search_members(qs, value: str):
    """Name, full pinyin (with or without spaces) or initials."""
    value = (value or "").strip()
    if not value:
        return qs
    compact = value.replace(" ", "").lower()
    return qs.annotate(_pinyin_compact=Replace("name_pinyin", Value(" "), Value(""))).filter(
        Q(name__icontains=value)
        | Q(_pinyin_compact__startswith=compact)
        | Q(name_initials__startswith=compact)
    )


class MemberFilter(ScopedChoicesMixin, django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"), method="filter_q", help_text=_("姓名、拼音或首字母")
    )
    term = django_filters.ModelChoiceFilter(
        label=_("届次"), field_name="terms", queryset=Term.objects.all(), empty_label=_("全部届次")
    )
    sector = django_filters.ModelChoiceFilter(
        label=_("界别"), queryset=Sector.objects.all(), empty_label=_("全部界别")
    )
    party = django_filters.ChoiceFilter(
        label=_("政治面貌"), choices=PartyAffiliation.choices, empty_label=_("全部政治面貌")
    )
    special_committee = django_filters.ModelChoiceFilter(
        label=_("专委会"), queryset=SpecialCommittee.objects.all(), empty_label=_("全部专委会")
    )
    studio = django_filters.ModelChoiceFilter(
        label=_("工作室"),
        queryset=studio_queryset,
        method="filter_studio",
        empty_label=_("全部工作室"),
        # Studios grow with the county: searched, not listed (cppcc.widgets).
        widget=SearchSelect("studios", placeholder=_("全部工作室"), empty_label=_("全部工作室")),
    )
    post = django_filters.ChoiceFilter(
        label=_("政协职务"), choices=Post.choices, empty_label=_("全部职务")
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=MemberStatus.choices, empty_label=_("全部状态")
    )
    # The to-do "members in no studio" links here with no_studio=1.
    no_studio = django_filters.ChoiceFilter(
        label=_("工作室分配"),
        choices=[("1", _("未分配镇街工作室"))],
        method="filter_no_studio",
        empty_label=_("不限"),
    )
    sort = django_filters.ChoiceFilter(
        label=_("排序"),
        method="filter_sort",
        choices=[
            ("pinyin", _("按拼音升序")),
            ("-pinyin", _("按拼音降序")),
            ("sector", _("按界别")),
            ("-updated", _("最近修改")),
        ],
        empty_label=_("按拼音升序"),
    )

    class Meta:
        model = Member
        fields = [
            "q",
            "term",
            "sector",
            "party",
            "special_committee",
            "studio",
            "post",
            "status",
            "no_studio",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, f in self.form.fields.items():
            typed = name == "q" or isinstance(f.widget, SearchSelect)
            css = "form-control form-control-sm" if typed else "form-select form-select-sm"
            f.widget.attrs["class"] = css
        self.form.fields["q"].widget.attrs["placeholder"] = _("姓名 / 拼音 / 首字母")

    def filter_q(self, qs, name, value):
        return search_members(qs, value)

    @extend_schema_field(OpenApiTypes.INT)
    def filter_studio(self, qs, name, value):
        # Current memberships only; one current membership per studio, so no duplicates.
        return qs.filter(studio_memberships__studio=value, studio_memberships__end_on__isnull=True)

    def filter_no_studio(self, qs, name, value):
        """Active members with no current town-studio seat in the current term: the same set
        as studios.selectors.unassigned_members (the studio list's "未分配工作室的委员"), so
        the to-do count and this list agree. Through the relation: members cannot import
        studios."""
        if value != "1":
            return qs
        seated = Q(studio_memberships__is_town_studio=True, studio_memberships__end_on__isnull=True)
        term = Term.objects.filter(is_current=True).first()
        if term is not None:
            seated &= Q(studio_memberships__term=term)
        placed = Member.objects.filter(seated).values("pk")
        return qs.filter(status=MemberStatus.ACTIVE).exclude(pk__in=placed)

    def filter_sort(self, qs, name, value):
        return qs.order_by(*SORTS.get(value, SORTS["pinyin"]))


class SessionFilter(ScopedChoicesMixin, django_filters.FilterSet):
    """The session list's filters, shared by the page, its Excel export and the API."""

    term = django_filters.ModelChoiceFilter(
        label=_("届次"), queryset=Term.objects.all(), empty_label=_("全部届次")
    )
    kind = django_filters.ChoiceFilter(
        label=_("会议类型"), choices=SessionKind.choices, empty_label=_("全部类型")
    )
    year = YearFilter(label=_("年度"), field_name="starts_on", lookup_expr="year")

    class Meta:
        model = CommitteeSession
        fields = ["term", "kind", "year"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, f in self.form.fields.items():
            css = (
                "form-control form-control-sm w-auto"
                if name == "year"
                else "form-select form-select-sm w-auto"
            )
            f.widget.attrs["class"] = css
            f.widget.attrs.setdefault("aria-label", str(f.label))
        self.form.fields["year"].widget.attrs["placeholder"] = _("年度")
