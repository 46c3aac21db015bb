"""Every figure the product shows, defined once. Dashboards, the yearly summary and exports call
these functions with a queryset already scoped to the viewer, so a number never disagrees with
itself and nobody sees a figure built from records they may not see."""

from decimal import Decimal

from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce, ExtractYear, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import (
    COMPLETED_STATE,
    STEPS,
    ConsultationMeeting,
    Matter,
    MatterStatus,
    MeetingAttendance,
    MeetingKind,
    Step,
    state_label,
)
from members.models import MemberStatus, PartyAffiliation
from members.selectors import with_attendance_counts
from members.services import counts_by_party, counts_by_sector
from proposals.models import (
    REGISTERED_OR_LATER,
    AdoptionLevel,
    LeaderInstruction,
    OpinionAdoption,
    OpinionReport,
    Proposal,
    ProposalRating,
    ProposalReply,
    ProposalStatus,
    ProposalUnit,
    Rating,
)
from studios.models import Activity, ActivityKind, Attendance, ProblemStatus

from .periods import Period


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


def activity_totals(activities: QuerySet, period: Period) -> dict:
    """Studio activities held in the period (by the activity's date): count, residents reached,
    live-stream sales (万元). One query."""
    return activities.filter(period.q("date")).aggregate(
        count=Count("pk"),
        residents=Sum("residents_reached", default=0),
        sales_wan=Sum("sales_wan", default=0),
    )


