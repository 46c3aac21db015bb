"""The figures of a page for one viewer, one period and optionally one town, assembled from the
functions in reports.statistics. The office home, the town home, the dashboard and
/api/v1/stats/ all read `page_figures`, so they cannot disagree on a number.

Every dated figure comes as {"current", "previous", "change"}: the period, the same span a year
earlier (Period.previous) and statistics.change between them.
"""

from collections.abc import Callable

from django.db.models import QuerySet

from consultations.models import ConsultationMeeting, LivelihoodProject, Matter
from cppcc.navigation import Pending, run_together
from cppcc.roles import clerk_town_id
from members.models import Member
from proposals.models import AdoptionLevel, OpinionReport, Proposal
from studios.models import Activity, Problem, Studio, Town

from . import figure_cache, statistics
from .periods import Period


class FigureScope:
    """The records a viewer may see (each model's visible_to), narrowed to one town when asked.
    A town clerk is always narrowed to their own town."""

    def __init__(self, user, town: Town | None = None):
        self.user = user
        self.town = town

    def _in_town(self, queryset: QuerySet, path: str) -> QuerySet:
        return queryset if self.town is None else queryset.filter(**{path: self.town.pk})

    def members(self) -> QuerySet:
        members = Member.objects.visible_to(self.user)
        if self.town is None:
            return members
        # A subquery, not a join: a member in two of the town's studios counts once.
        in_town = Member.objects.filter(
            studio_memberships__studio__town_id=self.town.pk,
            studio_memberships__end_on__isnull=True,
        ).values("pk")
        return members.filter(pk__in=in_town)

    def studios(self) -> QuerySet:
        return self._in_town(Studio.objects.visible_to(self.user), "town")

    def activities(self) -> QuerySet:
        return self._in_town(Activity.objects.visible_to(self.user), "studio__town")

    def problems(self) -> QuerySet:
        return self._in_town(Problem.objects.visible_to(self.user), "studio__town")

    def matters(self) -> QuerySet:
        return self._in_town(Matter.objects.visible_to(self.user), "town")

    def meetings(self) -> QuerySet:
        return self._in_town(ConsultationMeeting.objects.visible_to(self.user), "town")

    def projects(self) -> QuerySet:
        return self._in_town(LivelihoodProject.objects.visible_to(self.user), "matter__town")

    def opinion_reports(self) -> QuerySet:
        return self._in_town(OpinionReport.objects.visible_to(self.user), "studio__town")

    def proposals(self) -> QuerySet | None:
        """Proposals are the county's business and belong to no town: with a town chosen there
        are no proposal figures (None), rather than county figures under a town's name."""
        if self.town is not None:
            return None
        return Proposal.objects.visible_to(self.user)


def towns_for(user) -> QuerySet:
    """The towns the viewer may choose (a town clerk: only their own)."""
    return Town.objects.visible_to(user).order_by("order", "pk")


def parse_year(raw: str | None) -> int | None:
    """The year asked for, or None when it is missing, not a number or outside the years the
    records cover."""
    try:
        year = int(raw or "")
    except ValueError:
        return None
    return year if year in figure_cache.years_covered() else None


def parse_town(user, raw: str | None) -> Town | None:
    """The town asked for among those the viewer may see; a town clerk always gets their own.
    Garbage or a town out of reach gives None (the county)."""
    own = clerk_town_id(user)
    if own is not None:
        return Town.objects.filter(pk=own).first()
    try:
        pk = int(raw or "")
    except ValueError:
        return None
    return towns_for(user).filter(pk=pk).first()


def compared(figure: Callable, queryset: QuerySet, period: Period) -> dict:
    """{"current", "previous"} of one figure (a @batchable one, or a function returning a
    Pending), unread, and the "change" between them once read (see read)."""
    build = getattr(figure, "pending", figure)
    return {"current": build(queryset, period), "previous": build(queryset, period.previous())}


def _merged(*parts: dict) -> dict:
    """Several compared figures as one: their numbers side by side."""

    def merge(**values):
        return {k: v for part in values.values() for k, v in part.items()}

    return {
        when: Pending.combine(merge, **{str(i): part[when] for i, part in enumerate(parts)})
        for when in ("current", "previous")
    }


def consultation_figures(scope: FigureScope, period: Period) -> dict:
    """The "一镇一事" figures: meetings held by kind, the sentence's totals (participations,
    实事 done, funds, beneficiaries, the year's matters) with their comparison, and the year's
    matters per step (a snapshot, not compared)."""
    meetings, matters = scope.meetings(), scope.matters()
    return {
        "meetings": compared(statistics.meetings_by_kind, meetings, period),
        "totals": _merged(
            compared(statistics.participations, meetings, period),
            compared(statistics.livelihood_projects, scope.projects(), period),
            compared(statistics.matter_totals, matters, period),
        ),
        "steps": statistics.matters_by_step.pending(matters, period),
    }


