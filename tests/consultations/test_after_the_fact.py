"""Last year's matter entered now, with the real dates: the guards compare those dates, each
step keeps the day it began, and a meeting dated before its step is refused."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from consultations import services, workflow
from consultations.models import ConsultationMeeting, MeetingKind, Step
from cppcc.workflow import WorkflowError

from .conftest import hold_meeting

LAST_YEAR = timezone.localdate().year - 1


def day(month, d):
    return datetime.date(LAST_YEAR, month, d)


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_last_years_matter_entered_through_the_api_passes_its_guards_on_the_real_dates(
    client_for, office_user, member_a, gunan, unit
):
    c = client_for(office_user)
    created = post(
        c,
        "/api/v1/matters/",
        {
            "town": gunan.pk,
            "year": LAST_YEAR,
            "title": "荷塘道路",
            "proposers": [member_a.pk],
            "proposed_on": str(day(2, 20)),
        },
    )
    assert created.status_code == 201, created.content
    url = f"/api/v1/matters/{created.json()['id']}/"
    moved = post(c, url + "advance/", {"on": str(day(3, 1)), "registration_no": f"{LAST_YEAR}-017"})
    assert moved.status_code == 200, moved.content
    assert (moved.json()["registered_on"], moved.json()["registration_no"]) == (
        str(day(3, 1)),
        f"{LAST_YEAR}-017",
    )
    assignment = {"lead_unit": unit.pk, "deadline": str(day(9, 30)), "assigned_on": str(day(3, 10))}
    assert post(c, url + "assignment/", assignment).status_code == 200
    moved = post(c, url + "advance/", {"on": str(day(3, 10))})
    assert moved.json()["step"] == Step.ASSIGNED and moved.json()["assigned_on"] == str(day(3, 10))
    # Before the day the matter reached 政府交办: refused, nothing moves.
    early = post(c, url + "advance/", {"on": str(day(3, 5))})
    assert early.status_code == 400 and "政府交办" in early.json()["detail"]
    assert post(c, url + "advance/", {"on": str(day(3, 12))}).json()["step"] == Step.PRE_MEETING
    meeting = {
        "matter": created.json()["id"],
        "kind": "pre_meeting",
        "date": str(day(3, 20)),
        "place": "春光村",
    }
    assert post(c, "/api/v1/meetings/", meeting).status_code == 201
    # The guard compares the move's day: the meeting of 3-20 was not yet held on 3-15.
    refused = post(c, url + "advance/", {"on": str(day(3, 15))})
    assert refused.status_code == 409
    assert f"日期不晚于 {day(3, 15)}" in refused.json()["detail"]
    moved = post(c, url + "advance/", {"on": str(day(3, 25))})
    assert moved.status_code == 200 and moved.json()["step"] == Step.ON_SITE
    assert moved.json()["step_dates"] == {
        "proposed": str(day(2, 20)),
        "registered": str(day(3, 1)),
        "assigned": str(day(3, 10)),
        "pre_meeting": str(day(3, 12)),
        "on_site": str(day(3, 25)),
    }
    assert moved.json()["step_entered_at"].startswith(str(day(3, 25)))


def test_a_future_move_date_is_refused(matter, office_user):
    with pytest.raises(WorkflowError, match="不能晚于今天"):
        workflow.matter_advance(
            matter, by=office_user, on=timezone.localdate() + datetime.timedelta(days=1)
        )


def test_a_meeting_dated_before_its_step_is_refused_with_the_reason(
    matter, walk_to, office_user, client_for
):
    matter = walk_to(matter, Step.ASSIGNED)
    matter = workflow.matter_advance(matter, by=office_user)  # today, into 议前协商
    today = timezone.localdate()
    reason = f"会议日期早于议题进入“议前协商”环节的日期（{today.isoformat()}）"
    with pytest.raises(WorkflowError, match=reason):
        hold_meeting(
            matter, MeetingKind.PRE_MEETING, office_user, date=today - datetime.timedelta(days=3)
        )
    response = post(
        client_for(office_user),
        "/api/v1/meetings/",
        {
            "matter": matter.pk,
            "kind": "pre_meeting",
            "place": "春光村",
            "date": str(today - datetime.timedelta(days=3)),
        },
    )
    assert response.status_code == 400 and reason in response.json()["detail"]
    assert not ConsultationMeeting.objects.exists()
    meeting = hold_meeting(matter, MeetingKind.PRE_MEETING, office_user)
    with pytest.raises(WorkflowError, match=reason):
        services.update_meeting(
            meeting, {"date": today - datetime.timedelta(days=1)}, by=office_user
        )
    meeting.refresh_from_db()
    assert meeting.date == today


def test_the_matter_page_moves_on_the_date_given(client_for, office_user, member_a, gunan, unit):
    matter = services.create_matter(
        gunan,
        {"title": "路灯", "year": LAST_YEAR, "proposed_on": day(1, 10)},
        [member_a],
        by=office_user,
    )
    c = client_for(office_user)
    response = c.post(
        reverse("consultations:matter_register", args=[matter.pk]),
        {"registered_on": str(day(1, 20)), "number": f"{LAST_YEAR}-101"},
    )
    assert response.status_code == 302
    response = c.post(
        reverse("consultations:matter_assignment", args=[matter.pk]),
        {"lead_unit": unit.pk, "deadline": str(day(6, 30)), "assigned_on": str(day(2, 1))},
    )
    assert response.status_code == 302
    matter.refresh_from_db()
    assert (matter.step, matter.assigned_on) == (Step.ASSIGNED, day(2, 1))
    page = c.get(matter.get_absolute_url()).content.decode()
    assert 'type="date"' in page and "补录往年议题" in page
    response = c.post(
        reverse("consultations:matter_advance", args=[matter.pk]),
        {"step": Step.ASSIGNED, "status": "active", "note": "", "on": str(day(2, 5))},
    )
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.step == Step.PRE_MEETING
    assert timezone.localdate(matter.step_entered_at) == day(2, 5)
    # A registration dated before the matter was proposed would have been refused.
    other = services.create_matter(
        gunan,
        {"title": "水池", "year": LAST_YEAR, "proposed_on": day(5, 1)},
        [member_a],
        by=office_user,
    )
    with pytest.raises(WorkflowError, match="委员提案"):
        workflow.matter_register(other, by=office_user, registered_on=day(4, 1))
