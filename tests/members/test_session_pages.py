"""The office pages of sessions and the member's portal section: scoping, forms, attendance
sheet, leave decisions, export and pinned query counts."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from members import workflow
from members.models import (
    CommitteeSession,
    LeaveRequest,
    LeaveStatus,
    Post,
    SessionAttendance,
    SessionKind,
)

from .sessions_helpers import make_members, make_session, today


@pytest.fixture
def session(term, member_a):
    member_a.terms.add(term)
    make_members(term, 3)
    return make_session(term, ordinal=1, days=-10)


@pytest.mark.parametrize("who", ["office_user", "admin_user", "leader_user"])
def test_staff_who_keep_sessions_open_list_and_page(who, session, client_for, request):
    c = client_for(request.getfixturevalue(who))
    assert c.get("/members/sessions/").status_code == 200
    assert c.get(session.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("who", ["town_user", "unit_user", "member_user"])
def test_others_get_403_on_the_office_pages(who, session, client_for, request):
    c = client_for(request.getfixturevalue(who))
    for url in ("/members/sessions/", session.get_absolute_url(), "/members/sessions/export/"):
        assert c.get(url).status_code == 403


def test_leader_reads_but_cannot_edit(session, leader_user, client_for):
    c = client_for(leader_user)
    assert c.get(f"/members/sessions/{session.pk}/edit/").status_code == 403
    assert c.get(f"/members/sessions/{session.pk}/attendance/").status_code == 403


def test_create_form_validates_in_chinese(term, session, office_user, client_for):
    c = client_for(office_user)
    data = {
        "term": term.pk,
        "kind": SessionKind.STANDING,
        "name": "常委会第一次会议",
        "ordinal": 1,
        "starts_on": "2026-05-02",
        "ends_on": "2026-05-01",
        "audience": "standing",
        "proposals_open_on": "2026-04-01",
    }
    response = c.post("/members/sessions/new/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "结束日期不能早于开始日期。" in errors["ends_on"]
    assert "只有全体会议设置提案征集期。" in errors["proposals_open_on"]
    dup = {**data, "kind": "plenary", "ends_on": "2026-05-03", "audience": "all"}
    response = c.post("/members/sessions/new/", dup)
    assert "本届已有同类型、同次序的会议。" in response.context["form"].errors["ordinal"]
    ok = {**data, "ends_on": "2026-05-02", "proposals_open_on": ""}
    response = c.post("/members/sessions/new/", ok)
    assert response.status_code == 302
    assert CommitteeSession.objects.filter(kind="standing", ordinal=1).exists()


def test_attendance_sheet_saves_through_the_service(session, office_user, client_for, member_a):
    c = client_for(office_user)
    page = c.get(f"/members/sessions/{session.pk}/attendance/")
    rows = page.context["form"].rows
    assert len(rows) == 4
    data = {f"att_{m.pk}": "present" for m, _n, _a in rows}
    data[f"att_{member_a.pk}"] = "leave"
    data[f"why_{member_a.pk}"] = "外出开会"
    response = c.post(f"/members/sessions/{session.pk}/attendance/", data)
    assert response.status_code == 302
    row = SessionAttendance.objects.get(session=session, member=member_a)
    assert (row.status, row.leave_reason) == ("leave", "外出开会")
    detail = c.get(session.get_absolute_url())
    assert "出席率 75.0%" in detail.content.decode()


def test_leave_decision_from_the_session_page(term, member_a, member_user, office_user, client_for):
    member_a.terms.add(term)
    coming = make_session(term, ordinal=2, days=7)
    leave = workflow.leave_request_file(coming, member_a, reason="出差", by=member_user)
    c = client_for(office_user)
    response = c.post(f"/members/sessions/leave-requests/{leave.pk}/refuse/", {"note": ""})
    assert response.status_code == 302
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.PENDING  # refused without a note: nothing changed
    c.post(f"/members/sessions/leave-requests/{leave.pk}/approve/", {"note": "同意"})
    leave.refresh_from_db()
    assert leave.status == LeaveStatus.APPROVED
    pending = c.get("/members/sessions/leave-requests/?status=pending")
    assert not pending.context["page_obj"].object_list


def test_export_holds_the_filtered_sessions(term, session, office_user, client_for):
    make_session(term, kind=SessionKind.STANDING, ordinal=1, days=-3)
    c = client_for(office_user)
    response = c.get("/members/sessions/export/?kind=plenary")
    assert response.status_code == 200
    assert f"会议-{today().isoformat()}.xlsx" in response["Content-Disposition"].replace(
        "%E4%BC%9A%E8%AE%AE", "会议"
    )
    ws = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][2] == "会议名称" and len(rows) == 2
    assert rows[1][2] == session.name and rows[1][7] == 4


@pytest.mark.parametrize("n", [3, 25])
def test_list_query_count_does_not_grow_with_rows(
    n, term, office_user, client_for, django_assert_max_num_queries
):
    make_members(term, 5)
    for i in range(n):
        make_session(term, ordinal=i + 1, days=-(i + 1))
    c = client_for(office_user)
    # session, user, roles, count, the page of sessions (its counts are subqueries), the term
    # options of the filter, unread notifications, the session's badge save (3 with savepoints)
    with django_assert_max_num_queries(10):
        response = c.get("/members/sessions/")
    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [3, 40])
def test_session_page_query_count_does_not_grow_with_members(
    n, term, office_user, client_for, django_assert_max_num_queries
):
    make_members(term, n)
    session = make_session(term, days=-2)
    members = list(session.term.members.all())
    from members import services

    services.save_session_attendance(session, {m.pk: "present" for m in members}, by=office_user)
    c = client_for(office_user)
    # session, user, roles, the session with its counts, expected members, attendance rows,
    # leave requests, history (content type, transitions, history rows), unread notifications,
    # the session's badge save (3 with savepoints)
    with django_assert_max_num_queries(14):
        response = c.get(session.get_absolute_url())
    assert len(response.context["rows"]) == n


# --- the member's portal ----------------------------------------------------------------------


def test_portal_lists_my_sessions_with_my_attendance_and_leave_button(
    term, member_a, member_b, member_user, office_user, client_for
):
    for m in (member_a, member_b):
        m.terms.add(term)
    past = make_session(term, ordinal=1, days=-30)
    coming = make_session(term, ordinal=2, days=10)
    make_session(term, kind=SessionKind.STANDING, ordinal=1, days=5)  # not mine
    from members import services

    services.save_session_attendance(
        past, {member_a.pk: "absent", member_b.pk: "present"}, by=office_user
    )
    c = client_for(member_user)
    page = c.get("/portal/").content.decode()
    assert past.name in page and coming.name in page
    assert "常委会" not in page and "standing" not in page
    assert "缺席" in page
    assert f"/members/sessions/{coming.pk}/leave/" in page
    response = c.post(f"/members/sessions/{coming.pk}/leave/", {"reason": "出差"})
    assert response.status_code == 302
    leave = LeaveRequest.objects.get()
    assert (leave.member, leave.status) == (member_a, LeaveStatus.PENDING)
    page = c.get("/portal/").content.decode()
    assert "待审批" in page and f"/members/sessions/{coming.pk}/leave/" not in page


def test_member_cannot_ask_leave_after_start_or_for_a_meeting_not_theirs(
    term, member_a, member_user, client_for
):
    member_a.terms.add(term)
    started = make_session(term, ordinal=1, days=0, length=2)
    standing = make_session(term, kind=SessionKind.STANDING, ordinal=1, days=5)
    c = client_for(member_user)
    response = c.post(f"/members/sessions/{started.pk}/leave/", {"reason": "出差"})
    assert response.status_code == 200
    assert "不能再请假" in response.content.decode()
    assert c.get(f"/members/sessions/{standing.pk}/leave/").status_code == 404
    assert not LeaveRequest.objects.exists()


def test_town_clerk_cannot_use_the_member_leave_page(term, town_user, client_for):
    session = make_session(term, days=5)
    assert client_for(town_user).get(f"/members/sessions/{session.pk}/leave/").status_code == 403


def test_office_home_shows_the_session_attendance_card(term, session, office_user, client_for):
    member = make_members(term, 1, post=Post.MEMBER, prefix="出席")[0]
    from members import services

    services.save_session_attendance(session, {member.pk: "present"}, by=office_user)
    response = client_for(office_user).get(reverse("reports:office_home"))
    html = response.content.decode()
    assert 'data-testid="session-attendance-card"' in html and session.name in html
