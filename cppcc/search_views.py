"""/search/<kind>/?q=…: what a search select (cppcc.widgets) offers as the person types.

Each kind starts from the rows the person may see (cppcc.scoping.visible, i.e. the model's
visible_to or its registered rule, the same scope that validates the field), narrows them by the
typed text and answers at most LIMIT of them as JSON, so the cost is one query however large the
county. cppcc imports none of the apps (they import cppcc): models are named by label and the
member search by dotted path.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.db.models import Q, QuerySet
from django.http import Http404, JsonResponse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from .roles import Role, has_role, is_staff_like
from .scoping import visible
from .views import allowed_if

LIMIT = 20
MAX_QUERY = 50


@dataclass(frozen=True)
class Kind:
    model: str
    search: Callable[[QuerySet, str], QuerySet]
    order: tuple[str, ...]
    related: tuple[str, ...] = ()
    detail: Callable[[object], str] = lambda obj: ""
    # ?active=1 narrows to what a picker's field accepts (serving members, active units).
    active: Callable[[QuerySet], QuerySet] | None = None

    def rows(self, user) -> QuerySet:
        model = apps.get_model(self.model)
        rows = visible(model, user)
        if rows is None:
            rows = model._default_manager.all()
        if self.related:
            rows = rows.select_related(*self.related)
        return rows.order_by(*self.order)


def _by_name(rows: QuerySet, q: str) -> QuerySet:
    return rows.filter(name__icontains=q) if q else rows


def _studios(rows: QuerySet, q: str) -> QuerySet:
    if not q:
        return rows
    return rows.filter(
        Q(name__icontains=q) | Q(town__name__icontains=q) | Q(host_unit__icontains=q)
    )


def _members(rows: QuerySet, q: str) -> QuerySet:
    """Name, pinyin or initials as the member list searches; exactly four digits are the last
    digits of the mobile (how the office tells two namesakes apart on the phone). Only four, so
    that the box cannot confirm a whole number the page would mask."""
    if len(q) == 4 and q.isdigit():
        return rows.filter(mobile__endswith=q)
    return import_string("members.filters.search_members")(rows, q)


def _proposals(rows: QuerySet, q: str) -> QuerySet:
    """Part of the title (案由), or the number as the office says it: "57", "第57号", "闭会3"."""
    if not q:
        return rows
    number = q.removeprefix("第").removesuffix("号")
    return rows.filter(Q(title__icontains=q) | Q(number__iexact=number))


def _villages(rows: QuerySet, q: str) -> QuerySet:
    return rows.filter(Q(name__icontains=q) | Q(town__name__icontains=q)) if q else rows


def _contact_pairs(rows: QuerySet, q: str) -> QuerySet:
    """Either member's name: the office looks a pair up by whichever member called."""
    if not q:
        return rows
    return rows.filter(Q(party_member__name__icontains=q) | Q(non_party_member__name__icontains=q))


def _member_detail(member) -> str:
    parts = [member.sector.name if member.sector_id else "", member.employer]
    return " · ".join(p for p in parts if p)


KINDS = {
    "towns": Kind("studios.Town", _by_name, ("order", "pk")),
    "studios": Kind(
        "studios.Studio",
        _studios,
        ("-kind", "town__order", "name", "pk"),
        related=("town",),
        detail=lambda s: s.town.name if s.town_id else s.host_unit,
    ),
    "members": Kind(
        "members.Member",
        _members,
        ("name_pinyin", "pk"),
        related=("sector",),
        detail=_member_detail,
        active=lambda rows: rows.active(),
    ),
    "units": Kind(
        "proposals.HandlingUnit",
        _by_name,
        ("name", "pk"),
        active=lambda rows: rows.filter(is_active=True),
    ),
    # 名誉村长 of a sector studio: any village of the county (a town's studio keeps a select of
    # its own town's villages).
    "villages": Kind(
        "studios.Village", _villages, ("town__order", "name", "pk"), related=("town",)
    ),
    "contact_pairs": Kind(
        "studios.ContactPair",
        _contact_pairs,
        ("party_member__name_pinyin", "non_party_member__name_pinyin", "pk"),
        related=("party_member", "non_party_member"),
        detail=lambda pair: pair.since.isoformat(),
    ),
    # A town clerk finds none: proposals are the county office's business (visible_to).
    "proposals": Kind(
        "proposals.Proposal",
        _proposals,
        ("-year", "serial", "-pk"),
        detail=lambda p: p.get_status_display(),
    ),
}


def _may_search(user) -> bool:
    # The roles whose pages carry search selects: staff lists and forms, and a unit's task list.
    return is_staff_like(user) or has_role(user, Role.UNIT)


@allowed_if(_may_search)
def search(request, kind: str):
    spec = KINDS.get(kind)
    if spec is None:
        raise Http404
    q = request.GET.get("q", "").strip()[:MAX_QUERY]
    rows = spec.rows(request.user)
    # ?active=1: pickers whose field accepts only serving members (proposers, attendees) or
    # active units (assignments, meetings, follow-up tasks).
    if spec.active is not None and request.GET.get("active") == "1":
        rows = spec.active(rows)
    # ?party=cpc|other: the two sides of a 党员委员联系党外委员 pair (studios.forms.ContactPairForm).
    party = request.GET.get("party")
    if kind == "members" and party in ("cpc", "other"):
        rows = rows.filter(party="cpc") if party == "cpc" else rows.exclude(party="cpc")
    found = list(spec.search(rows, q)[: LIMIT + 1])
    results = [
        {"id": obj.pk, "label": str(obj), "detail": spec.detail(obj)} for obj in found[:LIMIT]
    ]
    return JsonResponse(
        {
            "results": results,
            # The box says there are more rather than listing them: type more to narrow.
            "more": _("还有更多，请输入更多字缩小范围。") if len(found) > LIMIT else "",
        },
        json_dumps_params={"ensure_ascii": False},
    )
