"""Matter and meeting rules outside the step moves: the annual topic, access scoping, meetings,
outcome and progress (consultations.services, consultations.selectors)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from consultations import services, workflow
from consultations.models import ConsultationMeeting, Matter, MeetingKind, Step, UnitProgress
from cppcc.workflow import WorkflowError

from ..factories import HandlingUnitFactory, UserFactory
from .conftest import YEAR, hold_meeting

TODAY = timezone.localdate()


# --- one annual topic per town and year ------------------------------------------------------


def test_a_town_has_one_annual_topic_a_year(matter, new_matter):
    with pytest.raises(WorkflowError, match="每个镇街每年只能有一个"):
        new_matter(title="场镇停车难", is_annual_topic=True)
    assert Matter.objects.filter(is_annual_topic=True).count() == 1


def test_other_matters_and_other_years_and_towns_are_not_limited(matter, new_matter, dongxi):
    new_matter(title="小区院坝改造")  # not the annual topic
    new_matter(title="去年的议题", is_annual_topic=True, year=YEAR - 1)
    new_matter(title="东溪镇议题", is_annual_topic=True, town=dongxi, proposers=[])
    assert Matter.objects.filter(is_annual_topic=True).count() == 3


def test_the_database_refuses_a_second_annual_topic_too(matter, new_matter):
    other = new_matter(title="场镇停车难")
    with pytest.raises(IntegrityError), transaction.atomic():
        Matter.objects.filter(pk=other.pk).update(is_annual_topic=True)


def test_marking_a_matter_annual_is_checked_on_update(matter, new_matter, office_user):
    other = new_matter(title="场镇停车难")
    with pytest.raises(WorkflowError, match="只能有一个"):
        services.update_matter(other, {"is_annual_topic": True}, by=office_user)
    other.refresh_from_db()
    assert not other.is_annual_topic


# --- creating and editing --------------------------------------------------------------------


def test_a_town_clerk_cannot_create_a_matter_for_another_town(dongxi, member_a, town_user):
    with pytest.raises(PermissionDenied):
        services.create_matter(dongxi, {"title": "越权", "year": YEAR}, [member_a], by=town_user)
    assert not Matter.objects.exists()


def test_a_matter_needs_a_title(gunan, member_a, office_user):
    with pytest.raises(WorkflowError, match="议题名称"):
        services.create_matter(gunan, {"title": " ", "year": YEAR}, [member_a], by=office_user)


def test_a_registered_matter_keeps_at_least_one_proposer(matter, walk_to, office_user):
    walk_to(matter, Step.REGISTERED)
    with pytest.raises(WorkflowError, match="至少保留一名"):
        services.update_matter(matter, {}, [], by=office_user)
    assert matter.proposers.count() == 1


def test_a_departed_member_cannot_propose(gunan, member_a, office_user):
    member_a.status = "left"
    member_a.save(update_fields=["status"])
    with pytest.raises(WorkflowError, match="不在职"):
        services.create_matter(gunan, {"title": "x", "year": YEAR}, [member_a], by=office_user)


# --- access ----------------------------------------------------------------------------------


@pytest.fixture
def two_towns(matter, new_matter, dongxi, member_b, walk_to, unit, other_unit, office_user):
    """古南's matter assigned to 区交通局; 东溪's assigned to 区住房城乡建委; both at 议前协商."""
    walk_to(matter, Step.PRE_MEETING)
    theirs = new_matter(title="东溪镇场镇停车难", town=dongxi, proposers=[member_b])
    workflow.matter_advance(theirs, by=office_user)
    services.set_assignment(
        theirs,
        lead_unit=other_unit,
        deadline=TODAY + datetime.timedelta(days=30),
        by=office_user,
    )
    workflow.matter_advance(theirs, by=office_user)
    workflow.matter_advance(Matter.objects.get(pk=theirs.pk), by=office_user)
    return matter, Matter.objects.get(pk=theirs.pk)


def visible(user):
    return set(Matter.objects.visible_to(user).values_list("title", flat=True))


def test_a_unit_sees_only_the_matters_assigned_to_it(two_towns, unit_user):
    assert visible(unit_user) == {"春光村荷塘养虾基地建设"}


def test_a_unit_login_without_a_unit_sees_nothing(two_towns):
    assert visible(UserFactory(username="t-unit-x", roles=["unit"])) == set()


def test_a_town_clerk_sees_only_their_town(two_towns, town_user, other_town_user):
    assert visible(town_user) == {"春光村荷塘养虾基地建设"}
    assert visible(other_town_user) == {"东溪镇场镇停车难"}


def test_county_roles_see_every_town(two_towns, office_user, leader_user):
    assert (
        visible(office_user)
        == visible(leader_user)
        == {
            "春光村荷塘养虾基地建设",
            "东溪镇场镇停车难",
        }
    )


def test_a_member_sees_what_they_proposed_or_attended(two_towns, member_user, member_b_user):
    mine, theirs = two_towns
    assert visible(member_user) == {mine.title}
    hold_meeting(theirs, MeetingKind.PRE_MEETING, theirs.created_by, date=TODAY)
    meeting = ConsultationMeeting.objects.get(matter=theirs)
    services.update_meeting(
        meeting, {}, attendance={member_user.member_id: "present"}, by=theirs.created_by
    )
    assert visible(member_user) == {mine.title, theirs.title}
    assert set(ConsultationMeeting.objects.visible_to(member_user)) == {meeting}


def test_a_unit_sees_meetings_of_its_matters(two_towns, unit_user, office_user):
    mine, theirs = two_towns
    own = hold_meeting(mine, MeetingKind.PRE_MEETING, office_user)
    hold_meeting(theirs, MeetingKind.PRE_MEETING, office_user)
    assert list(ConsultationMeeting.objects.visible_to(unit_user)) == [own]


# --- meetings --------------------------------------------------------------------------------


def test_a_meeting_records_attendance_for_many_members(matter, walk_to, office_user):
    from ..factories import MemberFactory

    walk_to(matter, Step.PRE_MEETING)
    people = MemberFactory.create_batch(4)
    marks = {people[0].pk: "present", people[1].pk: "present", people[2].pk: "leave"}
    marks[people[3].pk] = "absent"
    meeting = hold_meeting(matter, MeetingKind.PRE_MEETING, office_user, officials_count=5)
    services.update_meeting(meeting, {}, attendance=marks, by=office_user)
    assert dict(meeting.attendances.values_list("member_id", "status")) == marks


def test_attendance_cannot_be_taken_for_a_meeting_not_yet_held(matter, walk_to, office_user):
    walk_to(matter, Step.PRE_MEETING)
    with pytest.raises(WorkflowError, match="尚未召开"):
        services.record_meeting(
            {"kind": "pre_meeting", "date": TODAY + datetime.timedelta(days=2), "place": "村委会"},
            matter=matter,
            attendance={matter.proposers.get().pk: "present"},
            by=office_user,
        )
    assert not ConsultationMeeting.objects.exists()


def test_a_regular_meeting_stands_without_a_matter(gunan, town_user):
    meeting = services.record_meeting(
        {"kind": "regular", "date": TODAY, "place": "街道会议室", "topic": "三季度协商工作例会"},
        town=gunan,
        by=town_user,
    )
    assert meeting.matter is None and meeting.town == gunan


def test_a_step_meeting_needs_a_matter(gunan, town_user):
    with pytest.raises(WorkflowError, match="须关联一个议题"):
        services.record_meeting(
            {"kind": "on_site", "date": TODAY, "place": "现场"}, town=gunan, by=town_user
        )


def test_a_meeting_with_a_bad_task_writes_nothing(matter, walk_to, office_user, unit):
    walk_to(matter, Step.PRE_MEETING)
    with pytest.raises(WorkflowError, match="责任单位或责任人"):
        services.record_meeting(
            {"kind": "pre_meeting", "date": TODAY, "place": "村委会"},
            matter=matter,
            tasks=[
                {"description": "测量路面", "unit": unit, "due_on": TODAY},
                {"description": "入户走访", "due_on": TODAY},
            ],
            by=office_user,
        )
    assert not ConsultationMeeting.objects.exists()


def test_the_only_held_meeting_of_a_passed_step_cannot_move_into_the_future(
    matter, walk_to, office_user
):
    walk_to(matter, Step.ON_SITE)
    meeting = ConsultationMeeting.objects.get(matter=matter, kind="pre_meeting")
    with pytest.raises(WorkflowError, match="日期不能晚于该日|不能改到将来"):
        services.update_meeting(
            meeting, {"date": TODAY + datetime.timedelta(days=3)}, by=office_user
        )
    meeting.refresh_from_db()
    assert meeting.date <= TODAY


def test_a_clerk_cannot_record_meetings_in_another_town(matter, walk_to, other_town_user):
    walk_to(matter, Step.PRE_MEETING)
    with pytest.raises(PermissionDenied):
        hold_meeting(matter, MeetingKind.PRE_MEETING, other_town_user)


# --- outcome and progress --------------------------------------------------------------------


def test_outcome_waits_for_supervision(matter, walk_to, office_user):
    walk_to(matter, Step.ON_SITE)
    with pytest.raises(WorkflowError, match="督办协商"):
        services.set_outcome(matter, {"solved": True}, by=office_user)
    matter.refresh_from_db()
    assert matter.solved is None


def test_a_unit_reports_progress_and_the_town_clerk_is_told(
    matter, walk_to, unit_user, town_user, other_town_user
):
    walk_to(matter, Step.SUPERVISION)
    services.record_progress(matter, "路面硬化已完成60%", by=unit_user)
    assert UnitProgress.objects.get().unit == unit_user.handling_unit
    assert town_user.notifications.filter(url=matter.get_absolute_url()).exists()
    assert not other_town_user.notifications.exists()


def test_a_unit_cannot_report_on_a_matter_not_assigned_to_it(matter, walk_to):
    walk_to(matter, Step.SUPERVISION)
    stranger = UserFactory(
        username="t-unit-y", roles=["unit"], handling_unit=HandlingUnitFactory(name="区教委")
    )
    with pytest.raises(PermissionDenied):
        services.record_progress(matter, "与我无关", by=stranger)
    assert not UnitProgress.objects.exists()


def test_a_task_cannot_be_recorded_done_in_the_future(gunan, town_user):
    with pytest.raises(WorkflowError, match="完成日期不能晚于今天"):
        services.record_meeting(
            {"kind": "regular", "date": TODAY, "place": "街道会议室"},
            town=gunan,
            tasks=[
                {
                    "description": "反馈群众",
                    "owner": "街道政协办",
                    "due_on": TODAY + datetime.timedelta(days=5),
                    "done_on": TODAY + datetime.timedelta(days=1),
                }
            ],
            by=town_user,
        )
    assert not ConsultationMeeting.objects.exists()
