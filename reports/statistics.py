"""Every figure the product shows, defined once. Dashboards, the yearly summary and exports call
these functions with a queryset already scoped to the viewer, so a number never disagrees with
itself and nobody sees a figure built from records they may not see."""

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import (
    COMPLETED_STATE,
    STEPS,
    MatterStatus,
    MeetingAttendance,
    MeetingKind,
    Step,
    state_label,
)
from members.models import MemberStatus, PartyAffiliation
from members.selectors import with_attendance_counts
from members.services import counts_by_party, counts_by_sector
from studios.models import ActivityKind, Attendance, ProblemStatus


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


# --- "渝事好商量·一镇一事商量办" consultations ------------------------------------------------
# Seed 002's yearly sentence: 开展议前协商79场次、现场协商31场次，各方参与3000余人次，协调资金
# 1200余万元，38件民生实事得到推进解决，3万余名群众受益. Meetings count by the day they were held
# (a planned meeting is not a consultation yet); matters by their year, so a matter of last year
# finished in January still counts for last year.


def held_meetings(meetings: QuerySet, years: Iterable[int]) -> QuerySet:
    """The meetings of those years held by today."""
    years = sorted(years)
    last = min(timezone.localdate(), datetime.date(years[-1], 12, 31))
    return meetings.filter(date__gte=datetime.date(years[0], 1, 1), date__lte=last)


# Each figure below is counted for the given years in one query (the dashboard's year-over-year
# change reads this year and last at once; a single year is a list of one).


