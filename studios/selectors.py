"""Reads that check access for towns, studios and what hangs off them, and the annotated reads
the studio pages, the API and the portal share (so a count never disagrees with itself)."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from cppcc.models import User
from cppcc.roles import Role, clerk_town_id, has_role
from members.models import Member, PartyAffiliation, Term

from .models import (
    Activity,
    ActivityAttendance,
    Attendance,
    DutyShift,
    HonoraryVillageHead,
    MembershipRole,
    PartyGroup,
    Problem,
    ProblemStatus,
    Studio,
    StudioKind,
    StudioMembership,
)


def can_edit_town_records(user, town_id: int | None) -> bool:
    """Office staff edit everywhere; a town clerk only inside their own town; leaders never."""
    if has_role(user, Role.ADMIN, Role.OFFICE):
        return True
    return town_id is not None and clerk_town_id(user) == town_id


def require_edit(user, town_id: int | None) -> None:
    """Raised as 403 by pages and the API alike, after the object was found through visible_to."""
    if not can_edit_town_records(user, town_id):
        raise PermissionDenied


def current_term():
    return Term.objects.filter(is_current=True).first()


def town_studio_size() -> tuple[int, int]:
    return tuple(settings.CPPCC_TOWN_STUDIO_SIZE)


def _count(qs: QuerySet, ref: str = "studio") -> Coalesce:
    """A correlated COUNT subquery per studio: several of them in one SELECT cost one query and,
    unlike Count() over joins, do not multiply each other's rows."""
    sub = (
        qs.filter(**{ref: OuterRef("pk")})
        .order_by()
        .values(ref)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), Value(0))


def current_seats() -> QuerySet:
    """Seats held now: not ended, and not of a member moved to the 回收站 (a record entered in
    error holds no seat while it is there; restoring it brings the seat back)."""
    return StudioMembership.objects.filter(end_on__isnull=True, member__deleted_at__isnull=True)


def with_studio_counts(qs: QuerySet, year: int | None = None) -> QuerySet:
    """Studios annotated with what the list, the API and the reports show per studio."""
    year = year or timezone.localdate().year
    current = current_seats()
    return qs.select_related("town", "leader").annotate(
        member_count=_count(current),
        core_count=_count(current.filter(role=MembershipRole.CORE)),
        linked_count=_count(current.filter(role=MembershipRole.LINKED)),
        party_count=_count(current.filter(member__party=PartyAffiliation.CPC)),
        activities_this_year=_count(Activity.objects.filter(date__year=year)),
        open_problems=_count(Problem.objects.exclude(status=ProblemStatus.SOLVED)),
        solved_problems=_count(Problem.objects.filter(status=ProblemStatus.SOLVED)),
    )


STUDIO_COUNTS = (
    "member_count",
    "core_count",
    "linked_count",
    "party_count",
    "activities_this_year",
    "open_problems",
    "solved_problems",
)


def attach_studio_counts(studios, year: int | None = None) -> list:
    """The counts with_studio_counts annotates, set on the studios of one page. One query: the
    subqueries run for the page's ids only, after the paginator has cut the list, so the cost
    does not grow with the studios not shown (they ran for every studio before)."""
    studios = list(studios)
    ids = [s.pk for s in studios]
    counts = {}
    if ids:
        counts = {
            row[0]: row[1:]
            for row in with_studio_counts(Studio.objects.filter(pk__in=ids), year)
            .select_related(None)
            .order_by()
            .values_list("pk", *STUDIO_COUNTS)
        }
    for studio in studios:
        for name, n in zip(STUDIO_COUNTS, counts.get(studio.pk, (0,) * 7), strict=True):
            setattr(studio, name, n)
    return studios


def size_flag(studio) -> str:
    """'' when a town studio's size is inside the configured range, else 'small' or 'large'.
    Sector studios have no size rule."""
    if studio.kind != StudioKind.TOWN:
        return ""
    low, high = town_studio_size()
    n = studio.member_count
    return "small" if n < low else "large" if n > high else ""


