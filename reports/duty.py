"""Figures over the duty ledger (members.DutyEntry, 履职档案): a member's points, ranks and the
county's spread. Every figure counts the points the ledger holds for a calendar year (an
entry's `year`: the year of the duty's real date, not of when it was recorded). The member page,
the ranking, the 述职报告 and the dashboard all call these, so a score never disagrees with
itself.

Ranks and medians are county figures: they are counted over every active member of the current
term whoever asks (a member sees their own rank, never the others' scores); lists and
distributions count over the queryset the caller scoped to the viewer.
"""

import statistics
from decimal import Decimal

from django.core.cache import cache
from django.db.models import DecimalField, FilteredRelation, Min, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from members import duty as ledger
from members.models import (
    KIND_CATEGORY,
    DutyCategory,
    DutyEntry,
    DutyKind,
    Member,
    MemberStatus,
)

BIN_WIDTH = 10
ZERO = Decimal("0")
POINTS = DecimalField(max_digits=9, decimal_places=1)
CATEGORIES: tuple[str, ...] = tuple(DutyCategory.values)


def kinds_of(category: str) -> list[str]:
    return [kind for kind, cat in KIND_CATEGORY.items() if cat == category]


def ranked_members(members: QuerySet | None = None) -> QuerySet:
    """The members a rank is counted among: active members of the current term (a subquery,
    not a join, so each member is one row and aggregates stay right)."""
    members = Member.objects.all() if members is None else members
    in_term = Member.terms.through.objects.filter(term__is_current=True).values("member_id")
    return members.filter(status=MemberStatus.ACTIVE, pk__in=in_term)


def _points(q: Q | None = None) -> Coalesce:
    return Coalesce(Sum("year_entries__points", filter=q), Value(ZERO), output_field=POINTS)


def with_year_points(members: QuerySet, year: int, categories: bool = False) -> QuerySet:
    """Annotates `points_total`, the member's points in `year` (0 for none), and with
    `categories` also `points_<category>` for each DutyCategory: one grouped query over the
    ledger, so a ranking can order and page by them. The year is a condition of the join, not
    of the sum: the ledger holds every year, and filtering inside SUM read all of them (550 ms
    at ten counties' scale, issue 13) where the join reads one year through (year, member)."""
    members = members.alias(
        year_entries=FilteredRelation("duty_entries", condition=Q(duty_entries__year=year))
    )
    annotations = {"points_total": _points()}
    if categories:
        for category in CATEGORIES:
            annotations[f"points_{category}"] = _points(
                Q(year_entries__kind__in=kinds_of(category))
            )
    return members.annotate(**annotations)


def member_points(member: Member, year: int) -> Decimal:
    """The member's points in `year` (one query)."""
    return DutyEntry.objects.filter(member=member, year=year).aggregate(
        total=Coalesce(Sum("points"), Value(ZERO), output_field=POINTS)
    )["total"]


def points_by_kind(member: Member, year: int) -> list[dict]:
    """Every DutyKind in the order of the 办法, with the member's entries and points of that kind
    in `year` (0 where none): `[{"kind", "name", "category", "count", "points"}]`. One query."""
    rows = (
        DutyEntry.objects.filter(member=member, year=year)
        .order_by()
        .values("kind")
        .annotate(n=Sum(Value(1)), points=Sum("points"))
    )
    found = {r["kind"]: r for r in rows}
    return [
        {
            "kind": kind,
            "name": str(label),
            "category": KIND_CATEGORY[kind],
            "count": found.get(kind, {}).get("n") or 0,
            "points": found.get(kind, {}).get("points") or ZERO,
        }
        for kind, label in DutyKind.choices
    ]


def points_by_category(by_kind: list[dict]) -> list[dict]:
    """The rows of points_by_kind added up per DutyCategory, every category in the radar's
    order: `[{"category", "name", "points"}]` (no query)."""
    totals = dict.fromkeys(CATEGORIES, ZERO)
    for row in by_kind:
        totals[row["category"]] += row["points"]
    return [
        {"category": value, "name": str(label), "points": totals[value]}
        for value, label in DutyCategory.choices
    ]


def competition_ranks(totals: dict[int, Decimal]) -> dict[int, int]:
    """{member id: rank} by total, highest first; equal totals share a rank and the next rank
    skips (1, 2, 2, 4)."""
    ordered = sorted(totals.values(), reverse=True)
    first_at: dict[Decimal, int] = {}
    for position, total in enumerate(ordered, start=1):
        first_at.setdefault(total, position)
    return {pk: first_at[total] for pk, total in totals.items()}


def county_totals(year: int) -> list[tuple[int, int, Decimal]]:
    """(member id, sector id, points in `year`) of every ranked member (one query)."""
    return list(
        with_year_points(ranked_members(), year)
        .order_by()
        .values_list("pk", "sector_id", "points_total")
    )


# Kept until the ledger's version changes (members.duty.ledger_version); the timeout only bounds
# how long an unread year stays in the cache.
COUNTY_TIMEOUT = 24 * 60 * 60


