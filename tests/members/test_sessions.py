"""Sessions: who is expected, attendance writing, leave requests and their rules, the figure,
and the demo (members.services / workflow / selectors, reports.statistics.session_attendance)."""

import datetime
import threading

import pytest
from django.db import connection
from django.db.models import Count

from cppcc.models import Transition
from cppcc.workflow import ConflictError, WorkflowError
from members import demo, selectors, services, workflow
from members.models import (
    AttendanceStatus,
    CommitteeSession,
    LeaveRequest,
    LeaveStatus,
    MemberStatus,
    Post,
    SessionAttendance,
    SessionAudience,
    SessionKind,
)
from reports import statistics

from .sessions_helpers import make_members, make_session, today


@pytest.fixture
def people(term, member_a):
    """member_a (the cast's member, an ordinary 委员), two more members and two 常委."""
    member_a.terms.add(term)
    return {
        "plain": [member_a, *make_members(term, 2)],
        "standing": make_members(term, 2, post=Post.STANDING, prefix="常委"),
    }


# --- who is expected ------------------------------------------------------------------------


def test_all_members_session_expects_every_serving_member_of_the_term(term, people):
    session = make_session(term)
    expected = set(selectors.expected_members(session))
    assert expected == {*people["plain"], *people["standing"]}


def test_standing_committee_meeting_expects_only_standing_posts(term, people):
    chair = make_members(term, 1, post=Post.CHAIR, prefix="主席")[0]
    session = make_session(term, kind=SessionKind.STANDING)
    assert set(selectors.expected_members(session)) == {*people["standing"], chair}


def test_chairpersons_meeting_expects_the_chair_vice_chairs_and_secretary_general(term, people):
    chairs = [
        make_members(term, 1, post=post, prefix=str(post))[0]
        for post in (Post.CHAIR, Post.VICE_CHAIR, Post.SECRETARY_GENERAL)
    ]
    session = make_session(term, kind=SessionKind.CHAIR, audience=SessionAudience.CHAIR)
    assert set(selectors.expected_members(session)) == set(chairs)
    (counted,) = selectors.with_attendance_counts(CommitteeSession.objects.filter(pk=session.pk))
    assert counted.expected_count == 3
    # Their portal lists it; a 常委's does not.
    assert session in services.member_sessions(chairs[1])
    assert session not in services.member_sessions(people["standing"][0])


def test_member_who_left_before_the_session_is_not_expected_but_one_who_left_after_is(term, people):
    session = make_session(term, days=-30)
    gone_before, gone_after = people["plain"][1], people["plain"][2]
    for member, days in ((gone_before, -40), (gone_after, -5)):
        member.status = MemberStatus.LEFT
        member.left_on = today() + datetime.timedelta(days=days)
        member.save()
    expected = set(selectors.expected_members(session))
    assert gone_before not in expected and gone_after in expected


def test_list_counts_agree_with_expected_members(term, people):
    make_session(term, kind=SessionKind.STANDING, ordinal=1)
    make_session(term, ordinal=1)
    counted = {
        s.kind: s.expected_count
        for s in selectors.with_attendance_counts(CommitteeSession.objects.all())
    }
    assert counted == {SessionKind.PLENARY: 5, SessionKind.STANDING: 2}


# --- attendance ---------------------------------------------------------------------------


def test_attendance_is_written_replaced_and_counted(term, people, office_user):
    session = make_session(term)
    a, b, c = people["plain"]
    services.save_session_attendance(
        session,
        {a.pk: "present", b.pk: "leave", c.pk: "absent"},
        reasons={b.pk: "出差"},
        by=office_user,
    )
    assert SessionAttendance.objects.get(session=session, member=b).leave_reason == "出差"
    services.save_session_attendance(session, {a.pk: "absent", b.pk: "leave"}, by=office_user)
    rows = dict(SessionAttendance.objects.filter(session=session).values_list("member", "status"))
    assert rows == {a.pk: "absent", b.pk: "leave"}
    counted = selectors.with_attendance_counts(CommitteeSession.objects.all()).get()
    assert (counted.present_count, counted.leave_count, counted.absent_count) == (0, 1, 1)


def test_attendance_of_a_member_not_expected_is_refused_by_name(term, people, office_user):
    session = make_session(term, kind=SessionKind.STANDING)
    plain = people["plain"][0]
    with pytest.raises(WorkflowError, match=plain.name):
        services.save_session_attendance(session, {plain.pk: "present"}, by=office_user)
    assert not SessionAttendance.objects.exists()


def test_attendance_cannot_be_recorded_before_the_session(term, people, office_user):
    session = make_session(term, days=3)
    with pytest.raises(WorkflowError, match="尚未召开"):
        services.save_session_attendance(
            session, {people["plain"][0].pk: "present"}, by=office_user
        )


def test_bad_status_is_refused(term, people, office_user):
    session = make_session(term)
    with pytest.raises(WorkflowError, match="出席、请假或缺席"):
        services.save_session_attendance(session, {people["plain"][0].pk: "late"}, by=office_user)


