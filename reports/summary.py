"""The yearly achievement summary (年度履职成绩单): who may start one, and how it is compiled.

`start()` claims one YearlySummary row per year and scope (county, a town, a studio) under the
table's unique constraint, then queues `reports.tasks.compile_yearly_summary` after commit, once
per row: a second start while a row is queued or running queues nothing, so two clerks pressing
the button together leave one row and one task. `compile()` gathers the figures of the year and
of the same span of the year before (every number from reports.statistics or
reports.achievements, over querysets scoped to the summary's town or studio), writes the
narrative and the Word, Excel and PDF files, and records its progress on the row as it goes.
Compiling again replaces the figures and files of the same row; a failure is recorded with its
reason and the next start retries it. A compile may be killed at any step (the worker's task is
then delivered again, see CELERY_BROKER_TRANSPORT_OPTIONS): until its one final save it writes
only progress and files under fixed names, so the rerun ends as an undisturbed run would.
"""

from __future__ import annotations

import datetime
import logging
import os
import time
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultations.models import ConsultationMeeting, LivelihoodProject, Matter, MeetingKind
from cppcc.roles import can_edit_county, clerk_town_id
from members.models import CommitteeSession, DutyEntry, Member
from proposals.models import OpinionReport, Proposal
from studios.models import Activity, HonoraryVillageHead, Problem, Studio, StudioKind, Town

from . import achievements, statistics
from .models import IN_PROGRESS, SummaryScope, SummaryStatus, YearlySummary
from .periods import Period

logger = logging.getLogger(__name__)

FIRST_YEAR = 2000

# The longest a queued or running summary can be waiting on its task: a run is killed at the
# task time limit, and a killed worker's task comes back within the broker's visibility timeout.
ABANDONED_AFTER = datetime.timedelta(
    seconds=settings.CELERY_TASK_TIME_LIMIT
    + settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
)


class SummaryError(Exception):
    """A start refused, with the Chinese reason shown to the person."""


# --- who may start what ---------------------------------------------------------------------


def can_start(user, scope: str, town: Town | None = None, studio: Studio | None = None) -> bool:
    """Office staff and admins start any summary; a town clerk only their own town's and its
    studios'. Leaders read summaries but do not start them."""
    if can_edit_county(user):
        return True
    town_id = clerk_town_id(user)
    if town_id is None:
        return False
    if scope == SummaryScope.TOWN:
        return town is not None and town.pk == town_id
    if scope == SummaryScope.STUDIO:
        return studio is not None and studio.town_id == town_id
    return False


def targets(
    scope: str,
    town: Town | None = None,
    studio: Studio | None = None,
    *,
    include_towns: bool = False,
    include_studios: bool = False,
) -> list[tuple[str, Town | None, Studio | None]]:
    """The (scope, town, studio) rows a start covers: the scope itself, then for the county
    every town and/or every studio, for a town its studios."""
    rows: list[tuple[str, Town | None, Studio | None]] = [(scope, town, studio)]
    if scope == SummaryScope.COUNTY and include_towns:
        rows += [(SummaryScope.TOWN, t, None) for t in Town.objects.order_by("order", "pk")]
    if include_studios and scope in (SummaryScope.COUNTY, SummaryScope.TOWN):
        studios = Studio.objects.order_by("name")
        if scope == SummaryScope.TOWN:
            studios = studios.filter(town=town)
        rows += [(SummaryScope.STUDIO, None, s) for s in studios]
    return rows


def start(
    user,
    year: int,
    scope: str,
    *,
    town: Town | None = None,
    studio: Studio | None = None,
    include_towns: bool = False,
    include_studios: bool = False,
) -> list[YearlySummary]:
    """Claims the rows of a start and queues their compilation after commit; returns the rows.
    Raises SummaryError (nothing changed) for a year outside the records or a scope the user
    may not start."""
    this_year = statistics.current_year()
    if not FIRST_YEAR <= year <= this_year:
        raise SummaryError(_("年度须在%(a)d年至%(b)d年之间。") % {"a": FIRST_YEAR, "b": this_year})
    if scope not in SummaryScope.values:
        raise SummaryError(_("请选择成绩单的范围：全区、镇街或委员工作室。"))
    if scope == SummaryScope.TOWN and town is None:
        raise SummaryError(_("请选择镇街。"))
    if scope == SummaryScope.STUDIO and studio is None:
        raise SummaryError(_("请选择委员工作室。"))
    if not can_start(user, scope, town, studio):
        raise SummaryError(_("您没有编制该范围成绩单的权限。"))
    rows = []
    with transaction.atomic():
        for row_scope, row_town, row_studio in targets(
            scope, town, studio, include_towns=include_towns, include_studios=include_studios
        ):
            rows.append(_claim(user, year, row_scope, row_town, row_studio))
    return rows


