"""Status moves: leave / return, change-request review, login accounts, bulk actions."""

import datetime

import pytest
from django.test import Client

from cppcc.models import Notification, Transition
from cppcc.roles import Role, roles_of
from cppcc.workflow import ConflictError, WorkflowError
from members import services, workflow
from members.models import (
    ChangeRequestStatus,
    Member,
    MemberChangeRequest,
    MemberStatus,
    SensitiveAccess,
)
from tests.factories import MemberFactory

from .conftest import make_id


def test_leaving_keeps_the_member_and_records_the_move(member_a, office_user):
    workflow.member_leave(member_a, on=datetime.date(2024, 3, 1), reason="工作调动", by=office_user)
    member_a.refresh_from_db()
    assert (member_a.status, member_a.left_on, member_a.left_reason) == (
        "left",
        datetime.date(2024, 3, 1),
        "工作调动",
    )
    t = Transition.objects.get(object_id=str(member_a.pk))
    assert (t.from_state, t.to_state, t.by, t.note) == ("active", "left", office_user, "工作调动")


def test_leaving_twice_is_a_conflict(member_a, office_user):
    stale = Member.objects.get(pk=member_a.pk)
    workflow.member_leave(member_a, on=datetime.date(2024, 3, 1), reason="调动", by=office_user)
    with pytest.raises(ConflictError):
        workflow.member_leave(stale, on=datetime.date(2024, 3, 1), reason="调动", by=office_user)


def test_leaving_needs_a_reason(member_a, office_user):
    with pytest.raises(WorkflowError, match="退出原因"):
        workflow.member_leave(member_a, on=datetime.date(2024, 3, 1), reason=" ", by=office_user)


def test_return_is_refused_when_the_id_is_taken_again(member_a, office_user):
    number = make_id()
    services.update_member(member_a, by=office_user, id_number=number)
    workflow.member_leave(member_a, on=datetime.date(2024, 3, 1), reason="调动", by=office_user)
    services.create_member(
        by=office_user,
        name="新记录",
        gender="M",
        sector=member_a.sector,
        party="cpc",
        id_number=number,
    )
    with pytest.raises(WorkflowError, match="相同身份证号"):
        workflow.member_return(member_a, by=office_user)
    member_a.refresh_from_db()
    assert member_a.status == MemberStatus.LEFT


def test_return_restores_active_status(member_a, office_user, client_for):
    workflow.member_leave(member_a, on=datetime.date(2024, 3, 1), reason="误操作", by=office_user)
    response = client_for(office_user).post(f"/members/{member_a.pk}/return/")
    assert response.status_code == 302
    member_a.refresh_from_db()
    assert (member_a.status, member_a.left_on, member_a.left_reason) == ("active", None, "")


def test_leave_page_goes_through_the_workflow(member_a, office_user, client_for):
    response = client_for(office_user).post(
        f"/members/{member_a.pk}/leave/", {"left_on": "2024-05-06", "left_reason": "辞去委员"}
    )
    assert response.status_code == 302
    assert Transition.objects.filter(object_id=str(member_a.pk), to_state="left").exists()


def test_bulk_leave_changes_the_selected_members(member_a, member_b, office_user, client_for):
    response = client_for(office_user).post(
        "/members/bulk/",
        {
            "action": "leave",
            "ids": [member_a.pk, member_b.pk],
            "left_on": "2024-01-01",
            "left_reason": "换届",
        },
    )
    assert response.status_code == 302
    assert set(Member.objects.values_list("status", flat=True)) == {"left"}


def test_bulk_leave_without_reason_changes_nothing(member_a, office_user, client_for):
    c = client_for(office_user)
    c.post("/members/bulk/", {"action": "leave", "ids": [member_a.pk], "left_on": "2024-01-01"})
    member_a.refresh_from_db()
    assert member_a.status == "active"


def test_bulk_assign_uses_the_studios_service(
    member_b, gunan_studio, term, office_user, client_for
):
    response = client_for(office_user).post(
        "/members/bulk/",
        {
            "action": "assign",
            "ids": [member_b.pk],
            "studio": gunan_studio.pk,
            "role": "member",
            "term": term.pk,
        },
        follow=True,
    )
    assert response.status_code == 200
    assert member_b.studio_memberships.filter(studio=gunan_studio, end_on__isnull=True).exists()


def test_bulk_assign_shows_the_studios_refusal(
    member_a, gunan_studio, term, office_user, client_for
):
    # A town studio takes only role 驻室委员: the studios service refuses with a Chinese message.
    response = client_for(office_user).post(
        "/members/bulk/",
        {
            "action": "assign",
            "ids": [member_a.pk],
            "studio": gunan_studio.pk,
            "role": "core",
            "term": term.pk,
        },
        follow=True,
    )
    assert "驻室委员" in response.content.decode()


# --- change requests ---------------------------------------------------------------------------


@pytest.fixture
def pending(member_a, member_user):
    return services.submit_change_request(
        member_a, {"employer": "区人民医院", "mobile": "13900001111"}, by=member_user
    )


def test_member_submits_a_correction_from_the_portal(member_a, member_user, client_for):
    c = client_for(member_user)
    assert c.get("/members/me/change/").status_code == 200
    response = c.post(
        "/members/me/change/", {"employer": "綦江中学", "wishes": "愿意驻站", "mobile": ""}
    )
    assert response.status_code == 302
    req = MemberChangeRequest.objects.get()
    assert req.changes == {"employer": "綦江中学", "wishes": "愿意驻站"}
    assert req.status == "pending" and req.submitted_by == member_user
    member_a.refresh_from_db()
    assert member_a.employer == ""  # nothing applies before review