def meetings_by_kind_per_year(meetings: QuerySet, years: Iterable[int]) -> dict[int, dict]:
    """Held meetings of each year per kind, every kind present (0 when none held)."""
    result = {y: dict.fromkeys(MeetingKind.values, 0) for y in years}
    rows = (
        held_meetings(meetings, years)
        .values_list(ExtractYear("date"), "kind")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for year, kind, n in rows:
        if year in result:
            result[year][kind] = n
    return result


def participations_per_year(meetings: QuerySet, years: Iterable[int]) -> dict[int, int]:
    """People-times at each year's held meetings (各方参与人次): members present, officials and
    residents."""
    present = (
        MeetingAttendance.objects.filter(meeting=OuterRef("pk"), status=Attendance.PRESENT)
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    result = dict.fromkeys(years, 0)
    rows = (
        held_meetings(meetings, years)
        .values_list(ExtractYear("date"))
        .annotate(
            present=Sum(Subquery(present), default=0),
            officials=Sum("officials_count", default=0),
            residents=Sum("residents_count", default=0),
        )
        .order_by()
    )
    for year, present_n, officials, residents in rows:
        if year in result:
            result[year] = present_n + officials + residents
    return result


def matter_totals_per_year(matters: QuerySet, years: Iterable[int]) -> dict[int, dict]:
    """Each year's matters: how many, the annual "一镇一事" topics and how many of them are
    finished, and over all finished matters: how many, how many solved, the funds coordinated
    (万元) and the residents benefiting."""
    done = Q(status=MatterStatus.COMPLETED)
    zero = {
        "total": 0,
        "annual": 0,
        "annual_completed": 0,
        "completed": 0,
        "solved": 0,
        "funds_wan": Decimal(0),
        "beneficiaries": 0,
    }
    result = {y: dict(zero) for y in years}
    rows = (
        matters.filter(year__in=list(result))
        .values("year")
        .annotate(
            total=Count("pk"),
            annual=Count("pk", filter=Q(is_annual_topic=True)),
            annual_completed=Count("pk", filter=Q(is_annual_topic=True) & done),
            completed=Count("pk", filter=done),
            solved=Count("pk", filter=done & Q(solved=True)),
            funds_wan=Sum("funds_wan", filter=done, default=Decimal(0)),
            beneficiaries=Sum("beneficiaries", filter=done, default=0),
        )
        .order_by()
    )
    for row in rows:
        result[row.pop("year")] = row
    return result


def matters_by_step(matters: QuerySet, year: int) -> list[dict]:
    """The year's board in numbers: [{"step", "name", "count"}] for the seven steps in order,
    then the finished matters (step "completed")."""
    rows = list(
        matters.filter(year=year)
        .values_list("step")
        .annotate(
            active=Count("pk", filter=Q(status=MatterStatus.ACTIVE)),
            done=Count("pk", filter=Q(status=MatterStatus.COMPLETED)),
        )
        .order_by()
    )
    active = {step: n for step, n, _done in rows}
    result = [{"step": s, "name": str(Step(s).label), "count": active.get(s, 0)} for s in STEPS]
    result.append(
        {
            "step": COMPLETED_STATE,
            "name": state_label(COMPLETED_STATE),
            "count": sum(done for _step, _n, done in rows),
        }
    )
    return result


def change(current: dict, previous: dict) -> dict:
    """Year-over-year change of each number in `current`: {key: {"delta", "direction"}}, the
    delta without its sign and the direction "up", "down" or "same"."""
    result = {}
    for key, value in current.items():
        before = previous.get(key)
        if not isinstance(value, int | Decimal) or not isinstance(before, int | Decimal):
            continue
        delta = value - before
        result[key] = {
            "delta": abs(delta),
            "direction": "up" if delta > 0 else "down" if delta < 0 else "same",
        }
    return result


def current_year() -> int:
    return timezone.localdate().year


# --- sessions (会议) --------------------------------------------------------------------------


def session_attendance(sessions: QuerySet, limit: int | None = None) -> list[dict]:
    """Attendance of held sessions, newest first: [{"session", "expected", "present", "leave",
    "absent", "rate"}], rate = present / expected in per cent (None when nobody is expected or
    nothing is recorded yet).
    One query (members.selectors.with_attendance_counts, which the session list also uses)."""
    held = with_attendance_counts(
        sessions.filter(starts_on__lte=timezone.localdate()).select_related("term")
    ).order_by("-starts_on", "kind", "-ordinal")
    if limit is not None:
        held = held[:limit]
    return [
        {
            "session": s,
            "expected": s.expected_count,
            "present": s.present_count,
            "leave": s.leave_count,
            "absent": s.absent_count,
            # No rate until the attendance is entered: 0% would read as everyone absent.
            "rate": round(s.present_count * 100 / s.expected_count, 1)
            if s.expected_count and (s.present_count + s.leave_count + s.absent_count)
            else None,
        }
        for s in held
    ]


# --- public-opinion information (社情民意) ------------------------------------------------------

from proposals.models import AdoptionLevel, LeaderInstruction, OpinionAdoption  # noqa: E402


def opinion_reports_submitted(reports: QuerySet, year: int) -> int:
    """Reports submitted in the year (by their submitted_on, which may be recorded later)."""
    return reports.filter(submitted_on__year=year).count()


def opinion_adoptions_by_level(reports: QuerySet, year: int) -> list[dict]:
    """Adoptions recorded in the year per level, every level listed (one query):
    [{"level": "district", "label": "区", "count": n}, …], lowest level first."""
    counts = dict(
        OpinionAdoption.objects.filter(report__in=reports, adopted_on__year=year)
        .values_list("level")
        .annotate(n=Count("pk"))
    )
    return [
        {"level": value, "label": label, "count": counts.get(value, 0)}
        for value, label in AdoptionLevel.choices
    ]


def opinion_instructions(reports: QuerySet, year: int) -> int:
    """Leaders' instructions (批示) given in the year on the reports."""
    return LeaderInstruction.objects.filter(report__in=reports, instructed_on__year=year).count()


# --- proposals (提案) ------------------------------------------------------------------------

from django.db.models import F  # noqa: E402
from django.db.models.functions import TruncDate  # noqa: E402

from proposals.models import (  # noqa: E402
    REGISTERED_OR_LATER,
    ProposalRating,
    ProposalReply,
    ProposalStatus,
    ProposalUnit,
    Rating,
)


def _proposals_of(proposals: QuerySet, year: int | None, session=None) -> QuerySet:
    """The proposals of a year (Proposal.year: the session's year, or the year filed between
    sessions) and/or of one session."""
    if year is not None:
        proposals = proposals.filter(year=year)
    if session is not None:
        proposals = proposals.filter(session=session)
    return proposals


def proposals_filed(proposals: QuerySet, year: int | None = None, session=None) -> int:
    """Proposals filed (提交): every one past its draft, whatever became of it."""
    return _proposals_of(proposals, year, session).exclude(status=ProposalStatus.DRAFT).count()


def proposals_registered(proposals: QuerySet, year: int | None = None, session=None) -> int:
    """Proposals registered (立案), including those assigned, replied and closed since."""
    return _proposals_of(proposals, year, session).filter(status__in=REGISTERED_OR_LATER).count()


def proposals_replied_on_time(proposals: QuerySet, year: int | None = None, session=None) -> dict:
    """Units' parts answered, and answered on time: {"replied", "on_time", "rate"}. A unit's part
    counts once it has a released reply; it is on time when its latest released reply was
    released on or before its due date (after 不满意 the due date is the re-handling one).
    Given-back parts are not counted. Rate in per cent, None when nothing is replied. One query."""
    last_release = Subquery(
        ProposalReply.objects.filter(assignment=OuterRef("pk"), released_at__isnull=False)
        .order_by("-released_at")
        .values("released_at")[:1]
    )
    row = (
        ProposalUnit.objects.active()
        .filter(proposal__in=_proposals_of(proposals, year, session))
        .annotate(released_on=TruncDate(last_release))
        .aggregate(
            replied=Count("pk", filter=Q(released_on__isnull=False)),
            on_time=Count("pk", filter=Q(released_on__lte=F("due_on"))),
        )
    )
    replied, on_time = row["replied"], row["on_time"]
    return {
        "replied": replied,
        "on_time": on_time,
        "rate": round(on_time * 100 / replied, 1) if replied else None,
    }


def proposal_ratings(proposals: QuerySet, year: int | None = None, session=None) -> dict:
    """The proposers' ratings of the units' replies: {"satisfied", "basically", "unsatisfied",
    "total", "rate", "rows"}; every rating given counts (a 不满意 stays counted after the unit
    handled it again and was rated anew). rate = (满意 + 基本满意) / all, in per cent (None
    without ratings); rows are [{"rating", "name", "count"}] for a chart. One query."""
    counts = dict(
        ProposalRating.objects.filter(
            assignment__proposal__in=_proposals_of(proposals, year, session)
        )
        .values_list("rating")
        .annotate(n=Count("pk"))
        .order_by()
    )
    result = {value: counts.get(value, 0) for value in Rating.values}
    total = sum(result.values())
    good = result[Rating.SATISFIED] + result[Rating.BASICALLY]
    result["total"] = total
    result["rate"] = round(good * 100 / total, 1) if total else None
    result["rows"] = [
        {"rating": value, "name": str(label), "count": counts.get(value, 0)}
        for value, label in Rating.choices
    ]
    return result
