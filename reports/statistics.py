"""Every figure the product shows, defined once. Dashboards, the yearly summary and exports call
these functions with a queryset already scoped to the viewer, so a number never disagrees with
itself and nobody sees a figure built from records they may not see.

A figure that is one row of aggregates is `@batchable`: calling it runs its one query, and
`figure.pending(...)` gives the same figure unread, so that a page reads all its figures in one
statement (reports.figures.page_figures, cppcc.navigation.run_together). Figures over a list of
values known in advance (kinds, steps, statuses, months) count each value with a filtered
Count, so they are one row too."""

import functools
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Count, F, Min, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import TruncDate
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
from cppcc.navigation import Pending, one_row
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


def batchable(build: Callable[..., Pending]) -> Callable:
    """The figure `build` describes as a Pending: called, it is read at once (one query);
    `figure.pending(...)` leaves it to be read with others."""

    @functools.wraps(build)
    def figure(*args, **kwargs):
        return build(*args, **kwargs).evaluate()

    figure.pending = build
    return figure


def _row(queryset: QuerySet, shape: Callable = dict, **aggregates) -> Pending:
    """`queryset.aggregate(**aggregates)`, unread, passed through `shape`."""

    def shaped(rows):
        row = dict(rows[0])
        row.pop("one")
        return shape(row)

    return Pending((one_row(queryset, **aggregates),), shaped)


def _count_each(values, q: Callable[[str], Q]) -> dict:
    """Aggregates counting the rows of each value (`n_0`, `n_1` … in the order of `values`;
    plain names could collide with the model's fields)."""
    return {f"n_{i}": Count("pk", filter=q(value)) for i, value in enumerate(values)}


def _by_value(values, row: dict) -> dict:
    return {value: row[f"n_{i}"] for i, value in enumerate(values)}


def active_members(members: QuerySet) -> QuerySet:
    return members.filter(status=MemberStatus.ACTIVE)