def _claim(user, year: int, scope: str, town, studio) -> YearlySummary:
    from .tasks import compile_yearly_summary

    row, created = YearlySummary.objects.get_or_create(
        year=year,
        scope_key=_key(scope, town, studio),
        defaults={"scope": scope, "town": town, "studio": studio, "requested_by": user},
    )
    if not created:
        # Conditional, so of two starts at once only one re-queues a finished row. A row left
        # queued or running for longer than any task may live had its task lost (a broker
        # restarted without its append-only file): a new start takes it over.
        claimed = (
            YearlySummary.objects.filter(pk=row.pk)
            .exclude(status__in=IN_PROGRESS, requested_at__gt=timezone.now() - ABANDONED_AFTER)
            .update(
                status=SummaryStatus.QUEUED,
                progress=0,
                stage=_("等待编制"),
                error="",
                requested_by=user,
                requested_at=timezone.now(),
            )
        )
        row.refresh_from_db()
        if not claimed:
            return row
    compile_yearly_summary.delay_on_commit(row.pk)
    return row


def _key(scope: str, town, studio) -> str:
    from .models import scope_key

    return scope_key(scope, town.pk if town else None, studio.pk if studio else None)


# --- the scope's records -------------------------------------------------------------------


@dataclass
class Scope:
    """The records a summary counts: the county's, a town's (the rule a town clerk sees by) or
    a studio's. Consultations belong to towns: a town studio's summary counts its town's, a
    sector studio's none."""

    kind: str
    town: Town | None = None
    studio: Studio | None = None

    @classmethod
    def of(cls, summary: YearlySummary) -> Scope:
        return cls(summary.scope, summary.town, summary.studio)

    @property
    def consultation_town_id(self) -> int | None:
        if self.kind == SummaryScope.TOWN:
            return self.town.pk
        if self.studio.kind == StudioKind.TOWN:
            return self.studio.town_id
        return None

    def _by(self, queryset, town_path: str, studio_path: str):
        if self.kind == SummaryScope.COUNTY:
            return queryset
        if self.kind == SummaryScope.TOWN:
            return queryset.filter(**{town_path: self.town.pk})
        return queryset.filter(**{studio_path: self.studio.pk})

    def _consultations(self, queryset, town_path: str):
        if self.kind == SummaryScope.COUNTY:
            return queryset
        town_id = self.consultation_town_id
        return queryset.filter(**{town_path: town_id}) if town_id else queryset.none()

    def meetings(self):
        return self._consultations(ConsultationMeeting.objects.all(), "town")

    def matters(self):
        return self._consultations(Matter.objects.all(), "town")

    def projects(self):
        return self._consultations(LivelihoodProject.objects.all(), "matter__town")

    def activities(self):
        return self._by(Activity.objects.all(), "studio__town", "studio")

    def problems(self):
        return self._by(Problem.objects.all(), "studio__town", "studio")

    def studios(self):
        return self._by(Studio.objects.all(), "town", "pk")

    def opinion_reports(self):
        return self._by(OpinionReport.objects.all(), "studio__town", "studio")

    def members(self):
        if self.kind == SummaryScope.COUNTY:
            return Member.objects.all()
        current = self._by(
            Member.objects.filter(studio_memberships__end_on__isnull=True),
            "studio_memberships__studio__town",
            "studio_memberships__studio",
        )
        return Member.objects.filter(pk__in=current.values("pk"))

    def proposals(self):
        """The county's proposals; a town's or studio's are those its members lead."""
        if self.kind == SummaryScope.COUNTY:
            return Proposal.objects.all()
        return Proposal.objects.filter(lead_proposer__in=self.members().values("pk"))

    def honorary_postings(self):
        if self.kind == SummaryScope.COUNTY:
            return HonoraryVillageHead.objects.all()
        if self.kind == SummaryScope.TOWN:
            return HonoraryVillageHead.objects.filter(village__town=self.town)
        return HonoraryVillageHead.objects.filter(member__in=self.members().values("pk"))

    def duty_entries(self):
        return DutyEntry.objects.filter(member__in=self.members().values("pk"))

    def member_filter(self):
        """None for the county (attendance by each session's audience), else its members."""
        return None if self.kind == SummaryScope.COUNTY else self.members()


