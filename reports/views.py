from django.utils.html import json_script
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from consultations.models import COMPLETED_STATE, STEPS, MeetingKind, Step, state_label
from cppcc.navigation import Pending, todos_for
from cppcc.roles import Role
from cppcc.views import RoleRequiredMixin
from members.duty import ledger_version
from members.models import CommitteeSession
from studios.models import Problem, Studio

from . import charts, figure_cache, statistics
from .figures import FigureScope, cached_page_figures, parse_town, parse_year, towns_for
from .links import FigureLinks
from .periods import Period

try:  # helper B2's duty ledger figures; the dashboard works without them
    from .duty import points_distribution
except ImportError:  # pragma: no cover
    points_distribution = None


class ScopedFiguresMixin(RoleRequiredMixin):
    """Figures over the records the viewer may see (a town clerk's figures are their town's),
    for `?year=` (default this year; one the records do not cover, or garbage, gives this
    year) and, where the page offers it, `?town=` among the towns the viewer may see."""

    choose_town = False
    # The names of the figures extra_figures gives (they key them in the figure cache).
    extra_names: tuple[str, ...] = ()

    def selection(self) -> tuple[Period, object]:
        year = parse_year(self.request.GET.get("year")) or statistics.current_year()
        raw_town = self.request.GET.get("town") if self.choose_town else None
        return Period.for_year(year), parse_town(self.request.user, raw_town)

    def extra_figures(self, scope: FigureScope, period: Period) -> dict[str, Pending]:
        """A page's own figures, read with the others and put in the context by name."""
        return {}

    def figures(self) -> dict:
        """The page's figures, the years covered and the page's extra_figures: from the figure
        cache, or in one query."""
        period, town = self.selection()
        user = self.request.user
        figures, years, values = cached_page_figures(
            user,
            period,
            town,
            self.extra_names,
            lambda: self.extra_figures(FigureScope(user, town), period),
        )
        links = FigureLinks(period, town)
        for row in figures["opinions"]["by_level"]:
            row["url"] = links.opinions(row["level"])
        return {
            **figures,
            "year": period.year,
            "links": links,
            "years": years,
            **values,
            "towns": towns_for(self.request.user) if self.choose_town else [],
            "meeting_links": {
                "all": links.meetings(),
                **{kind: links.meetings(kind) for kind in MeetingKind.values},
            },
            "steps_linked": [
                {**row, "url": links.matters(row["step"])}
                for row in figures["consultations"]["steps"]
            ],
        }


class OfficeHomeView(ScopedFiguresMixin, TemplateView):
    roles = (Role.ADMIN, Role.OFFICE)
    template_name = "reports/office_home.html"
    choose_town = True

    def get_context_data(self, **kwargs):
        user = self.request.user

        def sessions():
            return statistics.session_attendance(CommitteeSession.objects.visible_to(user), limit=5)

        # Sessions are the county's (visible_to): one entry for every county role.
        scope = figure_cache.scope_key(user, None)
        return super().get_context_data(
            **kwargs,
            **self.figures(),
            todos=todos_for(self.request, self.roles),
            session_attendance=(
                sessions()
                if scope is None
                else figure_cache.remembered([scope, "sessions"], sessions)
            ),
        )


class TownHomeView(ScopedFiguresMixin, TemplateView):
    roles = (Role.TOWN,)
    template_name = "reports/town_home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(**kwargs, **self.figures())
        context["todos"] = todos_for(self.request, self.roles)
        context["town"] = context["town"] or user.town  # parse_town read it already
        context["town_studios"] = Studio.objects.visible_to(user).select_related("town", "leader")
        context["open_problems"] = (
            Problem.objects.visible_to(user).exclude(status="solved").select_related("studio")[:10]
        )
        return context


class DashboardView(ScopedFiguresMixin, TemplateView):
    roles = (Role.LEADER, Role.ADMIN, Role.OFFICE)
    template_name = "reports/dashboard.html"
    choose_town = True
    extra_names = ("activities_by_month", "activities_by_kind")

    def extra_figures(self, scope: FigureScope, period: Period) -> dict[str, Pending]:
        activities = scope.activities()
        return {
            "activities_by_month": statistics.activities_by_month.pending(activities, period),
            "activities_by_kind": statistics.activities_by_kind.pending(activities, period),
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs, **self.figures())
        # A leader's needs-attention figures; office staff opening the dashboard see theirs.
        context["todos"] = todos_for(self.request, self.roles)
        context["charts"] = self.charts(context)
        return context

    def charts(self, context: dict) -> list[dict]:
        """The charts, from the figure cache while neither the records nor the duty ledger (the
        points chart) changed."""
        user, town, period = self.request.user, context["town"], context["period"]

        def build():
            # The option's <script> is kept written out: escaping the towns × steps chart's JSON
            # costs more than the rest of a cached visit.
            return [
                {
                    "id": f"chart-{key}",
                    "data_id": f"chart-{key}-data",
                    "option": option,
                    "script": json_script(option, f"chart-{key}-data"),
                    "css": css,
                }
                for key, option, css in dashboard_charts(context, FigureScope(user, town))
            ]

        scope = figure_cache.scope_key(user, town)
        ledger = ledger_version()
        if scope is None or ledger is None:
            return build()
        parts = [scope, "charts", period.start, period.end, town.pk if town else "-", ledger]
        return figure_cache.remembered(parts, build)


