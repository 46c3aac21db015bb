"""Figures the yearly summary needs beyond reports.statistics, one function each, over querysets
already scoped (to the viewer, or to the town or studio a summary covers) and a Period."""

from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum

from members.models import AttendanceStatus, MemberStatus, SessionAttendance, SessionKind
from members.selectors import with_attendance_counts
from studios.models import ActivityKind, ProblemStatus

from .periods import Period


def livestreams(activities: QuerySet, period: Period) -> dict:
    """直播带货: studio activities of the live-stream kind held in the period (by the activity's
    date) and their sales in 万元. One query."""
    return activities.filter(period.q("date"), kind=ActivityKind.LIVESTREAM).aggregate(
        count=Count("pk"), sales_wan=Sum("sales_wan", default=Decimal(0))
    )


def honorary_head_outcomes(postings: QuerySet, period: Period) -> dict:
    """名誉村主任: postings held for at least a day of the period (start_on on or before its end,
    end_on empty or on or after its start) and the outcomes they record, totalled. The outcomes
    are a posting's running totals, not dated, so a posting spanning two years counts in both.
    One query."""
    held = postings.filter(start_on__lte=period.end).filter(
        Q(end_on__isnull=True) | Q(end_on__gte=period.start)
    )
    return held.aggregate(
        postings=Count("pk"),
        acres=Sum("acres_developed", default=Decimal(0)),
        enterprises=Sum("enterprises_fostered", default=0),
        funds_wan=Sum("funds_secured_wan", default=Decimal(0)),
        livestreams=Sum("livestreams", default=0),
        income_wan=Sum("income_raised_wan", default=Decimal(0)),
    )


def members_active(members: QuerySet, entries: QuerySet, period: Period) -> dict:
    """Members serving now (status active) and those of them active in the period: with at least
    one duty entry of positive points dated in the period (members.DutyEntry.date). One query."""
    positive = entries.filter(member=OuterRef("pk"), points__gt=0).filter(period.q("date"))
    return members.filter(status=MemberStatus.ACTIVE).aggregate(
        total=Count("pk"), active=Count("pk", filter=Exists(positive))
    )


ATTENDED_KINDS = (SessionKind.PLENARY, SessionKind.STANDING)


def session_attendance_rate(
    sessions: QuerySet, period: Period, members: QuerySet | None = None
) -> dict:
    """Plenary and standing-committee sessions held in the period (by starts_on): how many, and
    present / expected in per cent (None when nobody is expected). For the whole county the
    expected are each session's audience (members.selectors.with_attendance_counts); for a town
    or studio (`members` given), the attendance rows of those members. One query."""
    held = sessions.filter(period.q("starts_on"), kind__in=ATTENDED_KINDS)
    if members is None:
        row = with_attendance_counts(held).aggregate(
            sessions=Count("pk"),
            expected=Sum("expected_count", default=0),
            present=Sum("present_count", default=0),
        )
    else:
        rows = SessionAttendance.objects.filter(session__in=held, member__in=members)
        row = rows.aggregate(
            sessions=Count("session", distinct=True),
            expected=Count("pk"),
            present=Count("pk", filter=Q(status=AttendanceStatus.PRESENT)),
        )
    expected = row["expected"]
    row["rate"] = round(row["present"] * 100 / expected, 1) if expected else None
    return row


def figures_by_town(towns: QuerySet, period: Period, **querysets: QuerySet) -> list[dict]:
    """One row per town (in the towns' order): consultation meetings held, 民生实事 done, funds
    coordinated (recorded in the period), studio activities held and problems solved in the
    period. `querysets` gives meetings, projects, activities and problems, already scoped.
    Four queries, however many towns."""
    meetings = dict(
        querysets["meetings"]
        .filter(period.q("date"))
        .values_list("town")
        .annotate(n=Count("pk"))
        .order_by()
    )
    projects = {
        row["matter__town"]: row
        for row in querysets["projects"]
        .values("matter__town")
        .annotate(
            done=Count("pk", filter=Q(done=True) & period.q("done_on")),
            funds=Sum("funds_wan", filter=period.q("recorded_on"), default=Decimal(0)),
        )
        .order_by()
    }
    activities = dict(
        querysets["activities"]
        .filter(period.q("date"))
        .values_list("studio__town")
        .annotate(n=Count("pk"))
        .order_by()
    )
    solved = dict(
        querysets["problems"]
        .filter(period.q("solved_on"), status=ProblemStatus.SOLVED)
        .values_list("studio__town")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = []
    for town in towns.order_by("order", "pk"):
        project = projects.get(town.pk, {})
        rows.append(
            {
                "name": town.name,
                "meetings": meetings.get(town.pk, 0),
                "projects_done": project.get("done", 0),
                "funds_wan": project.get("funds", Decimal(0)),
                "activities": activities.get(town.pk, 0),
                "problems_solved": solved.get(town.pk, 0),
            }
        )
    return rows


def figures_by_studio(
    studios: QuerySet, activities: QuerySet, problems: QuerySet, period: Period
) -> list[dict]:
    """One row per studio (by name): activities held in the period, residents reached, live-stream
    sales (万元) and problems solved in the period (by solved_on). Two queries."""
    in_period = activities.filter(period.q("date"))
    totals = {
        row["studio"]: row
        for row in in_period.values("studio")
        .annotate(
            count=Count("pk"),
            residents=Sum("residents_reached", default=0),
            sales=Sum("sales_wan", default=Decimal(0)),
        )
        .order_by()
    }
    solved = dict(
        problems.filter(period.q("solved_on"), status=ProblemStatus.SOLVED)
        .values_list("studio")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = []
    for studio_id, name in studios.order_by("name").values_list("pk", "name"):
        row = totals.get(studio_id, {})
        rows.append(
            {
                "name": name,
                "activities": row.get("count", 0),
                "residents": row.get("residents", 0),
                "sales_wan": row.get("sales", Decimal(0)),
                "problems_solved": solved.get(studio_id, 0),
            }
        )
    return rows


def figures_by_sector(members: QuerySet, entries: QuerySet, period: Period) -> list[dict]:
    """One row per sector (界别) with serving members: members, members active in the period (a
    positive duty entry dated in it) and the points they earned in it. Two queries."""
    positive = entries.filter(member=OuterRef("pk"), points__gt=0).filter(period.q("date"))
    rows = (
        members.filter(status=MemberStatus.ACTIVE)
        .annotate(is_active=Exists(positive))
        .values("sector__name", "sector__order")
        .annotate(
            members=Count("pk"),
            active=Count("pk", filter=Q(is_active=True)),
        )
        .order_by("sector__order", "sector__name")
    )
    points = dict(
        entries.filter(period.q("date"), member__in=members.filter(status=MemberStatus.ACTIVE))
        .values_list("member__sector__name")
        .annotate(p=Sum("points"))
        .order_by()
    )
    return [
        {
            "name": row["sector__name"] or "",
            "members": row["members"],
            "active": row["active"],
            "points": points.get(row["sector__name"], Decimal(0)),
        }
        for row in rows
    ]
