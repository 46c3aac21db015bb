"""What consultation meetings add to the duty ledger (members.duty): members present at a
meeting held by today, dated the meeting's day. Registered from ConsultationsConfig.ready()."""

from django.urls import reverse
from django.utils.translation import gettext as _

from members.duty import Fact, Scope, Source, Touch, Watch, key_of, members_touch, source_key
from members.models import DutyKind
from studios.models import Attendance

from .models import ConsultationMeeting, MeetingAttendance, MeetingKind


def meeting_facts(scope: Scope) -> list[Fact]:
    rows = scope.filter(
        MeetingAttendance.objects.filter(
            status=Attendance.PRESENT,
            meeting__date__lte=scope.today,
            meeting__deleted_at__isnull=True,
        ),
        "member_id",
        "meeting__date",
    ).values_list(
        "member_id",
        "meeting_id",
        "meeting__date",
        "meeting__kind",
        "meeting__topic",
        "meeting__matter__title",
    )
    return [
        Fact(
            member_id,
            DutyKind.CONSULTATION_MEETING,
            day,
            key_of(ConsultationMeeting, meeting_id),
            _("参加%(kind)s：%(topic)s")
            % {"kind": MeetingKind(kind).label, "topic": topic or matter or ""},
            reverse("consultations:meeting_detail", args=[meeting_id]),
        )
        for member_id, meeting_id, day, kind, topic, matter in rows
    ]


def _meeting_touch(meeting: ConsultationMeeting, deleted: bool) -> Touch:
    key = source_key(meeting)
    # Moved to the trash (alone or with its matter): its entries go as if it were deleted.
    if deleted or meeting.deleted_at is not None:
        return Touch(sources=(key,))
    pk = meeting.pk

    def attendees():
        members = MeetingAttendance.objects.filter(meeting_id=pk).values_list("member_id")
        return [(m, None) for (m,) in members]

    return Touch(sources=(key,), later=(attendees,))


SOURCES = (
    Source(
        "consultations.meetings",
        meeting_facts,
        (Watch(MeetingAttendance, members_touch), Watch(ConsultationMeeting, _meeting_touch)),
    ),
)