def test_member_cannot_request_other_fields_or_a_bad_mobile(member_a, member_user, client_for):
    with pytest.raises(Exception, match="不允许"):
        services.submit_change_request(member_a, {"id_number": make_id()}, by=member_user)
    html = client_for(member_user).post("/members/me/change/", {"mobile": "123"}).content.decode()
    assert "手机号码" in html
    assert not MemberChangeRequest.objects.exists()


def test_approve_applies_the_change_and_tells_the_member(
    pending, member_a, member_user, office_user, client_for
):
    response = client_for(office_user).post(
        f"/members/change-requests/{pending.pk}/approve/", {"note": ""}
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    member_a.refresh_from_db()
    assert (pending.status, pending.reviewed_by) == ("approved", office_user)
    assert (member_a.employer, member_a.mobile) == ("区人民医院", "13900001111")
    assert member_a.history.first().history_user == office_user
    note = Notification.objects.get(recipient=member_user)
    assert "已通过" in note.title
    assert Transition.objects.filter(to_state="approved", by=office_user).exists()


def test_reject_needs_a_note_and_changes_nothing(pending, member_a, member_user, office_user):
    with pytest.raises(WorkflowError):
        workflow.change_request_reject(pending, by=office_user, note="")
    workflow.change_request_reject(pending, by=office_user, note="号码有误")
    member_a.refresh_from_db()
    assert member_a.employer == ""
    assert MemberChangeRequest.objects.get().status == ChangeRequestStatus.REJECTED
    assert Notification.objects.get(recipient=member_user).body == "号码有误"


def test_second_concurrent_approve_loses_with_conflict(pending, office_user, admin_user):
    first = MemberChangeRequest.objects.get(pk=pending.pk)
    second = MemberChangeRequest.objects.get(pk=pending.pk)
    workflow.change_request_approve(first, by=office_user)
    with pytest.raises(ConflictError):
        workflow.change_request_approve(second, by=admin_user)
    with pytest.raises(ConflictError):
        workflow.change_request_reject(second, by=admin_user, note="晚了")
    assert Transition.objects.filter(to_state__in=["approved", "rejected"]).count() == 1


def test_only_one_pending_request_at_a_time(pending, member_a, member_user):
    with pytest.raises(Exception, match="待审核"):
        services.submit_change_request(member_a, {"wishes": "再改"}, by=member_user)


def test_reviewer_sees_the_new_mobile_in_full_and_the_viewing_is_audited(
    pending, member_a, office_user, client_for
):
    services.update_member(member_a, by=office_user, mobile="13812345678")
    response = client_for(office_user).get("/members/change-requests/")
    html = response.content.decode()
    assert "区人民医院" in html and "13900001111" in html
    # The number on record stays masked: only what is being approved is shown.
    assert "138****5678" in html and "13812345678" not in html
    assert response["Cache-Control"] == "no-store"
    access = SensitiveAccess.objects.get()
    assert (access.member, access.user, access.fields) == (member_a, office_user, "手机号码")


def test_decided_requests_keep_the_mobile_masked_and_audit_nothing(
    pending, office_user, client_for
):
    workflow.change_request_reject(pending, by=office_user, note="号码有误")
    html = client_for(office_user).get("/members/change-requests/?status=rejected").content
    assert "139****1111" in html.decode() and "13900001111" not in html.decode()
    assert not SensitiveAccess.objects.exists()


def test_leader_cannot_review(pending, leader_user, client_for):
    c = client_for(leader_user)
    assert c.get("/members/change-requests/").status_code == 403
    assert c.post(f"/members/change-requests/{pending.pk}/approve/").status_code == 403


# --- logins ------------------------------------------------------------------------------------


def test_office_creates_a_login_shown_once(db, office_user, client_for):
    member = MemberFactory(name="曾小明")
    services.update_member(member, by=office_user, name="曾小明")
    response = client_for(office_user).post(f"/members/{member.pk}/login/")
    html = response.content.decode()
    assert response["Cache-Control"] == "no-store"
    user = member.user
    assert user.username.startswith("zengxiaoming") and user.username in html
    assert roles_of(user) == {Role.MEMBER}
    password = html.split('data-testid="password">')[1].split("<")[0]
    login = Client().post("/accounts/login/", {"username": user.username, "password": password})
    assert login.status_code == 302
    assert password not in client_for(office_user).get(f"/members/{member.pk}/").content.decode()


def test_second_login_is_refused_and_reset_changes_the_password(db, office_user, client_for):
    member = MemberFactory()
    user, old = services.create_login(member, by=office_user)
    c = client_for(office_user)
    c.post(f"/members/{member.pk}/login/")
    assert type(user).objects.filter(member=member).count() == 1
    html = c.post(f"/members/{member.pk}/login/reset/").content.decode()
    new = html.split('data-testid="password">')[1].split("<")[0]
    assert new != old
    user.refresh_from_db()
    assert user.check_password(new) and not user.check_password(old)


def test_detail_asks_before_destructive_actions(member_a, office_user, client_for):
    html = client_for(office_user).get(f"/members/{member_a.pk}/").content.decode()
    assert 'data-confirm="确定为该委员开通登录账号？"' in html
    services.create_login(member_a, by=office_user)
    html = client_for(office_user).get(f"/members/{member_a.pk}/").content.decode()
    assert "data-confirm=" in html and "重置密码" in html
    assert "<script>" not in html and "style=" not in html