@batchable
def member_totals(members: QuerySet) -> Pending:
    """Active members, of whom CPC members, women, and city-level members (one query)."""
    return _row(
        active_members(members),
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


@batchable
def studio_totals(studios: QuerySet) -> Pending:
    return _row(
        studios,
        total=Count("pk"),
        town=Count("pk", filter=Q(kind="town")),
        sector=Count("pk", filter=Q(kind="sector")),
        city_level=Count("pk", filter=Q(level="city")),
    )


@batchable
def activity_totals(activities: QuerySet, period: Period) -> Pending:
    """Studio activities held in the period (by the activity's date): count, residents reached,
    live-stream sales (万元). One query."""
    return _row(
        activities.filter(period.q("date")),
        count=Count("pk"),
        residents=Sum("residents_reached", default=0),
        sales_wan=Sum("sales_wan", default=0),
    )


MONTHS = range(1, 13)


@batchable
def activities_by_month(activities: QuerySet, period: Period) -> Pending:
    """Twelve counts of the period's activities by the month of their date, January to
    December (months after the period's end stay 0). One query."""
    return _row(
        activities.filter(period.q("date")),
        lambda row: list(_by_value(MONTHS, row).values()),
        **_count_each(MONTHS, lambda month: Q(date__month=month)),
    )


@batchable
def activities_by_kind(activities: QuerySet, period: Period) -> Pending:
    """[{"kind", "name", "count"}] of the period's kinds of activities (by date), most first.
    One query."""

    def shape(row):
        counts = _by_value(ActivityKind.values, row)
        return [
            {"kind": kind, "name": str(label), "count": counts[kind]}
            for kind, label in sorted(ActivityKind.choices, key=lambda c: (-counts[c[0]], c[0]))
            if counts[kind]
        ]

    return _row(
        activities.filter(period.q("date")),
        shape,
        **_count_each(ActivityKind.values, lambda kind: Q(kind=kind)),
    )


@batchable
def problem_totals(problems: QuerySet, period: Period) -> Pending:
    """Residents' problems: open and in hand now (a snapshot), and solved in the period by
    their solved_on date. One query."""
    return _row(
        problems,
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


@batchable
def meetings_by_kind(meetings: QuerySet, period: Period) -> Pending:
    """Meetings held in the period (by their date) per kind, every kind present (0 when none).
    One query."""
    return _row(
        meetings.filter(period.q("date")),
        lambda row: _by_value(MeetingKind.values, row),
        **_count_each(MeetingKind.values, lambda kind: Q(kind=kind)),
    )


@batchable
def participations(meetings: QuerySet, period: Period) -> Pending:
    """People-times (人次) at the meetings held in the period (by date): members present,
    officials and residents. `participations` counts the 议前协商 and 现场协商 the county's sentence
    names ("开展议前协商79场次、现场协商31场次，各方参与3000余人次"); `participations_other` the
    meetings of every other kind, which the sentence counts apart. One query."""
    held = meetings.filter(period.q("date"))
    named = Q(kind__in=SENTENCE_KINDS)
    others = F("officials_count") + F("residents_count")
    # Members present counted over the attendance rows of those meetings (one scan, not a
    # subquery per meeting); a member moved to the trash no longer counts.
    present = MeetingAttendance.objects.filter(
        meeting__in=held, status=Attendance.PRESENT, member__deleted_at__isnull=True
    )

    def add(attendance, meetings):
        return {key: attendance[key] + meetings[key] for key in attendance}

    return Pending.combine(
        add,
        attendance=_row(
            present,
            participations=Count("pk", filter=Q(meeting__kind__in=SENTENCE_KINDS)),
            participations_other=Count("pk", filter=~Q(meeting__kind__in=SENTENCE_KINDS)),
        ),
        meetings=_row(
            held,
            participations=Sum(others, filter=named, default=0),
            participations_other=Sum(others, filter=~named, default=0),
        ),
    )


@batchable
def livelihood_projects(projects: QuerySet, period: Period) -> Pending:
    """民生实事 (consultations.LivelihoodProject): `done` = projects done in the period (by
    done_on); `funds_wan` and `beneficiaries` = the sums over projects recorded in the period
    (by recorded_on), done or not, whether or not their matter is completed. One query."""
    return _row(
        projects,
        done=Count("pk", filter=Q(done=True) & period.q("done_on")),
        funds_wan=Sum("funds_wan", filter=period.q("recorded_on"), default=Decimal(0)),
        beneficiaries=Sum("beneficiaries", filter=period.q("recorded_on"), default=0),
    )


@batchable
def matter_totals(matters: QuerySet, period: Period) -> Pending:
    """The period's year's matters (Matter.year), a snapshot as they stand now: how many, the
    annual "一镇一事" topics and how many of those are finished, all finished. One query."""
    done = Q(status=MatterStatus.COMPLETED)
    return _row(
        matters.filter(year=period.year),
        total=Count("pk"),
        annual=Count("pk", filter=Q(is_annual_topic=True)),
        annual_completed=Count("pk", filter=Q(is_annual_topic=True) & done),
        completed=Count("pk", filter=done),
    )


@batchable
def matters_by_step(matters: QuerySet, period: Period) -> Pending:
    """The board of the period's year in numbers, a snapshot of that year's matters (Matter.year)
    as they stand now: [{"step", "name", "count"}] for the seven steps in order, then the finished
    matters (step "completed"). One query."""

    def shape(row):
        active = _by_value(STEPS, row)
        result = [{"step": s, "name": str(Step(s).label), "count": active[s]} for s in STEPS]
        result.append(
            {"step": COMPLETED_STATE, "name": state_label(COMPLETED_STATE), "count": row["done"]}
        )
        return result

    return _row(
        matters.filter(year=period.year),
        shape,
        done=Count("pk", filter=Q(status=MatterStatus.COMPLETED)),
        **_count_each(STEPS, lambda step: Q(step=step, status=MatterStatus.ACTIVE)),
    )


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
    # MIN of the column itself, its year taken in Python: MIN(EXTRACT(YEAR ...)) cannot walk an
    # index and read every row (issue 13).
    first = Min(field)
    return queryset.annotate(one=Value(1)).values("one").annotate(y=first).values("y").order_by()


@batchable
def years_covered() -> Pending:
    """The years the records cover, newest first: from the earliest year of any matter
    (Matter.year), consultation meeting, studio activity (their dates), proposal (Proposal.year)
    or opinion report (submitted_on) to this year; just this year when there are none. Offered
    by every year selector and accepted by `?year=`. One query (five minima)."""
    firsts = (
        _first_year(Matter.objects.all(), "year", is_date=False),
        _first_year(ConsultationMeeting.objects.all(), "date"),
        _first_year(Activity.objects.all(), "date"),
        _first_year(Proposal.objects.all(), "year", is_date=False),
        _first_year(OpinionReport.objects.all(), "submitted_on"),
    )

    def shape(rows):
        this_year = current_year()
        # A date (or its ISO text from SQLite through the batched statement) or a year.
        years = [int(str(row["y"])[:4]) for row in rows if row["y"] is not None]
        first = min(years, default=this_year)
        return list(range(this_year, min(first, this_year) - 1, -1))

    return Pending(firsts, shape)


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


@batchable
def opinion_reports_submitted(reports: QuerySet, period: Period) -> Pending:
    """Reports submitted in the period (by submitted_on, the real day, which may be recorded
    later). One query."""
    return Pending.count(reports.filter(period.q("submitted_on")))


@batchable
def opinion_adoptions_by_level(reports: QuerySet, period: Period) -> Pending:
    """Adoptions in the period (by adopted_on) per level, every level listed, lowest level
    first: [{"level": "district", "label": "区", "count": n}, …]. One query."""

    def shape(row):
        counts = _by_value(AdoptionLevel.values, row)
        return [
            {"level": value, "label": label, "count": counts[value]}
            for value, label in AdoptionLevel.choices
        ]

    return _row(
        OpinionAdoption.objects.filter(report__in=reports).filter(period.q("adopted_on")),
        shape,
        **_count_each(AdoptionLevel.values, lambda level: Q(level=level)),
    )


@batchable
def opinion_instructions(reports: QuerySet, period: Period) -> Pending:
    """Leaders' instructions (批示) on the reports given in the period (by instructed_on). One
    query."""
    return Pending.count(
        LeaderInstruction.objects.filter(report__in=reports).filter(period.q("instructed_on"))
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


@batchable
def proposals_filed(proposals: QuerySet, period: Period | None = None, session=None) -> Pending:
    """Proposals filed (提交): every one past its draft, whatever became of it. One query."""
    return Pending.count(
        _proposals_of(proposals, period, session).exclude(status=ProposalStatus.DRAFT)
    )


@batchable
def proposals_registered(
    proposals: QuerySet, period: Period | None = None, session=None
) -> Pending:
    """Proposals registered (立案), including those assigned, replied and closed since. One
    query."""
    return Pending.count(
        _proposals_of(proposals, period, session).filter(status__in=REGISTERED_OR_LATER)
    )


@batchable
def proposals_by_status(proposals: QuerySet, period: Period | None = None) -> Pending:
    """The period's filed proposals by their status now: [{"status", "name", "count"}] in the
    workflow's order, every status past the draft listed. One query."""
    filed = [(v, label) for v, label in ProposalStatus.choices if v != ProposalStatus.DRAFT]
    values = [v for v, _label in filed]

    def shape(row):
        counts = _by_value(values, row)
        return [
            {"status": value, "name": str(label), "count": counts[value]} for value, label in filed
        ]

    return _row(
        _proposals_of(proposals, period).exclude(status=ProposalStatus.DRAFT),
        shape,
        **_count_each(values, lambda status: Q(status=status)),
    )


@batchable
def proposals_replied_on_time(
    proposals: QuerySet, period: Period | None = None, session=None
) -> Pending:
    """Units' parts answered, and answered on time: {"replied", "on_time", "rate"}. A unit's part
    counts once it has a released reply; it is on time when its latest released reply was
    released on or before its due date (after 不满意 the due date is the re-handling one).
    Given-back parts are not counted. Rate in per cent, None when nothing is replied. One query."""
    last_release = Subquery(
        ProposalReply.objects.filter(assignment=OuterRef("pk"), released_at__isnull=False)
        .order_by("-released_at")
        .values("released_at")[:1]
    )

    def shape(row):
        replied, on_time = row["replied"], row["on_time"]
        return {
            "replied": replied,
            "on_time": on_time,
            "rate": round(on_time * 100 / replied, 1) if replied else None,
        }

    return _row(
        ProposalUnit.objects.active()
        .filter(proposal__in=_proposals_of(proposals, period, session))
        .annotate(released_on=TruncDate(last_release)),
        shape,
        replied=Count("pk", filter=Q(released_on__isnull=False)),
        on_time=Count("pk", filter=Q(released_on__lte=F("due_on"))),
    )


@batchable
def proposal_ratings(proposals: QuerySet, period: Period | None = None, session=None) -> Pending:
    """The proposers' ratings of the units' replies: {"satisfied", "basically", "unsatisfied",
    "total", "rate", "rows"}; every rating given counts (a 不满意 stays counted after the unit
    handled it again and was rated anew). rate = (满意 + 基本满意) / all, in per cent (None
    without ratings); rows are [{"rating", "name", "count"}] for a chart. One query."""

    def shape(row):
        counts = _by_value(Rating.values, row)
        result = dict(counts)
        total = sum(counts.values())
        good = result[Rating.SATISFIED] + result[Rating.BASICALLY]
        result["total"] = total
        result["rate"] = round(good * 100 / total, 1) if total else None
        result["rows"] = [
            {"rating": value, "name": str(label), "count": counts[value]}
            for value, label in Rating.choices
        ]
        return result

    return _row(
        ProposalRating.objects.filter(
            assignment__proposal__in=_proposals_of(proposals, period, session)
        ),
        shape,
        **_count_each(Rating.values, lambda rating: Q(rating=rating)),
    )
