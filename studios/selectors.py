"""Reads that check access for towns, studios and what hangs off them, and the annotated reads
the studio pages, the API and the portal share (so a count never disagrees with itself)."""

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from cppcc.roles import Role, clerk_town_id, has_role, is_countywide


def scope_to_town(qs: QuerySet, user) -> QuerySet:
    """The access rule for every town-scoped record (the queryset class names its paths):
    county roles see all; a town clerk sees their town's rows; a member sees the rows of their
    own studios (or their own rows, as the queryset says); anyone else sees nothing."""
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_countywide(user):
        return qs
    town_id = clerk_town_id(user)
    if town_id is not None:
        return qs.filter(pk__in=qs.model.objects.filter(**{qs.town_path: town_id}).values("pk"))
    if has_role(user, Role.MEMBER) and user.member_id:
        return qs.filter(pk__in=qs.model.objects.filter(qs.member_q(user.member_id)).values("pk"))
    return qs.none()


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
    from members.models import Term

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


def with_studio_counts(qs: QuerySet, year: int | None = None) -> QuerySet:
    """Studios annotated with what the list, the API and the reports show per studio."""
    from members.models import PartyAffiliation

    from .models import Activity, MembershipRole, Problem, ProblemStatus, StudioMembership

    year = year or timezone.localdate().year
    current = StudioMembership.objects.filter(end_on__isnull=True)
    return qs.select_related("town", "leader").annotate(
        member_count=_count(current),
        core_count=_count(current.filter(role=MembershipRole.CORE)),
        linked_count=_count(current.filter(role=MembershipRole.LINKED)),
        party_count=_count(current.filter(member__party=PartyAffiliation.CPC)),
        activities_this_year=_count(Activity.objects.filter(date__year=year)),
        open_problems=_count(Problem.objects.exclude(status=ProblemStatus.SOLVED)),
        solved_problems=_count(Problem.objects.filter(status=ProblemStatus.SOLVED)),
    )


def size_flag(studio) -> str:
    """'' when a town studio's size is inside the configured range, else 'small' or 'large'.
    Sector studios have no size rule."""
    from .models import StudioKind

    if studio.kind != StudioKind.TOWN:
        return ""
    low, high = town_studio_size()
    n = studio.member_count
    return "small" if n < low else "large" if n > high else ""


def unassigned_members(term=None) -> QuerySet:
    """Active members with no current town studio in the term: every active member belongs to
    exactly one, so this list is the office's to-do."""
    from members.models import Member

    from .models import StudioMembership

    term = term or current_term()
    placed = StudioMembership.objects.filter(is_town_studio=True, end_on__isnull=True)
    if term is not None:
        placed = placed.filter(term=term)
    return Member.objects.active().exclude(pk__in=placed.values("member_id"))


def current_memberships(studio) -> QuerySet:
    from .models import StudioMembership

    return (
        StudioMembership.objects.filter(studio=studio, end_on__isnull=True)
        .select_related("member", "member__sector", "member__special_committee")
        .order_by("role", "member__name_pinyin", "member_id")
    )


def is_current_member(studio, member) -> bool:
    from .models import StudioMembership

    return StudioMembership.objects.filter(
        studio=studio, member=member, end_on__isnull=True
    ).exists()


def party_group_members(group) -> QuerySet:
    """The group's members are derived: the studio's current Party-member members."""
    from members.models import Member, PartyAffiliation

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
    from .models import Attendance

    return qs.annotate(
        present_count=Count("attendances", filter=Q(attendances__status=Attendance.PRESENT)),
        leave_count=Count("attendances", filter=Q(attendances__status=Attendance.LEAVE)),
        absent_count=Count("attendances", filter=Q(attendances__status=Attendance.ABSENT)),
    )


def attendance_totals(activity) -> dict[str, int]:
    """Present / leave / absent counts of one activity (the page and the API show these)."""
    from .models import Attendance

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
    from .models import HonoraryVillageHead, StudioKind

    qs = HonoraryVillageHead.objects.select_related("member", "village", "village__town")
    if studio.kind == StudioKind.TOWN:
        return qs.filter(village__town_id=studio.town_id)
    return qs.filter(
        member__studio_memberships__studio=studio, member__studio_memberships__end_on__isnull=True
    )


def portal_context(member, today: datetime.date | None = None) -> dict | None:
    """The member's studio block on /portal/: their studios and role, Party groups with leader,
    upcoming activities of those studios and their own duty days."""
    from .models import Activity, DutyShift, PartyGroup, StudioMembership

    today = today or timezone.localdate()
    memberships = list(
        StudioMembership.objects.filter(member=member, end_on__isnull=True)
        .select_related("studio", "studio__town")
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
    groups = sorted(
        party_groups_with_branch(PartyGroup.objects.filter(studio_id__in=studio_ids)),
        key=lambda g: studio_ids.index(g.studio_id),  # the town studio's group first, as above
    )
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
    from .models import PartyGroup, Studio

    return (
        Studio.objects.visible_to(user)
        .select_related("town", "town__united_front_officer", "leader")
        .prefetch_related(
            Prefetch("party_group", queryset=party_groups_with_branch(PartyGroup.objects.all()))
        )
    )
