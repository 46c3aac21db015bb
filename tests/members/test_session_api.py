"""/api/v1/committee-sessions/ and /api/v1/session-leave-requests/: scoping, writes, the
attendance sub-route, leave approve/refuse with 409, and pinned query counts."""

import pytest

from members import workflow
from members.models import CommitteeSession, LeaveRequest, LeaveStatus, SessionKind

from .sessions_helpers import make_members, make_session

API = "/api/v1/committee-sessions/"
LEAVE_API = "/api/v1/session-leave-requests/"


@pytest.fixture
def held(term, member_a, member_b):
    for m in (member_a, member_b):
        m.terms.add(term)
    return make_session(term, ordinal=1, days=-3)


def test_office_creates_a_session_and_bad_dates_get_chinese_400(term, office_user, client_for):
    c = client_for(office_user)
    body = {
        "term": term.pk,
        "kind": "standing",
        "name": "常委会第一次会议",
        "ordinal": 1,
        "starts_on": "2026-04-18",
        "ends_on": "2026-04-17",
        "audience": "standing",
    }
    response = c.post(API, body, content_type="application/json")
    assert response.status_code == 400
    assert "结束日期不能早于开始日期。" in response.json()["ends_on"]
    response = c.post(API, {**body, "ends_on": "2026-04-18"}, content_type="application/json")
    assert response.status_code == 201, response.json()
    again = c.post(API, {**body, "ends_on": "2026-04-18"}, content_type="application/json")
    assert "本届已有同类型、同次序的会议。" in again.json()["ordinal"]


@pytest.mark.parametrize("who", ["leader_user", "member_user", "town_user"])
def test_only_office_and_admin_write(who, term, held, client_for, request):
    c = client_for(request.getfixturevalue(who))
    response = c.patch(f"{API}{held.pk}/", {"place": "x"}, content_type="application/json")
    assert response.status_code in (403, 404)


def test_town_clerk_and_unit_see_no_sessions(held, town_user, unit_user, client_for):
    for user in (town_user, unit_user):
        c = client_for(user)
        assert c.get(API).json()["count"] == 0
        assert c.get(f"{API}{held.pk}/").status_code == 404


def test_attendance_subroute_writes_and_a_member_reads_only_their_own(
    held, member_a, member_b, office_user, member_user, client_for
):
    c = client_for(office_user)
    body = {
        "attendance": [
            {"member": member_a.pk, "status": "leave", "leave_reason": "出差"},
            {"member": member_b.pk, "status": "present"},
        ]
    }
    response = c.post(f"{API}{held.pk}/attendance/", body, content_type="application/json")
    assert response.status_code == 200 and len(response.json()) == 2
    detail = c.get(f"{API}{held.pk}/").json()
    assert (detail["expected_count"], detail["present_count"], detail["leave_count"]) == (2, 1, 1)
    mine = client_for(member_user).get(f"{API}{held.pk}/attendance/").json()
    assert mine == [
        {
            "member": member_a.pk,
            "member_name": member_a.name,
            "status": "leave",
            "leave_reason": "出差",
        }
    ]
    refused = client_for(member_user).post(
        f"{API}{held.pk}/attendance/", body, content_type="application/json"
    )
    assert refused.status_code == 403


def test_attendance_of_a_stranger_is_400_in_chinese(held, office_user, client_for):
    stranger = make_members(held.term, 1, prefix="外人")[0]
    stranger.terms.clear()
    body = {"attendance": [{"member": stranger.pk, "status": "present"}]}
    response = client_for(office_user).post(
        f"{API}{held.pk}/attendance/", body, content_type="application/json"
    )
    assert response.status_code == 400 and stranger.name in response.json()["detail"]


def test_member_files_leave_and_office_decides_with_409_on_the_second_click(
    term, member_a, member_user, office_user, admin_user, client_for
):
    member_a.terms.add(term)
    coming = make_session(term, ordinal=2, days=6)
    mc = client_for(member_user)
    response = mc.post(
        LEAVE_API, {"session": coming.pk, "reason": "出差"}, content_type="application/json"
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    twice = mc.post(
        LEAVE_API, {"session": coming.pk, "reason": "出差"}, content_type="application/json"
    )
    assert twice.status_code == 409 and "已提交过" in twice.json()["detail"]
    assert client_for(member_user).post(f"{LEAVE_API}{pk}/approve/").status_code == 403
    ok = client_for(office_user).post(f"{LEAVE_API}{pk}/approve/", {"note": "同意"})
    assert ok.status_code == 200 and ok.json()["status"] == "approved"
    late = client_for(admin_user).post(f"{LEAVE_API}{pk}/refuse/", {"note": "不同意"})
    assert late.status_code == 409
    assert "已批准" in late.json()["detail"]
    assert late.json()["leave_request"]["status"] == "approved"


def test_refuse_without_note_is_400_and_leave_after_start_is_400(
    term, held, member_a, member_user, office_user, client_for
):
    response = client_for(member_user).post(
        LEAVE_API, {"session": held.pk, "reason": "出差"}, content_type="application/json"
    )
    assert response.status_code == 400 and "不能再请假" in response.json()["detail"]
    coming = make_session(term, ordinal=2, days=6)
    leave = workflow.leave_request_file(coming, member_a, reason="出差", by=member_user)
    response = client_for(office_user).post(f"{LEAVE_API}{leave.pk}/refuse/", {"note": ""})
    assert response.status_code == 400 and "审批意见" in response.json()["detail"]
    assert LeaveRequest.objects.get(pk=leave.pk).status == LeaveStatus.PENDING


def test_member_lists_only_their_own_leave_requests(
    term, member_a, member_b, member_user, member_b_user, client_for
):
    for m in (member_a, member_b):
        m.terms.add(term)
    coming = make_session(term, ordinal=2, days=6)
    workflow.leave_request_file(coming, member_a, reason="出差", by=member_user)
    workflow.leave_request_file(coming, member_b, reason="培训", by=member_b_user)
    rows = client_for(member_user).get(LEAVE_API).json()["results"]
    assert [r["member"] for r in rows] == [member_a.pk]


@pytest.mark.parametrize("n", [3, 30])
def test_api_list_query_count_does_not_grow_with_rows(
    n, term, office_user, client_for, django_assert_max_num_queries
):
    make_members(term, 4)
    for i in range(n):
        make_session(term, kind=SessionKind.STANDING, ordinal=i + 1, days=-(i + 1))
    c = client_for(office_user)
    # session, user, roles, count, the page of sessions with their counts (subqueries), and
    # the login session's save after the first request (3 with savepoints)
    with django_assert_max_num_queries(8):
        response = c.get(API)
    assert response.json()["count"] == n == CommitteeSession.objects.count()
