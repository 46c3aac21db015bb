from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from consultations.models import ConsultationMeeting, Matter
from cppcc.navigation import todos_for
from cppcc.roles import Role
from cppcc.views import RoleRequiredMixin
from members.models import CommitteeSession, Member
from proposals.models import OpinionReport, Proposal
from studios.models import Activity, Problem, Studio

from . import charts, statistics


class ScopedFiguresMixin(RoleRequiredMixin):
    """Figures over the records the viewer may see (a town clerk's figures are their town's)."""

    def figures(self, compare: bool = False) -> dict:
        user = self.request.user
        year = statistics.current_year()
        members = Member.objects.visible_to(user)
        activities = Activity.objects.visible_to(user)
        problems = Problem.objects.visible_to(user)
        return {
            "year": year,
            "members": statistics.member_totals(members),
            "studios": statistics.studio_totals(Studio.objects.visible_to(user)),
            "activities": statistics.activity_totals(activities, year),
            "problems": statistics.problem_totals(problems, year),
            "consultations": self.consultation_figures(year, compare),
        }

    def opinion_figures(self, year: int) -> dict:
        """社情民意: the year's reports submitted, adoptions by level and leaders' instructions."""
        reports = OpinionReport.objects.visible_to(self.request.user)
        by_level = statistics.opinion_adoptions_by_level(reports, year)
        return {
            "submitted": statistics.opinion_reports_submitted(reports, year),
            "by_level": by_level,
            "adopted": sum(row["count"] for row in by_level),
            "instructions": statistics.opinion_instructions(reports, year),
        }

    def proposal_figures(self, year: int) -> dict:
        """提案: the year's proposals filed and registered, units' replies on time, ratings (four
        queries, one per figure)."""
        proposals = Proposal.objects.visible_to(self.request.user)
        return {
            "year": year,
            "filed": statistics.proposals_filed(proposals, year),
            "registered": statistics.proposals_registered(proposals, year),
            "on_time": statistics.proposals_replied_on_time(proposals, year),
            "ratings": statistics.proposal_ratings(proposals, year),
        }

    def consultation_figures(self, year: int, compare: bool) -> dict:
        """The "一镇一事" figures: the year's matters per step, held meetings by kind, and the
        year's totals (matters, funds, beneficiaries, participations); with `compare`, the
        change from last year (read in the same queries)."""
        user = self.request.user
        matters = Matter.objects.visible_to(user)
        meetings = ConsultationMeeting.objects.visible_to(user)

        years = [year - 1, year] if compare else [year]
        meetings_by_kind = statistics.meetings_by_kind_per_year(meetings, years)
        participations = statistics.participations_per_year(meetings, years)
        totals = statistics.matter_totals_per_year(matters, years)
        for y in years:
            totals[y]["participations"] = participations[y]
        figures = {
            "year": year,
            "steps": statistics.matters_by_step(matters, year),
            "meetings": meetings_by_kind[year],
            "totals": totals[year],
        }
        if compare:
            figures["previous_year"] = year - 1
            figures["meetings_change"] = statistics.change(
                meetings_by_kind[year], meetings_by_kind[year - 1]
            )
            figures["totals_change"] = statistics.change(totals[year], totals[year - 1])
        return figures


class OfficeHomeView(ScopedFiguresMixin, TemplateView):
    roles = (Role.ADMIN, Role.OFFICE)
    template_name = "reports/office_home.html"

    def get_context_data(self, **kwargs):
        todos = todos_for(self.request, self.roles)
        sessions = statistics.session_attendance(
            CommitteeSession.objects.visible_to(self.request.user), limit=5
        )
        return super().get_context_data(
            **kwargs,
            **self.figures(),
            todos=todos,
            session_attendance=sessions,
            opinions=self.opinion_figures(statistics.current_year()),
            proposals=self.proposal_figures(statistics.current_year()),
        )


class TownHomeView(ScopedFiguresMixin, TemplateView):
    roles = (Role.TOWN,)
    template_name = "reports/town_home.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(**kwargs, **self.figures())
        context["todos"] = todos_for(self.request, self.roles)
        context["town"] = user.town
        context["town_studios"] = Studio.objects.visible_to(user).select_related("town", "leader")
        context["open_problems"] = (
            Problem.objects.visible_to(user).exclude(status="solved").select_related("studio")[:10]
        )
        return context


class DashboardView(ScopedFiguresMixin, TemplateView):
    roles = (Role.LEADER, Role.ADMIN, Role.OFFICE)
    template_name = "reports/dashboard.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        context = super().get_context_data(**kwargs, **self.figures(compare=True))
        # A leader's needs-attention figures; office staff opening the dashboard see theirs.
        context["todos"] = todos_for(self.request, self.roles)
        year = context["year"]
        context["opinions"] = self.opinion_figures(year)
        context["proposals"] = self.proposal_figures(year)
        members = Member.objects.visible_to(user)
        activities = Activity.objects.visible_to(user)
        problems = Problem.objects.visible_to(user)
        options = [
            (
                "sector",
                charts.bar(
                    _("各界别委员人数"), statistics.members_by_sector(members), horizontal=True
                ),
                "chart chart-tall",
            ),
            ("party", charts.pie(_("委员政治面貌"), statistics.members_by_party(members)), "chart"),
            (
                "months",
                charts.months(
                    _("%(y)d年工作室活动（按月）") % {"y": year},
                    statistics.activities_by_month(activities, year),
                ),
                "chart",
            ),
            (
                "kinds",
                charts.bar(
                    _("%(y)d年活动类型") % {"y": year},
                    statistics.activities_by_kind(activities, year),
                ),
                "chart",
            ),
            (
                "steps",
                charts.steps(
                    _("%(y)d年“一镇一事”议题所处环节") % {"y": year},
                    context["consultations"]["steps"],
                ),
                "chart chart-wide",
            ),
            (
                "ratings",
                charts.pie(
                    _("%(y)d年提案答复满意度") % {"y": year},
                    context["proposals"]["ratings"]["rows"],
                ),
                "chart",
            ),
            (
                "problems",
                charts.stacked_towns(
                    _("各镇街民生问题办理"), statistics.problems_by_town(problems)
                ),
                "chart chart-wide",
            ),
        ]
        context["charts"] = [
            {"id": f"chart-{key}", "data_id": f"chart-{key}-data", "option": option, "css": css}
            for key, option, css in options
        ]
        return context