# --- leave requests -------------------------------------------------------------------------


def test_member_files_leave_before_the_session(term, people, member_user):
    session = make_session(term, days=5)
    leave = workflow.leave_request_file(
        session, people["plain"][0], reason="出差在外", by=member_user
    )
    assert leave.status == LeaveStatus.PENDING and leave.filed_by == member_user


@pytest.mark.parametrize("days", [0, -1])
def test_leave_after_the_session_started_is_refused_in_chinese(term, people, member_user, days):
    session = make_session(term, days=days, length=2)
    with pytest.raises(WorkflowError, match="开始，不能再请假"):
        workflow.leave_request_file(session, people["plain"][0], reason="出差", by=member_user)
    assert not LeaveRequest.objects.exists()


def test_leave_needs_a_reason_and_an_expected_member(term, people, member_user):
    session = make_session(term, kind=SessionKind.STANDING, days=5)
    with pytest.raises(WorkflowError, match="请填写请假事由"):
        workflow.leave_request_file(session, people["standing"][0], reason=" ", by=member_user)
    with pytest.raises(WorkflowError, match="不在"):
        workflow.leave_request_file(session, people["plain"][0], reason="出差", by=member_user)


def test_second_open_request_is_refused_but_a_refused_one_may_be_asked_again(
    term, people, member_user, office_user
):
    session = make_session(term, days=5)
    member = people["plain"][0]
    first = workflow.leave_request_file(session, member, reason="出差", by=member_user)
    with pytest.raises(ConflictError):
        workflow.leave_request_file(session, member, reason="又出差", by=member_user)
    workflow.leave_request_refuse(first, by=office_user, note="会议重要，请参会")
    again = workflow.leave_request_file(session, member, reason="住院", by=member_user)
    assert again.status == LeaveStatus.PENDING


def test_approve_and_refuse_write_transition_rows(term, people, member_user, office_user):
    session = make_session(term, days=5)
    a, b, _c = people["plain"]
    one = workflow.leave_request_file(session, a, reason="出差", by=member_user)
    two = workflow.leave_request_file(session, b, reason="培训", by=member_user)
    workflow.leave_request_approve(one, by=office_user, note="同意")
    workflow.leave_request_refuse(two, by=office_user, note="请参会")
    one.refresh_from_db()
    assert one.status == LeaveStatus.APPROVED and one.decided_by == office_user
    moves = Transition.objects.filter(field="status", to_state__in=["approved", "refused"])
    assert {(t.object_id, t.to_state) for t in moves} == {
        (str(one.pk), "approved"),
        (str(two.pk), "refused"),
    }


def test_refusal_needs_a_note(term, people, member_user, office_user):
    leave = workflow.leave_request_file(
        make_session(term, days=5), people["plain"][0], reason="出差", by=member_user
    )
    with pytest.raises(WorkflowError, match="审批意见"):
        workflow.leave_request_refuse(leave, by=office_user, note="")


def test_a_decided_request_cannot_be_decided_again(term, people, member_user, office_user):
    leave = workflow.leave_request_file(
        make_session(term, days=5), people["plain"][0], reason="出差", by=member_user
    )
    stale = LeaveRequest.objects.get(pk=leave.pk)
    workflow.leave_request_approve(leave, by=office_user)
    with pytest.raises(ConflictError, match="已批准"):
        workflow.leave_request_refuse(stale, by=office_user, note="不行")


def test_approved_leave_becomes_leave_with_its_reason_when_attendance_is_recorded(
    term, people, member_user, office_user
):
    session = make_session(term, days=2)
    a, b, _c = people["plain"]
    leave = workflow.leave_request_file(session, a, reason="出差在外", by=member_user)
    workflow.leave_request_approve(leave, by=office_user)
    # The session is held: the office marks the sheet, a as 请假 without typing the reason.
    CommitteeSession.objects.filter(pk=session.pk).update(starts_on=today(), ends_on=today())
    session.refresh_from_db()
    services.save_session_attendance(session, {a.pk: "leave", b.pk: "present"}, by=office_user)
    row = SessionAttendance.objects.get(session=session, member=a)
    assert (row.status, row.leave_reason) == ("leave", "出差在外")


def test_approval_after_attendance_turns_an_absent_mark_into_leave(
    term, people, member_user, office_user
):
    session = make_session(term, days=2)
    a = people["plain"][0]
    leave = workflow.leave_request_file(session, a, reason="住院", by=member_user)
    CommitteeSession.objects.filter(pk=session.pk).update(starts_on=today(), ends_on=today())
    session.refresh_from_db()
    services.save_session_attendance(session, {a.pk: "absent"}, by=office_user)
    workflow.leave_request_approve(leave, by=office_user)
    row = SessionAttendance.objects.get(session=session, member=a)
    assert (row.status, row.leave_reason) == (AttendanceStatus.LEAVE, "住院")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_decisions_only_one_wins(
    term, people, member_user, office_user, admin_user, require_postgres
):
    leave = workflow.leave_request_file(
        make_session(term, days=5), people["plain"][0], reason="出差", by=member_user
    )
    barrier = threading.Barrier(2)
    results = []

    def decide(move, user, note):
        try:
            barrier.wait()
            move(LeaveRequest.objects.get(pk=leave.pk), by=user, note=note)
            results.append("won")
        except ConflictError:
            results.append("conflict")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(workflow.leave_request_approve, office_user, "")),
        threading.Thread(target=decide, args=(workflow.leave_request_refuse, admin_user, "否")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "won"]
    assert Transition.objects.filter(object_id=str(leave.pk), field="status").count() == 1