def off_size_studios(qs: QuerySet) -> QuerySet:
    """Town studios whose current membership is outside CPPCC_TOWN_STUDIO_MIN..MAX, decided in
    the database so a list can filter and page on it (the list's ?off_size=1 and the to-dos)."""
    low, high = town_studio_size()
    if "member_count" not in qs.query.annotations:
        qs = qs.annotate(member_count=_count(current_seats()))
    return qs.filter(kind=StudioKind.TOWN).filter(
        Q(member_count__lt=low) | Q(member_count__gt=high)
    )


def unassigned_members(term=None) -> QuerySet:
    """Active members with no current town studio in the term: every active member belongs to
    exactly one, so this list is the office's to-do."""
    term = term or current_term()
    placed = StudioMembership.objects.filter(is_town_studio=True, end_on__isnull=True)
    if term is not None:
        placed = placed.filter(term=term)
    return Member.objects.active().exclude(pk__in=placed.values("member_id"))


def current_memberships(studio) -> QuerySet:
    return (
        current_seats()
        .filter(studio=studio)
        .select_related("member", "member__sector", "member__special_committee")
        .order_by("role", "member__name_pinyin", "member_id")
    )


def is_current_member(studio, member) -> bool:
    return StudioMembership.objects.filter(
        studio=studio, member=member, end_on__isnull=True
    ).exists()


def party_group_members(group) -> QuerySet:
    """The group's members are derived: the studio's current Party-member members."""
    return Member.objects.filter(
        party=PartyAffiliation.CPC,
        studio_memberships__studio_id=group.studio_id,
        studio_memberships__end_on__isnull=True,
    ).distinct()


def party_groups_with_branch(qs: QuerySet) -> QuerySet:
    """The guiding branch is read through the leader's committee, so lists join it here."""
    return qs.select_related(
        "studio",
        "studio__town",
        "leader",
        "leader__special_committee",
        "leader__special_committee__party_branch",
    )


def with_attendance_counts(qs: QuerySet) -> QuerySet:
    return qs.annotate(
        present_count=Count("attendances", filter=Q(attendances__status=Attendance.PRESENT)),
        leave_count=Count("attendances", filter=Q(attendances__status=Attendance.LEAVE)),
        absent_count=Count("attendances", filter=Q(attendances__status=Attendance.ABSENT)),
    )


ATTENDANCE_COUNTS = {
    "present_count": Attendance.PRESENT,
    "leave_count": Attendance.LEAVE,
    "absent_count": Attendance.ABSENT,
}


def attach_attendance_counts(rows, attendances: QuerySet, fk: str) -> list:
    """present_count / leave_count / absent_count set on `rows` (the activities or meetings of
    one page) from one grouped query over their ids, `fk` naming the attendance row's parent
    column ("activity_id", "meeting_id"). Counting after the page is cut keeps a list's cost
    independent of the rows not shown, and its paginator's COUNT free of the attendance join."""
    rows = list(rows)
    ids = [row.pk for row in rows]
    counts: dict[tuple[int, str], int] = {}
    if ids:
        counts = {
            (parent, status): n
            for parent, status, n in attendances.filter(**{f"{fk}__in": ids})
            .order_by()
            .values_list(fk, "status")
            .annotate(n=Count("pk"))
            .values_list(fk, "status", "n")
        }
    for row in rows:
        for name, status in ATTENDANCE_COUNTS.items():
            setattr(row, name, counts.get((row.pk, status), 0))
    return rows


def attach_prefetched_attendance_counts(rows) -> list:
    """present_count / leave_count / absent_count from each row's prefetched `attendances` (the
    API answers carry them anyway): no query at all."""
    rows = list(rows)
    for row in rows:
        statuses = [a.status for a in row.attendances.all()]
        for name, status in ATTENDANCE_COUNTS.items():
            setattr(row, name, statuses.count(status))
    return rows


def attach_activity_counts(rows) -> list:
    return attach_attendance_counts(rows, ActivityAttendance.objects.all(), "activity_id")


