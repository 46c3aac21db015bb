"""The member's consultations block on /portal/ (registered in consultations.apps)."""

import datetime

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from .models import ConsultationMeeting, Matter, MeetingAttendance

UPCOMING_SHOWN = 8
PAST_SHOWN = 8


def portal_context(member, today: datetime.date | None = None) -> dict | None:
    """The matters the member proposed or attended, the meetings coming up in their studios'
    towns or on their matters (planned meetings have no attendance yet, so they are found by
    town), and the meetings they were at, with dates. Two queries: the matters, and the coming
    and attended meetings together."""
    from studios.models import StudioMembership

    today = today or timezone.localdate()
    # The access rule's subqueries (Matter.objects.member_q): no OR across joins, no DISTINCT.
    matters = list(
        Matter.objects.filter(Matter.objects.member_q(member.pk))
        .select_related("town")
        # What the block shows: fewer columns to select and to build (issue 13).
        .only("title", "year", "step", "status", "town__name")
        .order_by("-year", "town__order", "id")[:10]
    )
    towns = StudioMembership.objects.filter(
        member=member, end_on__isnull=True, studio__town__isnull=False
    ).values("studio__town_id")
    proposed = Matter.proposers.through.objects.filter(member_id=member.pk).values("matter_id")
    coming = Q(deleted_at__isnull=True, date__gte=today) & (
        Q(town_id__in=towns) | Q(matter_id__in=proposed)
    )
    my_rows = MeetingAttendance.objects.filter(member_id=member.pk)
    first_coming = (ConsultationMeeting.objects.filter(coming).order_by("date", "id").values("pk"))[
        :UPCOMING_SHOWN
    ]
    # A meeting attended is listed from the attendance row, as before: a meeting in the trash
    # included, hence all_objects below.
    last_attended = (
        my_rows.filter(meeting__date__lt=today)
        .order_by("-meeting__date", "-meeting_id")
        .values("meeting_id")
    )[:PAST_SHOWN]
    # Both sides as one UNION of ids, each read through its index and cut to its first rows (an
    # OR of the two filtered every meeting of the county).
    ids = (
        ConsultationMeeting.all_objects.filter(pk__in=first_coming)
        .values("pk")
        .union(ConsultationMeeting.all_objects.filter(pk__in=last_attended).values("pk"))
    )
    meetings = list(
        ConsultationMeeting.all_objects.filter(pk__in=ids)
        .select_related("matter", "town")
        .only("date", "kind", "topic", "place", "matter__title", "town__name")
        .annotate(
            my_status=Subquery(
                my_rows.filter(meeting=OuterRef("pk")).order_by().values("status")[:1]
            )
        )
    )
    upcoming = sorted((m for m in meetings if m.date >= today), key=lambda m: (m.date, m.pk))
    # Unsaved attendance rows, so that the template reads the status label as from saved ones.
    past = [
        MeetingAttendance(meeting=m, member_id=member.pk, status=m.my_status)
        for m in sorted(
            (m for m in meetings if m.date < today), key=lambda m: (m.date, m.pk), reverse=True
        )
    ]
    if not matters and not upcoming and not past:
        return None
    return {"matters": matters, "upcoming": upcoming, "past": past, "today": today}