# --- figures ------------------------------------------------------------------------------


def number(value) -> int | float:
    """A figure as JSON keeps it: whole numbers as int, amounts to two decimals."""
    if value is None:
        return 0
    if isinstance(value, Decimal | float):
        if value == int(value):
            return int(value)
        return round(float(value), 2)
    return value


def display(value, unit: str = "") -> str:
    """1200 -> "1200", 12.5 -> "12.5", with the unit after it ("万元")."""
    if value is None:
        return "—"
    text = f"{value:,.2f}".rstrip("0").rstrip(".") if isinstance(value, float) else f"{value}"
    return f"{text.replace(',', '')}{unit}"


def change_text(value, previous, *, same_span: bool) -> str:
    """ "较上年提高100%" / "较上年减少25%" / "与上年持平"; "较上年增加3" when last year had none.
    For a year still running, "上年同期"."""
    before = _("上年同期") if not same_span else _("上年")
    if value is None or previous is None:
        return ""
    if value == previous:
        return _("与%(b)s持平") % {"b": before}
    if not previous:
        return _("较%(b)s增加%(d)s") % {"b": before, "d": display(number(value - previous))}
    percent = round(abs(value - previous) * 100 / previous)
    if value > previous:
        return _("较%(b)s提高%(p)s%%") % {"b": before, "p": percent}
    return _("较%(b)s减少%(p)s%%") % {"b": before, "p": percent}


def _item(key: str, label: str, unit: str, value, previous, whole_year: bool) -> dict:
    value, previous = number(value), number(previous)
    return {
        "key": key,
        "label": str(label),
        "unit": str(unit),
        "value": value,
        "previous": previous,
        "change": change_text(value, previous, same_span=whole_year),
    }


def _pair(function, *args, period: Period, **kwargs):
    return function(*args, period, **kwargs), function(*args, period.previous(), **kwargs)


def consultation_section(scope: Scope, period: Period) -> dict:
    meetings, matters, projects = scope.meetings(), scope.matters(), scope.projects()
    kinds_now, kinds_before = _pair(statistics.meetings_by_kind, meetings, period=period)
    people_now, people_before = _pair(statistics.participations, meetings, period=period)
    projects_now, projects_before = _pair(statistics.livelihood_projects, projects, period=period)
    whole = period.is_whole_year
    items = [
        _item(f"meetings_{kind}", label, _("场次"), kinds_now[kind], kinds_before[kind], whole)
        for kind, label in MeetingKind.choices
    ]
    items += [
        _item(
            "participations",
            _("各方参与（议前、现场协商）"),
            _("人次"),
            people_now["participations"],
            people_before["participations"],
            whole,
        ),
        _item(
            "funds_wan",
            _("协调资金"),
            _("万元"),
            projects_now["funds_wan"],
            projects_before["funds_wan"],
            whole,
        ),
        _item(
            "projects_done",
            _("民生实事办成"),
            _("件"),
            projects_now["done"],
            projects_before["done"],
            whole,
        ),
        _item(
            "beneficiaries",
            _("受益群众"),
            _("人"),
            projects_now["beneficiaries"],
            projects_before["beneficiaries"],
            whole,
        ),
    ]
    steps = statistics.matters_by_step(matters, period)
    table = {
        "title": _("%(y)d年度议题所处环节") % {"y": period.year},
        "headers": [_("环节"), _("议题数")],
        "rows": [[row["name"], row["count"]] for row in steps],
    }
    return {
        "key": "consultations",
        "title": _("渝事好商量·一镇一事商量办"),
        "items": items,
        "tables": [table],
    }