def attendance_totals(activity) -> dict[str, int]:
    """Present / leave / absent counts of one activity (the page and the API show these)."""
    counts = dict(
        activity.attendances.values_list("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    return {
        "present": counts.get(Attendance.PRESENT, 0),
        "leave": counts.get(Attendance.LEAVE, 0),
        "absent": counts.get(Attendance.ABSENT, 0),
    }


def honorary_heads_for(studio) -> QuerySet:
    """A town studio shows the postings in its town's villages; a sector studio those of its
    current members."""
    qs = HonoraryVillageHead.objects.select_related("member", "village", "village__town")
    if studio.kind == StudioKind.TOWN:
        return qs.filter(village__town_id=studio.town_id)
    return qs.filter(
        member__studio_memberships__studio=studio, member__studio_memberships__end_on__isnull=True
    )


def portal_context(member, today: datetime.date | None = None) -> dict | None:
    """The member's studio block on /portal/: their studios and role, Party groups with leader,
    upcoming activities of those studios and their own duty days."""
    today = today or timezone.localdate()
    # Each studio's Party group (one to one), its leader and guiding branch ride on the row.
    memberships = list(
        StudioMembership.objects.filter(member=member, end_on__isnull=True)
        .select_related(
            "studio",
            "studio__town",
            "studio__party_group__leader__special_committee__party_branch",
        )
        .order_by("-is_town_studio", "studio__name")
    )
    duties = list(
        DutyShift.objects.filter(member=member, date__gte=today)
        .select_related("studio")
        .order_by("date")[:10]
    )
    if not memberships and not duties:
        return None
    studio_ids = [m.studio_id for m in memberships]
    # In the memberships' order: the town studio's group first, as above.
    groups = [m.studio.party_group for m in memberships if hasattr(m.studio, "party_group")]
    upcoming = list(
        Activity.objects.filter(studio_id__in=studio_ids, date__gte=today)
        .select_related("studio")
        .order_by("date", "id")[:8]
    )
    return {
        "memberships": memberships,
        "party_groups": groups,
        "upcoming": upcoming,
        "duties": duties,
        "is_party_member": member.is_party_member,
    }


def studio_detail_queryset(user) -> QuerySet:
    return (
        Studio.objects.visible_to(user)
        .select_related("town", "town__united_front_officer", "leader")
        .prefetch_related(
            Prefetch("party_group", queryset=party_groups_with_branch(PartyGroup.objects.all()))
        )
    )


def vacancy_recipients(group) -> QuerySet:
    """Who hears that a Party group needs a new leader: the office's active logins and the
    active clerks of the group's town."""
    who = Q(groups__name=Role.OFFICE)
    if group.studio.town_id:
        who |= Q(groups__name=Role.TOWN, town_id=group.studio.town_id)
    return User.objects.filter(who, is_active=True).distinct().order_by("pk")


def activity_list_queryset(qs: QuerySet, *, counted: bool = False) -> QuerySet:
    """The rows of the county-wide activity list and its export, with studio and town. The
    export (`counted`) has each activity's present members annotated; the page leaves them out
    so that its COUNT does not join attendance, and counts its own rows after the cut
    (attach_activity_counts)."""
    qs = qs.select_related("studio", "studio__town").order_by("-date", "-id")
    if counted:
        qs = qs.annotate(
            present_count=Count("attendances", filter=Q(attendances__status=Attendance.PRESENT))
        )
    return qs


def activity_totals(qs: QuerySet) -> dict:
    """Totals over every filtered activity, not only the page shown: activities, members present
    (人次), other participants, residents served and live-stream sales. Two aggregates: summing
    activity columns over an attendance join would count each activity once per attendee. Kept
    in the cache until an activity, an attendance or a studio changes (totals_cache)."""
    from .totals_cache import remembered

    def compute() -> dict:
        totals = qs.order_by().aggregate(
            activities=Count("pk"),
            others=Coalesce(Sum("other_participants"), 0),
            residents=Coalesce(Sum("residents_reached"), 0),
            sales=Sum("sales_wan"),
        )
        totals["present"] = ActivityAttendance.objects.filter(
            activity__in=qs.order_by().values("pk"), status=Attendance.PRESENT
        ).count()
        totals["attendance"] = totals["present"] + totals["others"]
        return totals

    return remembered(qs, compute)


def problem_list_queryset(qs: QuerySet) -> QuerySet:
    return (
        qs.select_related("studio", "studio__town", "village")
        .annotate(follower_count=Count("followers"))
        .order_by("status", "-raised_on", "-id")
    )


def party_group_list_queryset(qs: QuerySet) -> QuerySet:
    """Party groups with their guiding branch joined and their Party members counted; groups
    needing a new leader first."""
    party = StudioMembership.objects.filter(
        studio=OuterRef("studio_id"), end_on__isnull=True, member__party=PartyAffiliation.CPC
    )
    count = party.order_by().values("studio").annotate(n=Count("pk")).values("n")
    return (
        party_groups_with_branch(qs)
        .annotate(party_count=Coalesce(Subquery(count, output_field=IntegerField()), Value(0)))
        .order_by(
            F("leader_vacant_since").desc(nulls_last=True), "studio__town__order", "studio__name"
        )
    )


def contact_pair_list_queryset(qs: QuerySet) -> QuerySet:
    return (
        qs.select_related("party_member", "non_party_member", "term")
        .annotate(record_count=Count("records"))
        .order_by("party_member__name_pinyin", "non_party_member__name_pinyin", "pk")
    )


# --- to-dos on the home pages (registered in apps.py) -------------------------------------------


def todo_studio_upkeep(user) -> list:
    """Town studios outside CPPCC_TOWN_STUDIO_SIZE (counted by the rule the list's ?off_size=1
    applies) and Party groups waiting for a new leader, among what the person may see."""
    from cppcc.navigation import TodoItem, todo_url

    # Counted with the page's other to-dos (cppcc.navigation reads a QuerySet's count).
    off_size = off_size_studios(Studio.objects.visible_to(user))
    vacant = PartyGroup.objects.visible_to(user).filter(leader_vacant_since__isnull=False)
    low, high = town_studio_size()
    return [
        TodoItem(
            _("人数不在%(low)d–%(high)d人的镇街工作室") % {"low": low, "high": high},
            off_size,
            todo_url("studios:list", {"off_size": 1}),
        ),
        TodoItem(
            _("待调整组长的党小组"),
            vacant,
            todo_url("studios:party_group_list", {"needs_leader": 1}, fallback="studios:list"),
            level="danger",
        ),
    ]


def todo_unplaced_members(user) -> list:
    """Active members with no town studio seat (unassigned_members, the rule the member list's
    no_studio filter applies), among the members the person may see."""
    from cppcc.navigation import TodoItem, todo_url

    count = Member.objects.visible_to(user).filter(pk__in=unassigned_members().values("pk"))
    return [
        TodoItem(
            _("未分配工作室的委员"),
            count,
            todo_url("members:list", {"no_studio": 1}),
        )
    ]


def todo_member_studio(user) -> list:
    """A member's duty days ahead and their studios' coming activities (the /portal/ block
    lists them)."""
    from django.db.models import Min

    from cppcc.navigation import Pending, TodoItem, one_row, todo_url

    if not user.member_id:
        return []
    today = timezone.localdate()
    # Read with the page's other to-dos (cppcc.navigation); the colour follows the first day.
    duties = DutyShift.objects.filter(member_id=user.member_id, date__gte=today)
    studios = StudioMembership.objects.filter(member_id=user.member_id, end_on__isnull=True).values(
        "studio_id"
    )
    activities = Activity.objects.filter(studio_id__in=studios, date__gte=today)
    return [
        TodoItem(
            _("我的值日安排"),
            duties,
            todo_url("portal", anchor="portal-studios"),
            level=lambda first: "warning" if first and (first - today).days <= 3 else "info",
            due=Pending((one_row(duties, first=Min("date")),), lambda rows: rows[0]["first"]),
        ),
        TodoItem(
            _("工作室近期活动"),
            activities,
            todo_url("portal", anchor="portal-studios"),
            level="info",
        ),
    ]
