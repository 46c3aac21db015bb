"""A handling unit reads the meetings of the matters it may see, and no others: a matter sent
back before 政府交办 is no longer the unit's, nor are its meetings (API list, ?matter=, page)."""

import pytest
from django.urls import reverse

from consultations import workflow
from consultations.models import ConsultationMeeting, MeetingKind, Step

from .conftest import hold_meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent_back(matter, walk_to, office_user):
    """The matter reached 议前协商 with a meeting, then was sent back to 政协立案."""
    walk_to(matter, Step.PRE_MEETING)
    meeting = hold_meeting(matter, MeetingKind.PRE_MEETING, office_user)
    matter = workflow.matter_send_back(matter, reason="交办单位有误", by=office_user)
    matter = workflow.matter_send_back(matter, reason="重新立案", by=office_user)
    assert matter.step == Step.REGISTERED
    return matter, meeting


def test_unit_reads_the_meetings_of_its_assigned_matter(
    client_for, unit_user, matter, walk_to, office_user
):
    walk_to(matter, Step.PRE_MEETING)
    meeting = hold_meeting(matter, MeetingKind.PRE_MEETING, office_user)
    c = client_for(unit_user)
    listed = c.get("/api/v1/meetings/", {"matter": matter.pk}).json()["results"]
    assert [row["id"] for row in listed] == [meeting.pk]
    assert c.get(reverse("consultations:meeting_detail", args=[meeting.pk])).status_code == 200


def test_unit_no_longer_lists_meetings_of_a_matter_sent_back_before_assignment(
    client_for, unit_user, sent_back
):
    matter, meeting = sent_back
    c = client_for(unit_user)
    listed = c.get("/api/v1/meetings/").json()["results"]
    assert meeting.pk not in [row["id"] for row in listed]
    assert ConsultationMeeting.objects.visible_to(unit_user).filter(matter=matter).count() == 0


def test_unit_filtering_meetings_by_a_matter_sent_back_gets_no_rows(
    client_for, unit_user, sent_back
):
    matter, _meeting = sent_back
    response = client_for(unit_user).get("/api/v1/meetings/", {"matter": matter.pk})
    # The matter is no longer a choice the unit has: refused without naming it.
    assert response.status_code == 400
    assert "无效的选择" in response.content.decode()
    assert matter.title not in response.content.decode()


def test_unit_gets_404_on_the_meeting_page_of_a_matter_sent_back(client_for, unit_user, sent_back):
    _matter, meeting = sent_back
    c = client_for(unit_user)
    assert c.get(reverse("consultations:meeting_detail", args=[meeting.pk])).status_code == 404
    assert c.get(f"/api/v1/meetings/{meeting.pk}/").status_code == 404


def test_unit_still_reads_a_town_meeting_it_took_part_in(
    client_for, unit_user, unit, gunan, office_user
):
    from consultations import services

    meeting = services.record_meeting(
        {"kind": MeetingKind.REGULAR, "date": "2026-01-05", "place": "古南街道会议室"},
        town=gunan,
        units=[unit],
        by=office_user,
    )
    listed = client_for(unit_user).get("/api/v1/meetings/").json()["results"]
    assert [row["id"] for row in listed] == [meeting.pk]


def test_town_clerk_keeps_the_meetings_of_its_towns_matters(
    client_for, town_user, matter, walk_to, office_user
):
    walk_to(matter, Step.PRE_MEETING)
    meeting = hold_meeting(matter, MeetingKind.PRE_MEETING, office_user)
    assert ConsultationMeeting.objects.visible_to(town_user).filter(pk=meeting.pk).exists()
    listed = client_for(town_user).get("/api/v1/meetings/").json()["results"]
    assert [row["id"] for row in listed] == [meeting.pk]