def proposal_section(scope: Scope, period: Period) -> dict:
    proposals = scope.proposals()
    whole = period.is_whole_year
    before = period.previous()
    on_time = statistics.proposals_replied_on_time(proposals, period)
    on_time_before = statistics.proposals_replied_on_time(proposals, before)
    ratings = statistics.proposal_ratings(proposals, period)
    ratings_before = statistics.proposal_ratings(proposals, before)
    items = [
        _item(
            "filed",
            _("提交提案"),
            _("件"),
            statistics.proposals_filed(proposals, period),
            statistics.proposals_filed(proposals, before),
            whole,
        ),
        _item(
            "registered",
            _("立案"),
            _("件"),
            statistics.proposals_registered(proposals, period),
            statistics.proposals_registered(proposals, before),
            whole,
        ),
        _item(
            "replied",
            _("承办答复"),
            _("件次"),
            on_time["replied"],
            on_time_before["replied"],
            whole,
        ),
        _item(
            "on_time",
            _("按时答复"),
            _("件次"),
            on_time["on_time"],
            on_time_before["on_time"],
            whole,
        ),
        _item(
            "rated", _("提案人评价"), _("件次"), ratings["total"], ratings_before["total"], whole
        ),
        _item(
            "satisfaction",
            _("满意和基本满意率"),
            "%",
            ratings["rate"],
            ratings_before["rate"],
            whole,
        ),
    ]
    table = {
        "title": _("提案人对答复的评价"),
        "headers": [_("评价"), _("本期"), _("上年同期") if not whole else _("上年")],
        "rows": [
            [row["name"], row["count"], previous["count"]]
            for row, previous in zip(ratings["rows"], ratings_before["rows"], strict=True)
        ],
    }
    return {"key": "proposals", "title": _("提案工作"), "items": items, "tables": [table]}


def opinion_section(scope: Scope, period: Period) -> dict:
    reports = scope.opinion_reports()
    whole = period.is_whole_year
    levels_now, levels_before = _pair(statistics.opinion_adoptions_by_level, reports, period=period)
    items = [
        _item(
            "submitted",
            _("报送社情民意信息"),
            _("篇"),
            statistics.opinion_reports_submitted(reports, period),
            statistics.opinion_reports_submitted(reports, period.previous()),
            whole,
        )
    ]
    for now, before in zip(levels_now, levels_before, strict=True):
        items.append(
            _item(
                f"adopted_{now['level']}",
                _("被%(level)s采用") % {"level": now["label"]},
                _("篇次"),
                now["count"],
                before["count"],
                whole,
            )
        )
    items.append(
        _item(
            "instructions",
            _("获领导批示"),
            _("件次"),
            statistics.opinion_instructions(reports, period),
            statistics.opinion_instructions(reports, period.previous()),
            whole,
        )
    )
    return {"key": "opinions", "title": _("社情民意信息"), "items": items, "tables": []}


def studio_section(scope: Scope, period: Period) -> dict:
    activities, problems = scope.activities(), scope.problems()
    whole = period.is_whole_year
    totals_now, totals_before = _pair(statistics.activity_totals, activities, period=period)
    live_now, live_before = _pair(achievements.livestreams, activities, period=period)
    problems_now, problems_before = _pair(statistics.problem_totals, problems, period=period)
    items = [
        _item(
            "activities",
            _("开展工作室活动"),
            _("场次"),
            totals_now["count"],
            totals_before["count"],
            whole,
        ),
        _item(
            "residents",
            _("服务群众"),
            _("人次"),
            totals_now["residents"],
            totals_before["residents"],
            whole,
        ),
        _item(
            "livestreams", _("直播带货"), _("场"), live_now["count"], live_before["count"], whole
        ),
        _item(
            "sales_wan",
            _("直播销售额"),
            _("万元"),
            live_now["sales_wan"],
            live_before["sales_wan"],
            whole,
        ),
        _item(
            "problems_solved",
            _("解决民生问题"),
            _("件"),
            problems_now["solved"],
            problems_before["solved"],
            whole,
        ),
    ]
    kinds_now, kinds_before = _pair(statistics.activities_by_kind, activities, period=period)
    before_by_kind = {row["kind"]: row["count"] for row in kinds_before}
    names = {row["kind"]: row["name"] for row in [*kinds_before, *kinds_now]}
    now_by_kind = {row["kind"]: row["count"] for row in kinds_now}
    kinds = [row["kind"] for row in kinds_now] + [k for k in before_by_kind if k not in now_by_kind]
    table = {
        "title": _("工作室活动分类"),
        "headers": [_("活动类型"), _("本期场次"), _("上年同期") if not whole else _("上年")],
        "rows": [[names[k], now_by_kind.get(k, 0), before_by_kind.get(k, 0)] for k in kinds],
    }
    return {"key": "studios", "title": _("委员工作室"), "items": items, "tables": [table]}


