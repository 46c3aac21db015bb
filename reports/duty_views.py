"""The duty record pages: the member's own record on the portal, the same record for staff, the
county ranking with its xlsx export, and the 述职报告 downloads.

Every page starts from Member.objects.visible_to / DutyEntry.objects.visible_to (a member sees
only themself, a town clerk their town's members, a handling unit nobody); the figures are
reports.duty's, so the page, the export and the report agree.
"""

import django_filters
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cppcc.exports import Column, attachment, xlsx_response
from cppcc.filters import Checkbox, ListFilterSet
from cppcc.roles import Role, has_role, is_staff_like
from cppcc.views import allowed_if, may_open
from members.filters import search_members
from members.models import (
    DutyCategory,
    DutyEntry,
    Member,
    PartyAffiliation,
    Sector,
    SpecialCommittee,
)
from studios.models import Studio, StudioMembership

from . import duty, duty_charts, duty_documents

ENTRIES_PER_PAGE = 20
RANKING_PER_PAGE = 30


def _is_member(user) -> bool:
    return has_role(user, Role.MEMBER) and getattr(user, "member_id", None) is not None


member_required = allowed_if(_is_member)
staff_required = allowed_if(is_staff_like)
# The 述职报告: a member their own, staff anyone they may see (visible_to narrows).
reader_required = allowed_if(lambda user: is_staff_like(user) or _is_member(user))


def chosen_year(request, years: list[int]) -> int:
    """`?year=` if it is one of `years`; otherwise this year, with a message when the value
    was given but is not a year the ledger covers."""
    raw = request.GET.get("year", "").strip()
    this_year = timezone.localdate().year
    if not raw:
        return this_year
    if raw.isdigit() and int(raw) in years:
        return int(raw)
    messages.warning(
        request, _("年度“%(y)s”无履职记录，已显示%(t)d年。") % {"y": raw, "t": this_year}
    )
    return this_year


# --- a member's record ---------------------------------------------------------------------


def record_context(request, member: Member) -> dict:
    """Everything the record page shows for `member` (already checked visible): the year's
    total, ranks, points by kind and category, the radar, and the paged entries."""
    user = request.user
    entries = DutyEntry.objects.visible_to(user).filter(member=member)
    years = duty.ledger_years(entries)
    year = chosen_year(request, years)
    by_kind = duty.points_by_kind(member, year)
    by_category = duty.points_by_category(by_kind)
    # Ranks and medians from one reading of the county's figures (cached, reports.duty).
    county = duty.county_standing(year)
    median = county["median"]
    page = Paginator(entries.filter(year=year).order_by("-date", "-id"), ENTRIES_PER_PAGE)
    page_obj = page.get_page(request.GET.get("page"))
    # An entry links its source only where its reader passes that page's gate (a town clerk
    # does not open the office's session pages, a member only the portal's).
    for entry in page_obj.object_list:
        entry.link = entry.url if entry.url and may_open(user, entry.url) else ""
    radar = duty_charts.radar(_("履职画像"), by_category, median)
    return {
        "member": member,
        "year": year,
        "years": years,
        "total": sum((row["points"] for row in by_kind), duty.ZERO),
        "rank": duty.member_rank(member, year, county),
        "by_kind": by_kind,
        "by_category": [{**row, "median": median[row["category"]]} for row in by_category],
        "radar": radar,
        "page_obj": page_obj,
    }


@member_required
def portal_duty(request):
    """/portal/duty/ (served under reports/portal/duty/): the member's own record."""
    member = get_object_or_404(
        Member.objects.visible_to(request.user).select_related("sector"),
        pk=request.user.member_id,
    )
    return render(request, "portal/duty.html", record_context(request, member))


@staff_required
def member_record(request, pk: int):
    member = get_object_or_404(
        Member.objects.visible_to(request.user).select_related("sector"), pk=pk
    )
    return render(request, "reports/duty/member.html", record_context(request, member))


def portal_section(request, member) -> dict:
    """This year's points and rank on /portal/ (one query for a ranked member)."""
    year = timezone.localdate().year
    total, rank = duty.member_standing(member, year)
    return {"year": year, "total": total, "rank": rank}


# --- the ranking ---------------------------------------------------------------------------

SORTS = {
    "-total": ("-points_total", "name_pinyin", "id"),
    "total": ("points_total", "name_pinyin", "id"),
    "pinyin": ("name_pinyin", "id"),
}