# --- scoping ------------------------------------------------------------------------------


def test_member_sees_only_their_own_attendance_and_requests(
    term, people, member_user, office_user, town_user, unit_user
):
    session = make_session(term)
    a, b, _c = people["plain"]
    services.save_session_attendance(session, {a.pk: "present", b.pk: "absent"}, by=office_user)
    assert list(
        SessionAttendance.objects.visible_to(member_user).values_list("member", flat=True)
    ) == [a.pk]
    assert SessionAttendance.objects.visible_to(office_user).count() == 2
    for user in (town_user, unit_user):
        assert not SessionAttendance.objects.visible_to(user).exists()
        assert not CommitteeSession.objects.visible_to(user).exists()
    assert CommitteeSession.objects.visible_to(member_user).get() == session


# --- sessions' own rules --------------------------------------------------------------------


def test_session_rules_are_checked_in_chinese(term):
    plenary = make_session(term)
    bad = CommitteeSession(
        term=term,
        kind=SessionKind.STANDING,
        ordinal=1,
        name="x",
        starts_on=today(),
        ends_on=today() - datetime.timedelta(days=1),
        proposals_open_on=today(),
        audience=SessionAudience.STANDING,
    )
    with pytest.raises(Exception) as info:
        services.check_session(bad)
    errors = info.value.message_dict
    assert "结束日期不能早于开始日期。" in errors["ends_on"]
    assert "只有全体会议设置提案征集期。" in errors["proposals_open_on"]
    dup = CommitteeSession(
        term=term,
        kind=plenary.kind,
        ordinal=plenary.ordinal,
        name="y",
        starts_on=today(),
        ends_on=today(),
    )
    with pytest.raises(Exception, match="同类型、同次序"):
        services.check_session(dup)


# --- the figure -------------------------------------------------------------------------------


def test_session_attendance_figure(term, people, office_user):
    held = make_session(term, ordinal=1, days=-20)
    make_session(term, ordinal=2, days=20)  # not held: left out
    empty = make_session(term, kind=SessionKind.STANDING, ordinal=1, days=-5)
    a, b, c = people["plain"]
    s1, s2 = people["standing"]
    services.save_session_attendance(
        held,
        {a.pk: "present", b.pk: "present", c.pk: "leave", s1.pk: "absent", s2.pk: "present"},
        by=office_user,
    )
    rows = statistics.session_attendance(CommitteeSession.objects.all())
    assert [r["session"] for r in rows] == [empty, held]
    figure = rows[1]
    assert (figure["expected"], figure["present"], figure["leave"], figure["absent"]) == (
        5,
        3,
        1,
        1,
    )
    assert figure["rate"] == 60.0
    # Nothing recorded yet: no rate rather than 0%.
    assert rows[0]["expected"] == 2 and rows[0]["rate"] is None


# --- the demo ---------------------------------------------------------------------------------


def test_demo_sessions_are_believable_and_idempotent(db):
    demo.load(lambda line: None)
    plenary = CommitteeSession.objects.filter(kind=SessionKind.PLENARY).order_by("ordinal")
    years = today().year - 2021 + 1
    assert plenary.count() == min(years, 6)
    assert plenary.first().name == "第十五届第一次会议"
    assert all(s.starts_on.month in (1, 2) for s in plenary)
    assert CommitteeSession.objects.filter(kind=SessionKind.STANDING).count() >= 3
    statuses = dict(
        SessionAttendance.objects.values_list("status").annotate(n=Count("pk")).order_by()
    )
    total = sum(statuses.values())
    assert statuses["present"] / total > 0.8 and statuses["leave"] and statuses["absent"]
    assert not SessionAttendance.objects.filter(status="leave", leave_reason="").exists()
    pending = LeaveRequest.objects.filter(status=LeaveStatus.PENDING)
    assert pending.count() == 2
    assert all(not r.session.has_started for r in pending)
    counts = (
        CommitteeSession.objects.count(),
        SessionAttendance.objects.count(),
        SessionAttendance.history.count(),
        LeaveRequest.objects.count(),
        CommitteeSession.history.count(),
    )
    demo.load_sessions(lambda line: None)
    assert counts == (
        CommitteeSession.objects.count(),
        SessionAttendance.objects.count(),
        SessionAttendance.history.count(),
        LeaveRequest.objects.count(),
        CommitteeSession.history.count(),
    )