HEAD_FIGURES = (
    ("postings", gettext_lazy("在任名誉村主任"), gettext_lazy("人次")),
    ("acres", gettext_lazy("发展产业"), gettext_lazy("亩")),
    ("enterprises", gettext_lazy("培育企业"), gettext_lazy("家")),
    ("funds_wan", gettext_lazy("争取资金"), gettext_lazy("万元")),
    ("livestreams", gettext_lazy("开展直播"), gettext_lazy("场")),
    ("income_wan", gettext_lazy("带动增收"), gettext_lazy("万元")),
)


def village_section(scope: Scope, period: Period) -> dict:
    now, before = _pair(
        achievements.honorary_head_outcomes, scope.honorary_postings(), period=period
    )
    items = [
        _item(key, label, unit, now[key], before[key], period.is_whole_year)
        for key, label, unit in HEAD_FIGURES
    ]
    return {"key": "village", "title": _("名誉村主任"), "items": items, "tables": []}


def member_section(scope: Scope, period: Period) -> dict:
    members, entries = scope.members(), scope.duty_entries()
    whole = period.is_whole_year
    active_now, active_before = _pair(achievements.members_active, members, entries, period=period)
    sessions = CommitteeSession.objects.all()
    rate_now = achievements.session_attendance_rate(sessions, period, scope.member_filter())
    rate_before = achievements.session_attendance_rate(
        sessions, period.previous(), scope.member_filter()
    )
    items = [
        _item(
            "members", _("在册委员"), _("人"), active_now["total"], active_before["total"], whole
        ),
        _item(
            "active",
            _("参与履职委员"),
            _("人"),
            active_now["active"],
            active_before["active"],
            whole,
        ),
        _item(
            "sessions",
            _("全体会议和常委会议"),
            _("次"),
            rate_now["sessions"],
            rate_before["sessions"],
            whole,
        ),
        _item("attendance_rate", _("出席率"), "%", rate_now["rate"], rate_before["rate"], whole),
    ]
    return {"key": "members", "title": _("委员履职"), "items": items, "tables": []}


def breakdown_section(scope: Scope, period: Period) -> dict:
    tables = []
    if scope.kind == SummaryScope.COUNTY:
        towns = achievements.figures_by_town(
            Town.objects.all(),
            period,
            meetings=scope.meetings(),
            projects=scope.projects(),
            activities=scope.activities(),
            problems=scope.problems(),
        )
        tables.append(
            {
                "title": _("分镇街统计"),
                "headers": [
                    _("镇街"),
                    _("协商会议"),
                    _("民生实事办成"),
                    _("协调资金（万元）"),
                    _("工作室活动"),
                    _("解决民生问题"),
                ],
                "rows": [
                    [
                        r["name"],
                        r["meetings"],
                        r["projects_done"],
                        number(r["funds_wan"]),
                        r["activities"],
                        r["problems_solved"],
                    ]
                    for r in towns
                ],
            }
        )
    if scope.kind != SummaryScope.STUDIO:
        studios = achievements.figures_by_studio(
            scope.studios(), scope.activities(), scope.problems(), period
        )
        tables.append(
            {
                "title": _("分工作室统计"),
                "headers": [
                    _("工作室"),
                    _("活动场次"),
                    _("服务群众"),
                    _("直播销售额（万元）"),
                    _("解决民生问题"),
                ],
                "rows": [
                    [
                        r["name"],
                        r["activities"],
                        r["residents"],
                        number(r["sales_wan"]),
                        r["problems_solved"],
                    ]
                    for r in studios
                ],
            }
        )
    sectors = achievements.figures_by_sector(scope.members(), scope.duty_entries(), period)
    tables.append(
        {
            "title": _("分界别统计"),
            "headers": [_("界别"), _("在册委员"), _("参与履职委员"), _("履职积分")],
            "rows": [[r["name"], r["members"], r["active"], number(r["points"])] for r in sectors],
        }
    )
    return {"key": "breakdown", "title": _("分类统计"), "items": [], "tables": tables}


# (stage shown while it runs, section builder)
SECTIONS = (
    (gettext_lazy("统计协商议事"), consultation_section),
    (gettext_lazy("统计提案工作"), proposal_section),
    (gettext_lazy("统计社情民意"), opinion_section),
    (gettext_lazy("统计工作室活动"), studio_section),
    (gettext_lazy("统计名誉村主任成效"), village_section),
    (gettext_lazy("统计委员履职"), member_section),
    (gettext_lazy("分类汇总"), breakdown_section),
)


