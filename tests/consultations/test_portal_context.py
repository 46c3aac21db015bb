"""consultations.portal.portal_context: the coming meetings of the member's town and the meetings
they attended come from one query, each side cut to its first rows in its own order."""

import datetime

from django.utils import timezone

from consultations.models import ConsultationMeeting, MeetingAttendance, MeetingKind
from consultations.portal import PAST_SHOWN, UPCOMING_SHOWN, portal_context

TODAY = timezone.localdate()


def meeting(town, days: int, topic: str) -> ConsultationMeeting:
    return ConsultationMeeting.objects.create(
        town=town,
        kind=MeetingKind.REGULAR,
        topic=topic,
        date=TODAY + datetime.timedelta(days=days),
        place="村委会",
    )


def test_the_first_coming_and_the_last_attended_meetings(member_a, member_b, gunan, dongxi):
    coming = [meeting(gunan, d, f"将开{d}") for d in range(UPCOMING_SHOWN + 2, -1, -1)]
    attended = []
    for d in range(1, PAST_SHOWN + 3):
        held = meeting(dongxi, -d, f"已开{d}")
        MeetingAttendance.objects.create(
            meeting=held, member=member_a, status="leave" if d == 1 else "present"
        )
        attended.append(held)
    # Neither is member_a's: another town's coming meeting, and a meeting they were not at.
    meeting(dongxi, 3, "别镇将开")
    other = meeting(gunan, -1, "别人参加")
    MeetingAttendance.objects.create(meeting=other, member=member_b, status="present")

    context = portal_context(member_a)

    assert [m.topic for m in context["upcoming"]] == [f"将开{d}" for d in range(0, UPCOMING_SHOWN)]
    assert [a.meeting.topic for a in context["past"]] == [
        f"已开{d}" for d in range(1, PAST_SHOWN + 1)
    ]
    assert context["past"][0].get_status_display() == "请假"
    assert context["past"][1].status == "present"
    assert len(coming) > UPCOMING_SHOWN and len(attended) > PAST_SHOWN


def test_a_meeting_in_the_trash_is_not_announced(member_a, gunan):
    trashed = meeting(gunan, 2, "已删除")
    trashed.deleted_at = timezone.now()
    trashed.save(update_fields=["deleted_at"])
    assert portal_context(member_a) is None