def activities_by_month(activities: QuerySet, period: Period) -> list[int]:
    """Twelve counts of the period's activities by the month of their date, January to
    December (months after the period's end stay 0). One query."""
    counts = [0] * 12
    rows = (
        activities.filter(period.q("date"))
        .values_list("date__month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for month, n in rows:
        counts[month - 1] = n
    return counts


def activities_by_kind(activities: QuerySet, period: Period) -> list[dict]:
    """[{"kind", "name", "count"}] of the period's activities (by date), most first. One query."""
    labels = dict(ActivityKind.choices)
    rows = (
        activities.filter(period.q("date"))
        .values("kind")
        .annotate(count=Count("pk"))
        .order_by("-count", "kind")
    )
    return [
        {"kind": r["kind"], "name": str(labels.get(r["kind"], r["kind"])), "count": r["count"]}
        for r in rows
    ]


def problem_totals(problems: QuerySet, period: Period) -> dict:
    """Residents' problems: open and in hand now (a snapshot), and solved in the period by
    their solved_on date. One query."""
    return problems.aggregate(
        open=Count("pk", filter=Q(status=ProblemStatus.OPEN)),
        in_hand=Count("pk", filter=Q(status=ProblemStatus.IN_HAND)),
        solved=Count("pk", filter=Q(status=ProblemStatus.SOLVED) & period.q("solved_on")),
    )


def problems_by_town(problems: QuerySet) -> list[dict]:
    """Residents' problems per town as they stand now: [{"town_id", "name", "open", "solved"}]
    in the towns' order (open = not yet solved). One query."""
    rows = (
        problems.values("studio__town_id", "studio__town__name", "studio__town__order")
        .annotate(
            open=Count("pk", filter=~Q(status=ProblemStatus.SOLVED)),
            solved=Count("pk", filter=Q(status=ProblemStatus.SOLVED)),
        )
        .order_by("studio__town__order")
    )
    # Sector studios that sit in no town are grouped under one label.
    sector = str(_("界别/行业工作室"))
    return [
        {
            "town_id": r["studio__town_id"],
            "name": r["studio__town__name"] or sector,
            "open": r["open"],
            "solved": r["solved"],
        }
        for r in rows
    ]


# --- "渝事好商量·一镇一事商量办" consultations ------------------------------------------------
# Seed 002's yearly sentence: 开展议前协商79场次、现场协商31场次，各方参与3000余人次，协调资金
# 1200余万元，38件民生实事得到推进解决，3万余名群众受益. Meetings count by the day they were held
# (a Period of the running year ends today, so a planned meeting is not counted yet); 实事 by the
# days their figures were recorded and they were done; matters by their year.

# The kinds the sentence names; its 各方参与人次 counts the people at these meetings only.
SENTENCE_KINDS = (MeetingKind.PRE_MEETING, MeetingKind.ON_SITE)


def meetings_by_kind(meetings: QuerySet, period: Period) -> dict[str, int]:
    """Meetings held in the period (by their date) per kind, every kind present (0 when none).
    One query."""
    result = dict.fromkeys(MeetingKind.values, 0)
    rows = meetings.filter(period.q("date")).values_list("kind").annotate(n=Count("pk")).order_by()
    for kind, n in rows:
        result[kind] = n
    return result


def participations(meetings: QuerySet, period: Period) -> dict[str, int]:
    """People-times (人次) at the meetings held in the period (by date): members present,
    officials and residents. `participations` counts the 议前协商 and 现场协商 the county's sentence
    names ("开展议前协商79场次、现场协商31场次，各方参与3000余人次"); `participations_other` the
    meetings of every other kind, which the sentence counts apart. One query."""
    present = (
        MeetingAttendance.objects.filter(meeting=OuterRef("pk"), status=Attendance.PRESENT)
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    people = Coalesce(Subquery(present), 0) + F("officials_count") + F("residents_count")
    named = Q(kind__in=SENTENCE_KINDS)
    return meetings.filter(period.q("date")).aggregate(
        participations=Sum(people, filter=named, default=0),
        participations_other=Sum(people, filter=~named, default=0),
    )


def livelihood_projects(projects: QuerySet, period: Period) -> dict:
    """民生实事 (consultations.LivelihoodProject): `done` = projects done in the period (by
    done_on); `funds_wan` and `beneficiaries` = the sums over projects recorded in the period
    (by recorded_on), done or not, whether or not their matter is completed. One query."""
    return projects.aggregate(
        done=Count("pk", filter=Q(done=True) & period.q("done_on")),
        funds_wan=Sum("funds_wan", filter=period.q("recorded_on"), default=Decimal(0)),
        beneficiaries=Sum("beneficiaries", filter=period.q("recorded_on"), default=0),
    )


def matter_totals(matters: QuerySet, period: Period) -> dict:
    """The period's year's matters (Matter.year), a snapshot as they stand now: how many, the
    annual "一镇一事" topics and how many of those are finished, all finished. One query."""
    done = Q(status=MatterStatus.COMPLETED)
    return matters.filter(year=period.year).aggregate(
        total=Count("pk"),
        annual=Count("pk", filter=Q(is_annual_topic=True)),
        annual_completed=Count("pk", filter=Q(is_annual_topic=True) & done),
        completed=Count("pk", filter=done),
    )


def matters_by_step(matters: QuerySet, period: Period) -> list[dict]:
    """The board of the period's year in numbers, a snapshot of that year's matters (Matter.year)
    as they stand now: [{"step", "name", "count"}] for the seven steps in order, then the finished
    matters (step "completed"). One query."""
    rows = list(
        matters.filter(year=period.year)
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


def matters_by_town_and_step(matters: QuerySet, period: Period) -> list[dict]:
    """The seven-step pipeline per town, a snapshot of the period's year's matters:
    [{"town_id", "name", "counts": {step: n, …, "completed": n}}] in the towns' order, only the
    towns that have matters that year. One query."""
    rows = (
        matters.filter(year=period.year)
        .values_list("town_id", "town__name", "town__order", "step", "status")
        .annotate(n=Count("pk"))
        .order_by("town__order", "town_id")
    )
    towns: dict[int, dict] = {}
    for town_id, name, _order, step, status, n in rows:
        town = towns.setdefault(
            town_id,
            {
                "town_id": town_id,
                "name": name,
                "counts": dict.fromkeys([*STEPS, COMPLETED_STATE], 0),
            },
        )
        key = COMPLETED_STATE if status == MatterStatus.COMPLETED else step
        town["counts"][key] += n
    return list(towns.values())


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


def _first_year(queryset: QuerySet, field: str, is_date: bool = True) -> QuerySet:
    # Grouping by a constant aggregates the whole table into one row (NULL when it is empty).
    first = Min(ExtractYear(field)) if is_date else Min(field)
    return queryset.annotate(one=Value(1)).values("one").annotate(y=first).values("y").order_by()


def years_covered() -> list[int]:
    """The years the records cover, newest first: from the earliest year of any matter
    (Matter.year), consultation meeting, studio activity (their dates), proposal (Proposal.year)
    or opinion report (submitted_on) to this year; just this year when there are none. Offered
    by every year selector and accepted by `?year=`. One query (a UNION of five minima)."""
    firsts = (
        _first_year(Matter.objects.all(), "year", is_date=False)
        .union(
            _first_year(ConsultationMeeting.objects.all(), "date"),
            _first_year(Activity.objects.all(), "date"),
            _first_year(Proposal.objects.all(), "year", is_date=False),
            _first_year(OpinionReport.objects.all(), "submitted_on"),
            all=True,
        )
        .order_by()
    )
    this_year = current_year()
    first = min([row["y"] for row in firsts if row["y"]], default=this_year)
    return list(range(this_year, min(first, this_year) - 1, -1))


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


def opinion_reports_submitted(reports: QuerySet, period: Period) -> int:
    """Reports submitted in the period (by submitted_on, the real day, which may be recorded
    later). One query."""
    return reports.filter(period.q("submitted_on")).count()


def opinion_adoptions_by_level(reports: QuerySet, period: Period) -> list[dict]:
    """Adoptions in the period (by adopted_on) per level, every level listed, lowest level
    first: [{"level": "district", "label": "区", "count": n}, …]. One query."""
    counts = dict(
        OpinionAdoption.objects.filter(report__in=reports)
        .filter(period.q("adopted_on"))
        .values_list("level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        {"level": value, "label": label, "count": counts.get(value, 0)}
        for value, label in AdoptionLevel.choices
    ]


def opinion_instructions(reports: QuerySet, period: Period) -> int:
    """Leaders' instructions (批示) on the reports given in the period (by instructed_on). One
    query."""
    return (
        LeaderInstruction.objects.filter(report__in=reports)
        .filter(period.q("instructed_on"))
        .count()
    )


# --- proposals (提案) ------------------------------------------------------------------------


def _proposals_of(proposals: QuerySet, period: Period | None, session=None) -> QuerySet:
    """The proposals of a period and/or of one session. A proposal belongs to the year of its
    session (Proposal.year, or the year filed between sessions), as the county counts them; a
    period of a running year keeps those submitted by its last day (submitted_on), so that the
    comparison with last year's same dates compares like with like."""
    if period is not None:
        proposals = proposals.filter(year=period.year)
        if not period.is_whole_year:
            proposals = proposals.filter(submitted_on__lte=period.end)
    if session is not None:
        proposals = proposals.filter(session=session)
    return proposals


def proposals_filed(proposals: QuerySet, period: Period | None = None, session=None) -> int:
    """Proposals filed (提交): every one past its draft, whatever became of it. One query."""
    return _proposals_of(proposals, period, session).exclude(status=ProposalStatus.DRAFT).count()


def proposals_registered(proposals: QuerySet, period: Period | None = None, session=None) -> int:
    """Proposals registered (立案), including those assigned, replied and closed since. One
    query."""
    return _proposals_of(proposals, period, session).filter(status__in=REGISTERED_OR_LATER).count()


def proposals_by_status(proposals: QuerySet, period: Period | None = None) -> list[dict]:
    """The period's filed proposals by their status now: [{"status", "name", "count"}] in the
    workflow's order, every status past the draft listed. One query."""
    counts = dict(
        _proposals_of(proposals, period)
        .exclude(status=ProposalStatus.DRAFT)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return [
        {"status": value, "name": str(label), "count": counts.get(value, 0)}
        for value, label in ProposalStatus.choices
        if value != ProposalStatus.DRAFT
    ]


def proposals_replied_on_time(
    proposals: QuerySet, period: Period | None = None, session=None
) -> dict:
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
        .filter(proposal__in=_proposals_of(proposals, period, session))
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


def proposal_ratings(proposals: QuerySet, period: Period | None = None, session=None) -> dict:
    """The proposers' ratings of the units' replies: {"satisfied", "basically", "unsatisfied",
    "total", "rate", "rows"}; every rating given counts (a 不满意 stays counted after the unit
    handled it again and was rated anew). rate = (满意 + 基本满意) / all, in per cent (None
    without ratings); rows are [{"rating", "name", "count"}] for a chart. One query."""
    counts = dict(
        ProposalRating.objects.filter(
            assignment__proposal__in=_proposals_of(proposals, period, session)
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