def dashboard_charts(context: dict, scope: FigureScope) -> list[tuple[str, dict, str]]:
    """(key, ECharts option, css) of each dashboard chart, every element linked to its list."""
    period, links, y = context["period"], context["links"], context["year"]
    result = [
        (
            "sector",
            charts.bar(
                _("各界别委员人数"), statistics.members_by_sector(scope.members()), horizontal=True
            ),
            "chart chart-tall",
        ),
        (
            "party",
            charts.pie(_("委员政治面貌"), statistics.members_by_party(scope.members())),
            "chart",
        ),
        (
            "months",
            charts.months(
                _("%(y)d年工作室活动（按月）") % {"y": y},
                context["activities_by_month"],
                [links.activities(month=m) if m <= period.end.month else "" for m in range(1, 13)]
                if period.end >= period.start
                else None,
            ),
            "chart",
        ),
        (
            "kinds",
            charts.bar(
                _("%(y)d年活动类型") % {"y": y},
                [
                    {**row, "url": links.activities(kind=row["kind"])}
                    for row in context["activities_by_kind"]
                ],
            ),
            "chart",
        ),
        (
            "steps",
            charts.steps(_("%(y)d年“一镇一事”议题所处环节") % {"y": y}, context["steps_linked"]),
            "chart chart-wide",
        ),
        ("pipeline", _pipeline_chart(scope, period, links), "chart chart-wide chart-tall"),
    ]
    proposals = context["proposals"]
    if proposals is not None:
        result += [
            (
                "proposal-status",
                charts.bar(
                    _("%(y)d年提案办理状态") % {"y": y},
                    [
                        {**row, "url": links.proposals(status=row["status"])}
                        for row in proposals["by_status"]
                    ],
                ),
                "chart",
            ),
            (
                "ratings",
                charts.pie(
                    _("%(y)d年提案答复满意度") % {"y": y},
                    [
                        {**row, "url": links.proposals(rating=row["rating"])}
                        for row in proposals["ratings"]["rows"]
                    ],
                ),
                "chart",
            ),
        ]
    result.append(
        (
            "opinions",
            charts.bar(
                _("%(y)d年社情民意信息采用（按层级）") % {"y": y},
                [
                    {
                        "name": row["label"],
                        "count": row["count"],
                        "url": links.opinions(row["level"]),
                    }
                    for row in context["opinions"]["by_level"]
                ],
            ),
            "chart",
        )
    )
    if points_distribution is not None:
        ranking = links.ranking()
        result.append(
            (
                "points",
                charts.bar(
                    _("%(y)d年委员履职积分分布") % {"y": y},
                    [
                        {**row, "url": ranking}
                        for row in points_distribution(scope.members(), period.year)
                    ],
                ),
                "chart",
            )
        )
    result.append(
        (
            "problems",
            charts.stacked_towns(
                _("各镇街民生问题办理"),
                [
                    {
                        **row,
                        "solved_url": links.problems("solved", row.get("town_id")),
                        "open_url": links.problems("unsolved", row.get("town_id")),
                    }
                    for row in statistics.problems_by_town(scope.problems())
                ],
            ),
            "chart chart-wide",
        )
    )
    return result


def _pipeline_chart(scope: FigureScope, period: Period, links: FigureLinks) -> dict:
    towns = statistics.matters_by_town_and_step(scope.matters(), period)
    for town in towns:
        town["urls"] = {
            step: links.matters(step, town["town_id"]) for step in [*STEPS, COMPLETED_STATE]
        }
    steps = [(s, str(Step(s).label)) for s in STEPS] + [
        (COMPLETED_STATE, state_label(COMPLETED_STATE))
    ]
    return charts.pipeline(
        _("%(y)d年各镇街“一镇一事”议题所处环节") % {"y": period.year}, towns, steps
    )
