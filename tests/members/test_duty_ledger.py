"""The duty ledger (members.duty): each source, the rules and caps, keeping it current, flags."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from consultations.models import ConsultationMeeting, MeetingAttendance
from members import duty, workflow
from members.models import (
    CommitteeSession,
    DutyEntry,
    DutyKind,
    LeaveRequest,
    PartyAffiliation,
    PointsRule,
    SessionAttendance,
)
from proposals.models import (
    LeaderInstruction,
    OpinionAdoption,
    OpinionReport,
    ProposalCosigner,
)
from studios import services as studio_services
from studios.models import (
    Activity,
    ActivityAttendance,
    ContactPair,
    ContactRecord,
    DutyShift,
    HonoraryVillageHead,
    Village,
)
from tests.factories import CommitteeSessionFactory, MemberFactory, ProposalFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year
LAST_YEAR = YEAR - 1


def day(month: int, dd: int, year: int = LAST_YEAR) -> datetime.date:
    return datetime.date(year, month, dd)


def entries(member, kind=None):
    qs = DutyEntry.objects.filter(member=member).order_by("date", "id")
    return list(qs.filter(kind=kind) if kind else qs)


def points(member, kind=None) -> list[Decimal]:
    return [e.points for e in entries(member, kind)]


def past_session(term, kind="plenary", on=None, **kwargs) -> CommitteeSession:
    on = on or day(3, 1)
    return CommitteeSessionFactory(
        term=term,
        kind=kind,
        starts_on=on,
        ends_on=on + datetime.timedelta(days=2),
        proposals_open_on=None,
        proposals_close_on=None,
        **kwargs,
    )


def activity(studio, on=None, title="茶园夜话") -> Activity:
    return Activity.objects.create(
        studio=studio, kind="tea_talk", title=title, date=on or day(5, 1)
    )


# --- sources ---------------------------------------------------------------------------------
def test_plenary_attendance_counts_by_status_on_the_session_day(term, member_a, member_b):
    session = past_session(term, on=day(3, 1))
    SessionAttendance.objects.create(session=session, member=member_a, status="present")
    SessionAttendance.objects.create(session=session, member=member_b, status="absent")
    duty.rebuild()
    [present] = entries(member_a)
    assert (present.kind, present.date, present.points, present.year) == (
        DutyKind.PLENARY_PRESENT,
        day(3, 1),
        Decimal(5),
        LAST_YEAR,
    )
    assert present.source == f"members.committeesession:{session.pk}"
    assert present.url == f"/members/sessions/{session.pk}/"
    [absent] = entries(member_b)
    assert (absent.kind, absent.points) == (DutyKind.PLENARY_ABSENT, Decimal(-5))


def test_standing_meeting_counts_and_chairpersons_meeting_does_not(term, member_a):
    standing = past_session(term, kind="standing", on=day(4, 1), audience="standing")
    chair = past_session(term, kind="chair", on=day(4, 2), audience="chair")
    SessionAttendance.objects.create(session=standing, member=member_a, status="present")
    SessionAttendance.objects.create(session=chair, member=member_a, status="present")
    duty.rebuild()
    assert [(e.kind, e.points) for e in entries(member_a)] == [
        (DutyKind.STANDING_PRESENT, Decimal(3))
    ]


def test_leave_approval_turns_an_absence_into_leave(
    term, member_a, office_user, django_capture_on_commit_callbacks
):
    session = past_session(term)
    leave = LeaveRequest.objects.create(session=session, member=member_a, reason="出差")
    with django_capture_on_commit_callbacks(execute=True):
        SessionAttendance.objects.create(session=session, member=member_a, status="absent")
    assert [e.kind for e in entries(member_a)] == [DutyKind.PLENARY_ABSENT]
    with django_capture_on_commit_callbacks(execute=True):
        workflow.leave_request_approve(leave, by=office_user)
    [entry] = entries(member_a)
    assert (entry.kind, entry.points) == (DutyKind.PLENARY_LEAVE, Decimal(0))


def test_approved_leave_counts_as_leave_before_attendance_is_recorded(term, member_a):
    session = past_session(term)
    LeaveRequest.objects.create(session=session, member=member_a, reason="病假", status="approved")
    duty.rebuild()
    assert [e.kind for e in entries(member_a)] == [DutyKind.PLENARY_LEAVE]


def test_studio_activity_counts_only_present_members_at_held_activities(
    gunan_studio, member_a, member_b
):
    held = activity(gunan_studio, day(5, 1))
    ActivityAttendance.objects.create(activity=held, member=member_a, status="present")
    ActivityAttendance.objects.create(activity=held, member=member_b, status="absent")
    coming = activity(gunan_studio, TODAY + datetime.timedelta(days=3))
    ActivityAttendance.objects.create(activity=coming, member=member_a, status="present")
    duty.rebuild()
    [entry] = entries(member_a)
    assert (entry.kind, entry.date, entry.points) == (DutyKind.STUDIO_ACTIVITY, day(5, 1), 2)
    assert entry.title == "参加工作室活动：茶园夜话"
    assert entries(member_b) == []


def test_recording_an_activity_with_bulk_attendance_fills_the_ledger(
    gunan_studio, member_a, office_user, django_capture_on_commit_callbacks
):
    """record_activity bulk-creates attendance (no row signals): the activity's own save,
    resolved at commit, picks the attendees up."""
    with django_capture_on_commit_callbacks(execute=True):
        studio_services.record_activity(
            gunan_studio,
            {"kind": "courtyard", "title": "院坝会", "date": day(6, 1)},
            {member_a.pk: "present"},
            by=office_user,
        )
    assert [e.kind for e in entries(member_a)] == [DutyKind.STUDIO_ACTIVITY]


def test_duty_days_count_once_their_day_has_come(gunan_studio, member_a):
    DutyShift.objects.create(studio=gunan_studio, member=member_a, date=TODAY)
    DutyShift.objects.create(
        studio=gunan_studio, member=member_a, date=TODAY + datetime.timedelta(days=1)
    )
    duty.rebuild()
    [entry] = entries(member_a)
    assert (entry.kind, entry.date, entry.points) == (DutyKind.DUTY_DAY, TODAY, Decimal(1))


def test_honorary_posting_counts_once_per_year_it_covers(gunan, member_a):
    village = Village.objects.create(town=gunan, name="永新村")
    HonoraryVillageHead.objects.create(member=member_a, village=village, start_on=day(9, 15))
    duty.rebuild()
    assert [(e.kind, e.date) for e in entries(member_a)] == [
        (DutyKind.HONORARY_HEAD, day(9, 15)),
        (DutyKind.HONORARY_HEAD, datetime.date(YEAR, 1, 1)),
    ]


def test_contact_record_counts_for_the_party_member(term, member_a, member_b):
    member_a.party = PartyAffiliation.CPC
    member_a.save(update_fields=["party"])
    pair = ContactPair.objects.create(
        party_member=member_a, non_party_member=member_b, term=term, since=day(1, 5)
    )
    ContactRecord.objects.create(pair=pair, date=day(2, 3), way="visit", content="走访")
    duty.rebuild()
    [entry] = entries(member_a)
    assert (entry.kind, entry.date, entry.title) == (
        DutyKind.CONTACT_RECORD,
        day(2, 3),
        "联系党外委员：李东溪",
    )
    assert entries(member_b) == []


def test_consultation_meeting_counts_present_members(gunan, member_a, member_b):
    meeting = ConsultationMeeting.objects.create(
        town=gunan, kind="regular", topic="农村公路养护", date=day(7, 7), place="街道会议室"
    )
    MeetingAttendance.objects.create(meeting=meeting, member=member_a, status="present")
    MeetingAttendance.objects.create(meeting=meeting, member=member_b, status="leave")
    duty.rebuild()
    [entry] = entries(member_a)
    assert (entry.kind, entry.date, entry.points) == (
        DutyKind.CONSULTATION_MEETING,
        day(7, 7),
        Decimal(2),
    )
    assert entry.title == "参加协商工作例会：农村公路养护"
    assert entries(member_b) == []


def test_proposal_counts_lead_cosigner_registration_key_and_excellent(term, member_a, member_b):
    registered_at = timezone.make_aware(datetime.datetime(LAST_YEAR, 3, 20, 10))
    proposal = ProposalFactory(
        term=term,
        lead_proposer=member_a,
        status="registered",
        serial=7,
        number="7",
        submitted_on=day(3, 2),
        registered_at=registered_at,
        is_key=True,
        is_excellent=True,
        supervising_leader="王主席",
    )
    ProposalCosigner.objects.create(
        proposal=proposal,
        member=member_b,
        status="confirmed",
        confirmed_at=timezone.make_aware(datetime.datetime(LAST_YEAR, 3, 4, 9)),
    )
    ProposalFactory(term=term, lead_proposer=member_b)  # a draft: nothing
    duty.rebuild()
    assert {(e.kind, e.date, e.points) for e in entries(member_a)} == {
        (DutyKind.PROPOSAL_LEAD, day(3, 2), Decimal(3)),
        (DutyKind.PROPOSAL_REGISTERED, day(3, 20), Decimal(2)),
        (DutyKind.PROPOSAL_KEY, day(3, 20), Decimal(3)),
        (DutyKind.PROPOSAL_EXCELLENT, day(3, 20), Decimal(5)),
    }
    assert [(e.kind, e.date) for e in entries(member_b)] == [(DutyKind.PROPOSAL_COSIGN, day(3, 4))]


def test_opinion_report_counts_submission_adoption_and_instruction(member_a, member_b):
    report = OpinionReport.objects.create(
        title="关于农村饮水安全的建议", situation="…", suggestion="…", submitted_on=day(4, 1)
    )
    report.members.set([member_a, member_b])
    OpinionAdoption.objects.create(report=report, level="city", adopted_on=day(5, 2), source="x")
    LeaderInstruction.objects.create(
        report=report, level="district", leader="区长", text="请水利局研办", instructed_on=day(5, 9)
    )
    duty.rebuild()
    for member in (member_a, member_b):
        assert [(e.kind, e.date, e.points) for e in entries(member)] == [
            (DutyKind.OPINION_SUBMITTED, day(4, 1), Decimal(1)),
            (DutyKind.OPINION_ADOPTED_CITY, day(5, 2), Decimal(4)),
            (DutyKind.OPINION_INSTRUCTION, day(5, 9), Decimal(5)),
        ]


# --- rules -----------------------------------------------------------------------------------
def test_yearly_cap_gives_what_is_left_then_nothing(gunan_studio, member_a):
    PointsRule.objects.filter(kind=DutyKind.STUDIO_ACTIVITY).update(
        points=Decimal(3), yearly_cap=Decimal(10)
    )
    for i in range(5):
        held = activity(gunan_studio, day(5, 1 + i), title=f"活动{i}")
        ActivityAttendance.objects.create(activity=held, member=member_a)
    # The next year starts from nothing again.
    again = activity(gunan_studio, datetime.date(YEAR, 1, 2))
    ActivityAttendance.objects.create(activity=again, member=member_a)
    duty.rebuild(today=max(TODAY, datetime.date(YEAR, 1, 2)))
    assert points(member_a) == [3, 3, 3, 1, 0, 3]


def test_cap_applies_to_deductions_too(term, member_a):
    PointsRule.objects.filter(kind=DutyKind.PLENARY_ABSENT).update(yearly_cap=Decimal(8))
    for i in range(3):
        s = past_session(term, on=day(3 + i, 1), ordinal=10 + i)
        SessionAttendance.objects.create(session=s, member=member_a, status="absent")
    duty.rebuild()
    assert points(member_a) == [-5, -3, 0]


def test_a_rule_effective_mid_year_applies_only_from_its_date(gunan_studio, member_a):
    PointsRule.objects.create(
        kind=DutyKind.STUDIO_ACTIVITY, points=Decimal(4), effective_from=day(7, 1)
    )
    for on in (day(6, 30), day(7, 1), day(8, 1)):
        ActivityAttendance.objects.create(activity=activity(gunan_studio, on), member=member_a)
    duty.rebuild()
    # The new rule has no cap: the old one's 20 does not carry over.
    assert points(member_a) == [2, 4, 4]


def test_no_rule_means_zero_points_but_the_entry_is_kept(gunan_studio, member_a):
    PointsRule.objects.filter(kind=DutyKind.DUTY_DAY).delete()
    DutyShift.objects.create(studio=gunan_studio, member=member_a, date=day(5, 5))
    duty.rebuild()
    assert points(member_a, DutyKind.DUTY_DAY) == [0]


def test_changing_a_rule_recomputes_the_ledger_through_the_task(
    gunan_studio, member_a, office_user, eager_celery, django_capture_on_commit_callbacks
):
    ActivityAttendance.objects.create(activity=activity(gunan_studio, day(5, 1)), member=member_a)
    duty.rebuild()
    assert points(member_a) == [2]
    rule = PointsRule(kind=DutyKind.STUDIO_ACTIVITY, points=Decimal(6), effective_from=day(1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        duty.save_points_rule(rule, by=office_user)
    assert points(member_a) == [6]
    with django_capture_on_commit_callbacks(execute=True):
        duty.delete_points_rule(rule, by=office_user)
    assert points(member_a) == [2]


# --- keeping it current ----------------------------------------------------------------------
def test_deleting_a_source_record_removes_its_entry(
    gunan_studio, member_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        shift = DutyShift.objects.create(studio=gunan_studio, member=member_a, date=day(5, 5))
    assert [e.kind for e in entries(member_a)] == [DutyKind.DUTY_DAY]
    with django_capture_on_commit_callbacks(execute=True):
        shift.delete()
    assert entries(member_a) == []


def test_moving_an_activity_to_another_year_moves_its_entries(
    gunan_studio, member_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        held = activity(gunan_studio, day(5, 1, LAST_YEAR - 1))
        ActivityAttendance.objects.create(activity=held, member=member_a)
    with django_capture_on_commit_callbacks(execute=True):
        held.date = day(5, 1)
        held.save(update_fields=["date"])
    assert [(e.year, e.date) for e in entries(member_a)] == [(LAST_YEAR, day(5, 1))]


def test_removing_an_author_from_a_report_removes_their_entry(
    member_a, member_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        report = OpinionReport.objects.create(
            title="关于校园周边交通的建议", situation="…", suggestion="…", submitted_on=day(4, 1)
        )
        report.members.set([member_a, member_b])
    assert len(entries(member_b)) == 1
    with django_capture_on_commit_callbacks(execute=True):
        report.members.remove(member_b)
    assert entries(member_b) == []
    assert len(entries(member_a)) == 1


def test_refresh_rebuilds_after_a_bulk_write(term, member_a, django_capture_on_commit_callbacks):
    session = past_session(term)
    with django_capture_on_commit_callbacks(execute=True):
        SessionAttendance.objects.bulk_create(
            [SessionAttendance(session=session, member=member_a, status="present")]
        )
        duty.refresh([member_a.pk], [session.starts_on.year])
    assert [e.kind for e in entries(member_a)] == [DutyKind.PLENARY_PRESENT]


def test_rebuild_is_idempotent_and_limited_to_its_members_and_years(
    gunan_studio, member_a, member_b
):
    for member in (member_a, member_b):
        for on in (day(5, 1, LAST_YEAR - 1), day(5, 1)):
            DutyShift.objects.create(studio=gunan_studio, member=member, date=on)
    duty.rebuild()
    first = sorted(DutyEntry.objects.values_list("member_id", "kind", "date", "points", "source"))
    assert duty.rebuild() == 4
    assert (
        sorted(DutyEntry.objects.values_list("member_id", "kind", "date", "points", "source"))
        == first
    )
    DutyShift.objects.all().delete()  # a bulk delete: no signals
    duty.rebuild([member_a.pk], [LAST_YEAR])
    assert sorted(DutyEntry.objects.values_list("member_id", "year")) == [
        (member_a.pk, LAST_YEAR - 1),
        (member_b.pk, LAST_YEAR - 1),
        (member_b.pk, LAST_YEAR),
    ]


def test_rebuild_query_count_does_not_grow_with_members(
    gunan_studio, term, django_assert_num_queries
):
    def fill(n):
        session = past_session(term, on=day(3, 1 + n), ordinal=20 + n)
        held = activity(gunan_studio, day(5, 1 + n))
        for _ in range(n):
            member = MemberFactory()
            SessionAttendance.objects.create(session=session, member=member)
            ActivityAttendance.objects.create(activity=held, member=member)
            DutyShift.objects.create(studio=gunan_studio, member=member, date=day(6, 1))

    fill(2)
    # savepoint, lock members, rules, sessions: attendance + approved leave, activities, duty
    # shifts, honorary postings, contacts, meetings, proposals + co-signers, opinions: submitted
    # + adoptions + instructions, delete, insert, release
    with django_assert_num_queries(18):
        duty.rebuild(years=[LAST_YEAR])
    fill(6)
    with django_assert_num_queries(18):
        duty.rebuild(years=[LAST_YEAR])
    assert DutyEntry.objects.count() == 8 * 3


# --- flags -----------------------------------------------------------------------------------
def test_two_plenary_absences_without_leave_are_flagged_with_leave_not(term, member_a, member_b):
    from members.models import Member

    # Flags are for members of the current term, the ones the ranking lists.
    for member in (member_a, member_b):
        member.terms.add(term)
    for i in range(2):
        s = past_session(term, on=day(3 + i, 1), ordinal=30 + i)
        SessionAttendance.objects.create(session=s, member=member_a, status="absent")
        SessionAttendance.objects.create(session=s, member=member_b, status="absent")
        LeaveRequest.objects.create(session=s, member=member_b, reason="出差", status="approved")
    duty.rebuild()
    found = duty.flags(Member.objects.all(), LAST_YEAR)
    assert "本届无故缺席全体会议2次" in found[member_a.pk]
    assert not any("缺席" in r for r in found.get(member_b.pk, []))


def test_member_without_positive_points_in_the_year_is_flagged(
    gunan_studio, term, member_a, member_b
):
    from members.models import Member

    for member in (member_a, member_b):
        member.terms.add(term)
    DutyShift.objects.create(studio=gunan_studio, member=member_a, date=day(5, 5))
    duty.rebuild()
    found = duty.flags(Member.objects.all(), LAST_YEAR)
    assert member_a.pk not in found
    assert found[member_b.pk] == [f"{LAST_YEAR}年度无履职积分"]
    assert duty.flagged_member_ids(Member.objects.all(), LAST_YEAR) == {member_b.pk}
    # A member outside the current term owes no duties and is not flagged.
    member_b.terms.clear()
    assert member_b.pk not in duty.flags(Member.objects.all(), LAST_YEAR)