def gather(scope: Scope, period: Period, on_progress=None) -> dict:
    """Every figure of the summary as JSON-ready data: {"year", "period", "sections": [...]},
    each section {"key", "title", "items": [{"key", "label", "unit", "value", "previous",
    "change"}], "tables": [{"title", "headers", "rows"}]}."""
    sections = []
    for index, (stage, build) in enumerate(SECTIONS):
        if on_progress:
            on_progress(5 + index * 60 // len(SECTIONS), str(stage))
        section = build(scope, period)
        section["title"] = str(section["title"])
        for table in section["tables"]:
            table["title"] = str(table["title"])
            table["headers"] = [str(h) for h in table["headers"]]
            table["rows"] = [
                [number(v) if not isinstance(v, str) else v for v in row] for row in table["rows"]
            ]
        sections.append(section)
    return {
        "year": period.year,
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "label": str(period.label),
            "comparison_label": str(period.comparison_label),
            "previous_label": str(period.previous().label) if period.is_whole_year else "",
        },
        "sections": sections,
    }


# --- narrative ------------------------------------------------------------------------------


def _v(section: dict, key: str) -> tuple[str, str]:
    for item in section["items"]:
        if item["key"] == key:
            return display(item["value"], item["unit"]), item["change"]
    return "", ""


# The narrative's paragraphs: heading, section, then (figure key, the words before it).
NARRATIVE = (
    (
        gettext_lazy("渝事好商量·一镇一事商量办："),
        "consultations",
        (
            ("meetings_pre_meeting", gettext_lazy("开展议前协商")),
            ("meetings_on_site", gettext_lazy("现场协商")),
            ("participations", gettext_lazy("各方参与")),
            ("funds_wan", gettext_lazy("协调资金")),
            ("projects_done", gettext_lazy("办成民生实事")),
            ("beneficiaries", gettext_lazy("受益群众")),
        ),
    ),
    (
        gettext_lazy("提案工作："),
        "proposals",
        (
            ("filed", gettext_lazy("提交提案")),
            ("registered", gettext_lazy("立案")),
            ("on_time", gettext_lazy("承办单位按时答复")),
            ("satisfaction", gettext_lazy("提案人满意和基本满意率")),
        ),
    ),
    (
        gettext_lazy("社情民意信息："),
        "opinions",
        (
            ("submitted", gettext_lazy("报送社情民意信息")),
            ("instructions", gettext_lazy("获领导批示")),
        ),
    ),
    (
        gettext_lazy("委员工作室："),
        "studios",
        (
            ("activities", gettext_lazy("开展活动")),
            ("residents", gettext_lazy("服务群众")),
            ("livestreams", gettext_lazy("开展直播带货")),
            ("sales_wan", gettext_lazy("实现销售额")),
            ("problems_solved", gettext_lazy("解决民生问题")),
        ),
    ),
    (
        gettext_lazy("名誉村主任："),
        "village",
        (
            ("postings", gettext_lazy("委员担任名誉村主任")),
            ("acres", gettext_lazy("发展产业")),
            ("enterprises", gettext_lazy("培育企业")),
            ("funds_wan", gettext_lazy("争取资金")),
            ("livestreams", gettext_lazy("开展直播")),
            ("income_wan", gettext_lazy("带动群众增收")),
        ),
    ),
    (
        gettext_lazy("委员履职："),
        "members",
        (
            ("members", gettext_lazy("在册委员")),
            ("active", gettext_lazy("参与履职的委员")),
            ("sessions", gettext_lazy("召开全体会议和常委会议")),
            ("attendance_rate", gettext_lazy("委员出席率")),
        ),
    ),
)