def county_standing(year: int) -> dict:
    """The county's figures of `year`, counted over every ranked member: `{"county": {member id:
    rank}, "tenths": {member id: points × 10}, "sector": {member id: rank within their sector},
    "sector_of": {sector id: ranked members}, "median": county_median_by_category}`. One grouped query over the year's ledger,
    kept in the cache until the ledger or the ranked members change (none then)."""
    version = ledger.ledger_version()
    key = f"reports.duty.county:{year}:{version}"
    if version is not None:
        kept = cache.get(key)
        if kept is not None:
            return kept
    columns = [f"points_{c}" for c in CATEGORIES]
    rows = list(
        with_year_points(ranked_members(), year, categories=True)
        .order_by()
        .values_list("pk", "sector_id", "points_total", *columns)
    )
    by_sector: dict[int, dict[int, Decimal]] = {}
    for pk, sector, total, *_categories in rows:
        by_sector.setdefault(sector, {})[pk] = total
    sector_ranks: dict[int, int] = {}
    for totals in by_sector.values():
        sector_ranks.update(competition_ranks(totals))
    figures = {
        "county": competition_ranks({pk: total for pk, _sector, total, *_c in rows}),
        # In tenths of a point (the ledger's precision): ints come out of the cache faster than
        # thousands of Decimals.
        "tenths": {pk: int(total * 10) for pk, _sector, total, *_c in rows},
        "sector": sector_ranks,
        "sector_of": {sector: len(totals) for sector, totals in by_sector.items()},
        "median": _medians([row[3:] for row in rows]),
    }
    if version is not None:
        cache.set(key, figures, COUNTY_TIMEOUT)
    return figures


def _medians(rows: list) -> dict[str, Decimal]:
    if not rows:
        return dict.fromkeys(CATEGORIES, ZERO)
    return {
        category: Decimal(statistics.median(row[i] for row in rows))
        for i, category in enumerate(CATEGORIES)
    }


def county_ranks(year: int) -> dict[int, int]:
    """{member id: rank in the county} for `year` among the ranked members (county_standing)."""
    return county_standing(year)["county"]


def member_rank(member: Member, year: int, figures: dict | None = None) -> dict:
    """The member's rank in `year` in the county and in their sector, with how many members each
    counts: `{"county", "county_of", "sector", "sector_of"}`; the ranks are None when the member
    is not ranked (left, or not of the current term). From county_standing (or its `figures`)."""
    figures = county_standing(year) if figures is None else figures
    return {
        "county": figures["county"].get(member.pk),
        "county_of": len(figures["county"]),
        "sector": figures["sector"].get(member.pk),
        "sector_of": figures["sector_of"].get(member.sector_id, 0),
    }


def member_standing(member: Member, year: int) -> tuple[Decimal, dict]:
    """The member's points in `year` and member_rank: no query of its own for a ranked member
    (their total is among the county's), one for a member who is not ranked."""
    figures = county_standing(year)
    tenths = figures["tenths"].get(member.pk)
    total = member_points(member, year) if tenths is None else Decimal(tenths).scaleb(-1)
    return total, member_rank(member, year, figures)


def county_median_by_category(year: int) -> dict[str, Decimal]:
    """{category: the median of the ranked members' points in that category in `year`}, members
    with no entries counting 0 (the radar's comparison line). From county_standing."""
    return county_standing(year)["median"]


def ledger_years(entries: QuerySet) -> list[int]:
    """The years from the given entries' first to the current year, newest first (the year
    picker). The first year, not every distinct year: MIN walks the (year, …) index, DISTINCT
    read the whole ledger (220 ms at ten counties' scale, issue 13)."""
    this_year = timezone.localdate().year
    first = entries.order_by().aggregate(first=Min("year"))["first"] or this_year
    return list(range(max(first, this_year), min(first, this_year) - 1, -1))


def points_distribution(members: QuerySet, year: int) -> list[dict]:
    """How many of the active members of the queryset have how many points in `year`, in bins of
    10 points (`[{"name": "0–9", "count": n}, …]`, every bin from 0 to the highest total, empty
    ones included so the bars read as a histogram). A member with no entries counts in "0–9";
    totals below zero (deductions) share one bin "0分以下" shown first. One query."""
    totals = (
        with_year_points(members.filter(status=MemberStatus.ACTIVE), year)
        .order_by()
        .values_list("points_total", flat=True)
    )
    below_zero = 0
    counts: dict[int, int] = {}
    for total in totals:
        if total < 0:
            below_zero += 1
            continue
        low = int(total // BIN_WIDTH) * BIN_WIDTH
        counts[low] = counts.get(low, 0) + 1
    rows = [{"name": _("0分以下"), "count": below_zero}] if below_zero else []
    if counts:
        for low in range(0, max(counts) + BIN_WIDTH, BIN_WIDTH):
            rows.append({"name": f"{low}–{low + BIN_WIDTH - 1}", "count": counts.get(low, 0)})
    return rows


def flag_reasons(members: QuerySet, year: int) -> dict[int, list[str]]:
    """{member id: the reasons in Chinese} for the flagged members of the queryset in `year`,
    as members.duty.flags decides them (two plenary absences without leave in the current term,
    or no positive entry in the year). Three queries."""
    return ledger.flags(members, year)