class RankingFilter(ListFilterSet):
    """The ranking's filters, shared by the page and its export. The year is chosen by the view
    (it decides the points annotated on the queryset); it sits here to show in the bar."""

    year = django_filters.ChoiceFilter(
        label=gettext_lazy("年度"), method="keep", empty_label=None, choices=[]
    )
    sector = django_filters.ModelChoiceFilter(
        label=gettext_lazy("界别"),
        queryset=Sector.objects.order_by("order", "pk"),
        empty_label=gettext_lazy("全部界别"),
    )
    party = django_filters.ChoiceFilter(
        label=gettext_lazy("政治面貌"),
        choices=PartyAffiliation.choices,
        empty_label=gettext_lazy("全部政治面貌"),
    )
    studio = django_filters.ModelChoiceFilter(
        label=gettext_lazy("工作室"),
        queryset=lambda request: Studio.objects.visible_to(request.user).order_by(
            "kind", "town__order", "name"
        ),
        empty_label=gettext_lazy("全部工作室"),
        method="filter_studio",
    )
    special_committee = django_filters.ModelChoiceFilter(
        label=gettext_lazy("专委会"),
        queryset=SpecialCommittee.objects.order_by("pk"),
        empty_label=gettext_lazy("全部专委会"),
    )
    q = django_filters.CharFilter(
        label=gettext_lazy("搜索"), method="filter_q", help_text=gettext_lazy("姓名或拼音")
    )
    flag = django_filters.BooleanFilter(
        label=gettext_lazy("仅看需关注委员"), widget=Checkbox, method="filter_flag"
    )
    sort = django_filters.ChoiceFilter(
        label=gettext_lazy("排序"),
        choices=[
            ("-total", gettext_lazy("按总分从高到低")),
            ("total", gettext_lazy("按总分从低到高")),
            ("pinyin", gettext_lazy("按姓名拼音")),
        ],
        empty_label=None,
        method="filter_sort",
    )

    def __init__(self, data, *, queryset, request, year: int, years: list[int], flagged):
        # The year the view settled on (a bad ?year= has had its message), so the form agrees.
        data = data.copy()
        data["year"] = str(year)
        super().__init__(data, queryset=queryset, request=request)
        self.flagged = flagged
        self.filters["year"].extra["choices"] = [(str(y), _("%(y)d年") % {"y": y}) for y in years]

    def keep(self, qs, name, value):
        return qs

    def filter_studio(self, qs, name, value):
        current = StudioMembership.objects.filter(studio=value, end_on__isnull=True)
        return qs.filter(pk__in=current.values("member_id"))

    def filter_q(self, qs, name, value):
        return search_members(qs, value)

    def filter_flag(self, qs, name, value):
        return qs.filter(pk__in=list(self.flagged())) if value else qs

    def filter_sort(self, qs, name, value):
        return qs.order_by(*SORTS.get(value, SORTS["-total"]))

    @property
    def qs(self):
        qs = super().qs
        if not self.form.cleaned_data.get("sort"):
            qs = qs.order_by(*SORTS["-total"])
        return qs


def ranking_filter(request) -> tuple[RankingFilter, int, dict]:
    """The filterset over the visible ranked members with their year's points per category,
    the year, and a lazy cache of the flags (computed once, only if a page needs them)."""
    user = request.user
    # The county ledger's years (which years have records is not anyone's private data): its
    # MIN walks the year index, where the scoped ledger's joined every entry to its member.
    years = duty.ledger_years(DutyEntry.objects.all())
    year = chosen_year(request, years)
    visible = duty.ranked_members(Member.objects.visible_to(user))
    flags: dict = {}

    def flagged() -> dict[int, list[str]]:
        if "rows" not in flags:
            flags["rows"] = duty.flag_reasons(visible, year)
        return flags["rows"]

    queryset = (
        duty.with_year_points(visible, year, categories=True)
        .select_related("sector")
        .prefetch_related(
            Prefetch(
                "studio_memberships",
                queryset=StudioMembership.objects.filter(end_on__isnull=True)
                .select_related("studio")
                .order_by("-is_town_studio", "studio__name"),
                to_attr="current_memberships",
            )
        )
    )
    filterset = RankingFilter(
        request.GET,
        queryset=queryset,
        request=request,
        year=year,
        years=years,
        flagged=flagged,
    )
    return filterset, year, flagged


def _decorate(members, ranks: dict[int, int], flags: dict[int, list[str]]) -> None:
    for member in members:
        member.rank = ranks.get(member.pk)
        member.flags = flags.get(member.pk, [])
        member.studios = "、".join(m.studio.name for m in member.current_memberships)
        member.category_points = [getattr(member, f"points_{c}") for c in duty.CATEGORIES]


@staff_required
def ranking(request):
    filterset, year, flagged = ranking_filter(request)
    page_obj = Paginator(filterset.qs, RANKING_PER_PAGE).get_page(request.GET.get("page"))
    _decorate(page_obj.object_list, duty.county_ranks(year), flagged())
    return render(
        request,
        "reports/duty/ranking.html",
        {
            "filter": filterset,
            "page_obj": page_obj,
            "year": year,
            "categories": DutyCategory.labels,
        },
    )


@staff_required
def ranking_export(request):
    filterset, year, flagged = ranking_filter(request)
    rows = list(filterset.qs)
    _decorate(rows, duty.county_ranks(year), flagged())
    columns = [
        Column(_("全县排名"), 10),
        Column(_("姓名"), 12),
        Column(_("界别"), 16),
        Column(_("工作室"), 28),
        *(Column(str(label), 12) for label in DutyCategory.labels),
        Column(_("总积分"), 10),
        Column(_("需关注"), 40),
    ]
    return xlsx_response(
        _("%(y)d年委员履职积分排名") % {"y": year},
        columns,
        (
            [
                m.rank,
                m.name,
                m.sector.name,
                m.studios,
                *(float(p) for p in m.category_points),
                float(m.points_total),
                "；".join(m.flags),
            ]
            for m in rows
        ),
    )


# --- 述职报告 -------------------------------------------------------------------------------


@reader_required
def report_download(request, pk: int, fmt: str):
    """A member's yearly 述职报告 as .docx or PDF (`?year=`, default this year)."""
    member = get_object_or_404(
        Member.objects.visible_to(request.user).select_related("sector"), pk=pk
    )
    years = duty.ledger_years(DutyEntry.objects.filter(member=member))
    year = chosen_year(request, years)
    report = duty_documents.DutyReport.build(member, year)
    if fmt == "docx":
        data, content_type = duty_documents.report_docx(report), duty_documents.DOCX
    elif fmt == "pdf":
        data, content_type = duty_documents.report_pdf(report), "application/pdf"
    else:
        raise Http404
    name = f"{report.heading}.{fmt}"
    return attachment(HttpResponse(data, content_type=content_type), name)
