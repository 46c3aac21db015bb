"""The member's /portal/ block "我参与的协商": their matters and meetings, with dates."""

import datetime

from django.urls import reverse
from django.utils import timezone

from consultations import services
from consultations.models import MeetingKind, Step

TODAY = timezone.localdate()


def test_portal_shows_the_members_matter_and_meeting_dates(
    client_for, member_user, member_a, matter, walk_to, office_user
):
    matter = walk_to(matter, Step.PRE_MEETING)
    earlier = TODAY - datetime.timedelta(days=6)
    for date, topic in ((earlier, "荷塘选址议前协商"), (TODAY, "荷塘道路议前协商")):
        services.record_meeting(
            {
                "kind": MeetingKind.PRE_MEETING,
                "date": date,
                "place": "春光村村委会",
                "topic": topic,
            },
            matter=matter,
            attendance={member_a.pk: "present"},
            by=office_user,
        )

    html = client_for(member_user).get(reverse("portal")).content.decode()

    assert "我参与的协商" in html
    assert "春光村荷塘养虾基地建设" in html and "古南街道" in html and "议前协商" in html
    assert "荷塘道路议前协商" in html and TODAY.strftime("%Y-%m-%d") in html
    assert "荷塘选址议前协商" in html and earlier.strftime("%Y-%m-%d") in html
    assert "style=" not in html


def test_another_members_portal_does_not_show_them(
    client_for, member_b_user, member_a, matter, walk_to, office_user
):
    matter = walk_to(matter, Step.PRE_MEETING)
    services.record_meeting(
        {"kind": MeetingKind.PRE_MEETING, "date": TODAY, "place": "春光村村委会"},
        matter=matter,
        attendance={member_a.pk: "present"},
        by=office_user,
    )
    html = client_for(member_b_user).get(reverse("portal")).content.decode()
    assert "春光村荷塘养虾基地建设" not in html
    assert "我参与的协商" not in html
