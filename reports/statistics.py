"""Every figure the product shows, defined once. Dashboards, the yearly summary and exports call
these functions with a queryset already scoped to the viewer, so a number never disagrees with
itself and nobody sees a figure built from records they may not see."""

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from members.models import MemberStatus, PartyAffiliation
from members.services import counts_by_party, counts_by_sector
from studios.models import ActivityKind, ProblemStatus


def active_members(members: QuerySet) -> QuerySet:
    return members.filter(status=MemberStatus.ACTIVE)


def member_totals(members: QuerySet) -> dict:
    """Active members, of whom CPC members, women, and city-level members (one query)."""
    return active_members(members).aggregate(
        total=Count("pk"),
        cpc=Count("pk", filter=Q(party=PartyAffiliation.CPC)),
        women=Count("pk", filter=Q(gender="F")),
        city_level=Count("pk", filter=Q(level="city")),
    )


def members_by_sector(members: QuerySet) -> list[dict]:
    """[{"name": sector, "count": n}] for active members, largest first. Counted by the same
    function as the member list's sidebar (which cannot import reports), so they agree."""
    rows = counts_by_sector(active_members(members))
    return sorted(
        ({"name": r["sector__name"], "count": r["n"]} for r in rows), key=lambda r: -r["count"]
    )


def members_by_party(members: QuerySet) -> list[dict]:
    return [
        {"name": str(r["party"]), "count": r["n"]} for r in counts_by_party(active_members(members))
    ]


def studio_totals(studios: QuerySet) -> dict:
    return studios.aggregate(
        total=Count("pk"),
        town=Count("pk", filter=Q(kind="town")),
        sector=Count("pk", filter=Q(kind="sector")),
        city_level=Count("pk", filter=Q(level="city")),
    )


def activity_totals(activities: QuerySet, year: int) -> dict:
    """Studio activities in a year: count, residents reached, live-stream sales (万元)."""
    return activities.filter(date__year=year).aggregate(
        count=Count("pk"),
        residents=Sum("residents_reached", default=0),
        sales_wan=Sum("sales_wan", default=0),
    )


def activities_by_month(activities: QuerySet, year: int) -> list[int]:
    """Twelve counts, January to December."""
    counts = [0] * 12
    rows = activities.filter(date__year=year).values_list("date__month").annotate(n=Count("pk"))
    for month, n in rows:
        counts[month - 1] = n
    return counts


def activities_by_kind(activities: QuerySet, year: int) -> list[dict]:
    labels = dict(ActivityKind.choices)
    rows = (
        activities.filter(date__year=year)
        .values("kind")
        .annotate(count=Count("pk"))
        .order_by("-count")
    )
    return [{"name": str(labels.get(r["kind"], r["kind"])), "count": r["count"]} for r in rows]


def problem_totals(problems: QuerySet, year: int | None = None) -> dict:
    """Residents' problems: open, in hand, and solved (in `year` when given, by solved date)."""
    solved = Q(status=ProblemStatus.SOLVED)
    if year is not None:
        solved &= Q(solved_on__year=year)
    return problems.aggregate(
        open=Count("pk", filter=Q(status=ProblemStatus.OPEN)),
        in_hand=Count("pk", filter=Q(status=ProblemStatus.IN_HAND)),
        solved=Count("pk", filter=solved),
    )


def problems_by_town(problems: QuerySet) -> list[dict]:
    rows = (
        problems.values("studio__town__name", "studio__town__order")
        .annotate(
            open=Count("pk", filter=~Q(status=ProblemStatus.SOLVED)),
            solved=Count("pk", filter=Q(status=ProblemStatus.SOLVED)),
        )
        .order_by("studio__town__order")
    )
    # Sector studios that sit in no town are grouped under one label.
    sector = str(_("界别/行业工作室"))
    return [
        {"name": r["studio__town__name"] or sector, "open": r["open"], "solved": r["solved"]}
        for r in rows
    ]


def current_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year