def narrative(figures: dict, scope_name: str) -> str:
    """A paragraph per area in the style of the county's year-end reviews ("全年开展议前协商79场次、
    现场协商31场次，各方参与3000余人次…"), each figure followed by its change from the year before,
    opening with the span compared."""
    sections = {s["key"]: s for s in figures["sections"]}
    period = figures["period"]
    lines = [
        _("%(scope)s%(label)s履职工作综述（%(cmp)s）。")
        % {"scope": scope_name, "label": period["label"], "cmp": period["comparison_label"]}
    ]

    def part(section_key: str, key: str, verb: str) -> str:
        value, change = _v(sections[section_key], key)
        return f"{verb}{value}（{change}）" if change else f"{verb}{value}"

    for heading, section_key, parts in NARRATIVE:
        texts = [part(section_key, key, verb) for key, verb in parts]
        if section_key == "opinions":
            # The adoptions are listed by level after the reports submitted, only those with any.
            adopted = [
                f"{i['label']}{display(i['value'], i['unit'])}"
                for i in sections[section_key]["items"]
                if i["key"].startswith("adopted_") and i["value"]
            ]
            texts[1:1] = ["、".join(adopted)] if adopted else []
        lines.append(str(heading) + "，".join(texts) + "。")
    return "\n".join(lines)


# --- compiling --------------------------------------------------------------------------------


def _progress(summary: YearlySummary, percent: int, stage: str) -> None:
    # An update, not save(): the page polling the row sees each step at once.
    YearlySummary.objects.filter(pk=summary.pk).update(progress=percent, stage=stage)
    # Lets tests/cppcc/test_task_reliability.py kill a worker mid-compile at a known step; unset
    # (as everywhere but that test's worker) it costs nothing.
    pause = float(os.environ.get("CPPCC_SUMMARY_STAGE_PAUSE") or 0)
    if pause > 0:
        time.sleep(pause)


def compile(summary: YearlySummary) -> YearlySummary:  # noqa: A001 - the brief's name
    """Compiles `summary` in place: figures, narrative and files, then status done. A failure
    is recorded (status failed, with the reason) rather than raised, so the row says what went
    wrong and a later start retries it."""
    from . import summary_documents

    period = Period.for_year(summary.year)
    YearlySummary.objects.filter(pk=summary.pk).update(
        status=SummaryStatus.RUNNING,
        progress=1,
        stage=_("开始编制"),
        started_at=timezone.now(),
        finished_at=None,
        error="",
    )
    try:
        figures = gather(Scope.of(summary), period, lambda p, s: _progress(summary, p, s))
        _progress(summary, 70, _("撰写综述"))
        summary.figures = figures
        summary.narrative = narrative(figures, summary.scope_name)
        summary.period_end = period.end
        for percent, stage, field, build in (
            (75, _("生成Word文档"), "docx", summary_documents.summary_docx),
            (85, _("生成Excel工作簿"), "xlsx", summary_documents.summary_xlsx),
            (90, _("生成PDF文档"), "pdf", summary_documents.summary_pdf),
        ):
            _progress(summary, percent, stage)
            _replace_file(summary, field, build(summary))
    except Exception as exc:  # recorded on the row; the next start retries
        logger.exception("yearly summary %s failed", summary.pk)
        YearlySummary.objects.filter(pk=summary.pk).update(
            status=SummaryStatus.FAILED,
            stage=_("编制失败"),
            error=f"{type(exc).__name__}: {exc}"[:2000],
            finished_at=timezone.now(),
        )
        summary.refresh_from_db()
        return summary
    summary.status = SummaryStatus.DONE
    summary.progress = 100
    summary.stage = _("编制完成")
    summary.finished_at = timezone.now()
    summary.error = ""
    summary.save(
        update_fields=[
            "figures",
            "narrative",
            "period_end",
            "docx",
            "xlsx",
            "pdf",
            "status",
            "progress",
            "stage",
            "finished_at",
            "error",
        ]
    )
    return summary


def file_stem(summary: YearlySummary) -> str:
    """The Chinese name a download is saved under: 2025年度履职成绩单-古南街道."""
    return _("%(y)d年度履职成绩单-%(s)s") % {"y": summary.year, "s": summary.scope_name}


def _replace_file(summary: YearlySummary, field: str, data: bytes) -> None:
    """One file per row and kind, always under the same name: whatever is there is deleted
    first, so the storage does not add a suffix. That includes a file the row does not name
    yet, written by a compile whose worker was killed before it saved the row."""
    fieldfile = getattr(summary, field)
    name = f"{summary.scope_key.replace(':', '-')}.{field}"
    target = fieldfile.field.generate_filename(summary, name)
    for stale in {fieldfile.name, target}:
        if stale and fieldfile.storage.exists(stale):
            fieldfile.storage.delete(stale)
    fieldfile.save(name, ContentFile(data), save=False)
