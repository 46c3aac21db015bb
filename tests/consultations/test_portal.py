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


def test_portal_announces_a_planned_meeting_in_the_members_town(
    client_for, member_user, member_b_user, gunan, town_user
):
    # A 例会 planned for next week has no attendance yet; 古南's studio members see it coming.
    services.record_meeting(
        {
            "kind": MeetingKind.REGULAR,
            "date": TODAY + datetime.timedelta(days=7),
            "place": "街道三楼会议室",
            "topic": "四季度协商工作例会",
        },
        town=gunan,
        by=town_user,
    )
    mine = client_for(member_user).get(reverse("portal")).content.decode()
    assert "四季度协商工作例会" in mine and "街道三楼会议室" in mine
    theirs = client_for(member_b_user).get(reverse("portal")).content.decode()
    assert "四季度协商工作例会" not in theirs