def _opinion_counts(reports: QuerySet, period: Period) -> Pending:
    def shape(by_level, submitted, instructions):
        return {
            "submitted": submitted,
            "adopted": sum(row["count"] for row in by_level),
            "instructions": instructions,
            **{f"adopted_{row['level']}": row["count"] for row in by_level},
        }

    return Pending.combine(
        shape,
        by_level=statistics.opinion_adoptions_by_level.pending(reports, period),
        submitted=statistics.opinion_reports_submitted.pending(reports, period),
        instructions=statistics.opinion_instructions.pending(reports, period),
    )


def opinion_figures(scope: FigureScope, period: Period) -> dict:
    """社情民意: reports submitted, adoptions by level and in all, leaders' instructions."""
    return compared(_opinion_counts, scope.opinion_reports(), period)


def _with_levels(figures: dict) -> dict:
    figures["by_level"] = [
        {"level": level, "label": label, "count": figures["current"][f"adopted_{level}"]}
        for level, label in AdoptionLevel.choices
    ]
    return figures


def _proposal_counts(proposals: QuerySet, period: Period) -> Pending:
    return Pending.combine(
        dict,
        filed=statistics.proposals_filed.pending(proposals, period),
        registered=statistics.proposals_registered.pending(proposals, period),
    )


def proposal_figures(scope: FigureScope, period: Period) -> dict | None:
    """提案: filed and registered (compared), units' replies on time, ratings, and the period's
    proposals by status. None when a town is chosen (FigureScope.proposals)."""
    proposals = scope.proposals()
    if proposals is None:
        return None
    return {
        **compared(_proposal_counts, proposals, period),
        "on_time": statistics.proposals_replied_on_time.pending(proposals, period),
        "ratings": statistics.proposal_ratings.pending(proposals, period),
        "by_status": statistics.proposals_by_status.pending(proposals, period),
    }


def read(tree, *extra: Pending) -> tuple:
    """`tree` (dicts and lists holding Pendings) with every Pending read, and the values of
    `extra`, all in one statement; each {"current", "previous"} pair gains its "change"."""
    found: list[Pending] = list(extra)

    def collect(node):
        if isinstance(node, Pending):
            found.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(tree)
    values = dict(zip(map(id, found), run_together(found), strict=True))

    def fill(node):
        if isinstance(node, Pending):
            return values[id(node)]
        if isinstance(node, list):
            return [fill(value) for value in node]
        if isinstance(node, dict):
            node = {key: fill(value) for key, value in node.items()}
            if "current" in node and "previous" in node and "change" not in node:
                node["change"] = statistics.change(node["current"], node["previous"])
            return node
        return node

    return (fill(tree), *(values[id(pending)] for pending in extra))


def page_figures(user, period: Period, town: Town | None = None, *extra: Pending):
    """Every figure card of the figure pages and the stats API, for the viewer's records in
    `period` (and `town`), read in one query. With `extra` Pendings (a page's own figures, the
    years covered …), returns (figures, *their values), read in the same query."""
    scope = FigureScope(user, town)
    tree = {
        "members": statistics.member_totals.pending(scope.members()),
        "studios": statistics.studio_totals.pending(scope.studios()),
        "activities": compared(statistics.activity_totals, scope.activities(), period),
        "problems": compared(statistics.problem_totals, scope.problems(), period),
        "consultations": consultation_figures(scope, period),
        "proposals": proposal_figures(scope, period),
        "opinions": opinion_figures(scope, period),
    }
    figures, *values = read(tree, *extra)
    figures["opinions"] = _with_levels(figures["opinions"])
    figures = {"period": period, "town": town, **figures}
    return (figures, *values) if extra else figures


def cached_page_figures(
    user,
    period: Period,
    town: Town | None = None,
    names: tuple[str, ...] = (),
    extra: Callable[[], dict[str, Pending]] | None = None,
) -> tuple[dict, list[int], dict]:
    """(page_figures, the years covered, {name: value} of the page's own figures `extra()`
    gives, named `names`), from the figure cache when the viewer's figures are shared
    (figure_cache.scope_key), else read as page_figures reads them, in one statement. `extra`
    is called only when the figures are read: building its querysets costs a cached visit
    more than the rest of its figures."""
    scope = figure_cache.scope_key(user, town)

    def compute():
        pendings = extra() if extra is not None else {}
        figures, years, *values = page_figures(
            user, period, town, statistics.years_covered.pending(), *pendings.values()
        )
        plain = {k: v for k, v in figures.items() if k not in ("period", "town")}
        values = dict(zip(pendings, values, strict=True))
        if set(values) != set(names):  # they key the entry: a name missing would share it
            raise ValueError(f"extra() gives {sorted(values)}, not the figures named {names}")
        return plain, years, values

    if scope is None:
        figures, years, values = compute()
    else:
        parts = [scope, period.year, period.start, period.end, town.pk if town else "-"]
        figures, years, values = figure_cache.remembered([*parts, *names], compute)
    return {"period": period, "town": town, **figures}, years, values
