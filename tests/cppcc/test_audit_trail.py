"""Issue 12: every write, login (ok and failed), logout, lockout, export and reveal makes exactly
one audit row with a zone-aware time, the user, the act, the object, the outcome and the address."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from cppcc.audit import AuditMiddleware, record, record_reveal
from cppcc.exports import attachment
from cppcc.models import AuditEvent, AuditKind, AuditOutcome
from cppcc.workflow import transition
from members.models import Member
from studios.models import Problem, ProblemStatus
from tests.factories import UserFactory

PASSWORD = "cppcc-test-pass"
ADDRESS = "10.20.30.40"


def mark() -> int:
    """The newest row's id: rows after it are the act under test's (client_for's force_login
    already wrote one, and rows cannot be deleted)."""
    return AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0


def only_row(since: int = 0) -> AuditEvent:
    rows = list(AuditEvent.objects.filter(id__gt=since))
    assert len(rows) == 1, [(r.kind, r.action) for r in rows]
    return rows[0]


def test_form_post_makes_one_write_row_with_view_object_and_address(client_for, admin_user):
    target = admin_user.__class__.objects.create_user("t-clerk", password=PASSWORD)
    c = client_for(admin_user)
    since = mark()
    response = c.post(reverse("account_deactivate", args=[target.pk]), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302
    row = only_row(since)
    assert (row.kind, row.action, row.outcome, row.status_code) == (
        AuditKind.WRITE,
        "account_deactivate",
        AuditOutcome.SUCCESS,
        302,
    )
    assert (row.user, row.username, row.client_ip, row.method) == (
        admin_user,
        admin_user.username,
        ADDRESS,
        "POST",
    )
    assert row.object_id == str(target.pk) and f"pk={target.pk}" in row.object_repr
    assert row.path == f"/accounts/manage/{target.pk}/deactivate/"
    assert row.at.tzinfo is not None and abs(row.at - timezone.now()).total_seconds() < 60


def test_api_patch_makes_one_write_row(client_for, office_user, member_a):
    c = client_for(office_user)
    since = mark()
    response = c.patch(
        f"/api/v1/members/{member_a.pk}/",
        {"employer": "区人民医院", "version": member_a.version},
        content_type="application/json",
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 200, response.content
    row = only_row(since)
    assert (row.kind, row.method, row.outcome, row.user) == (
        AuditKind.WRITE,
        "PATCH",
        AuditOutcome.SUCCESS,
        office_user,
    )
    assert row.action == "member-detail" and row.object_id == str(member_a.pk)


def test_refused_write_is_recorded_as_refused_with_its_status(client_for, member_user, office_user):
    c = client_for(member_user)
    since = mark()
    response = c.post(reverse("account_deactivate", args=[office_user.pk]))
    assert response.status_code == 403
    row = only_row(since)
    assert (row.kind, row.outcome, row.status_code, row.user) == (
        AuditKind.WRITE,
        AuditOutcome.REFUSED,
        403,
        member_user,
    )
    office_user.refresh_from_db()
    assert office_user.is_active


def test_page_reads_make_no_row(client_for, office_user):
    c = client_for(office_user)
    since = mark()
    assert c.get(reverse("members:list")).status_code == 200
    assert not AuditEvent.objects.filter(id__gt=since).exists()


def test_login_makes_one_login_row(client, office_user):
    response = client.post(
        reverse("login"),
        {"username": office_user.username, "password": PASSWORD},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 302
    row = only_row()
    assert (row.kind, row.outcome, row.user, row.client_ip, row.action) == (
        AuditKind.LOGIN,
        AuditOutcome.SUCCESS,
        office_user,
        ADDRESS,
        "login",
    )


def test_failed_login_is_refused_and_keeps_the_name_tried(client, office_user):
    response = client.post(
        reverse("login"),
        {"username": "t-office", "password": "wrong-password"},
        REMOTE_ADDR=ADDRESS,
    )
    assert response.status_code == 200  # the form again, with its error
    row = only_row()
    assert (row.kind, row.outcome, row.user, row.username, row.client_ip) == (
        AuditKind.LOGIN_FAILED,
        AuditOutcome.REFUSED,
        None,
        "t-office",
        ADDRESS,
    )


def test_failed_login_of_a_name_that_does_not_exist_is_recorded(client, db):
    client.post(reverse("login"), {"username": "nobody", "password": "wrong-password"})
    row = only_row()
    assert (row.kind, row.username, row.user) == (AuditKind.LOGIN_FAILED, "nobody", None)


def test_logout_makes_one_logout_row(client_for, office_user):
    c = client_for(office_user)
    since = mark()
    assert c.post(reverse("logout")).status_code == 302
    row = only_row(since)
    assert (row.kind, row.user, row.outcome) == (
        AuditKind.LOGOUT,
        office_user,
        AuditOutcome.SUCCESS,
    )


def test_lockout_is_one_row_and_replaces_the_failed_login_that_caused_it(client, office_user):
    for _ in range(5):
        client.post(
            reverse("login"), {"username": office_user.username, "password": "wrong-password"}
        )
    rows = list(AuditEvent.objects.order_by("id"))
    assert [r.kind for r in rows] == [AuditKind.LOGIN_FAILED] * 4 + [AuditKind.LOCKOUT]
    assert rows[-1].username == office_user.username
    assert rows[-1].outcome == AuditOutcome.REFUSED


def test_api_token_creation_counts_as_a_login(client, office_user):
    response = client.post(
        reverse("api_token"), {"username": office_user.username, "password": PASSWORD}
    )
    assert response.status_code == 200, response.content
    row = only_row()
    assert (row.kind, row.user, row.outcome) == (
        AuditKind.LOGIN,
        office_user,
        AuditOutcome.SUCCESS,
    )


def test_failed_api_token_request_is_a_failed_login(client, office_user):
    response = client.post(
        reverse("api_token"), {"username": office_user.username, "password": "wrong-password"}
    )
    assert response.status_code == 400
    row = only_row()
    assert (row.kind, row.username, row.outcome) == (
        AuditKind.LOGIN_FAILED,
        office_user.username,
        AuditOutcome.REFUSED,
    )


def test_xlsx_export_makes_one_export_row(client_for, office_user):
    c = client_for(office_user)
    since = mark()
    response = c.get(reverse("studios:activity_list_export"), REMOTE_ADDR=ADDRESS)
    assert response["Content-Disposition"].startswith("attachment")
    row = only_row(since)
    assert (row.kind, row.method, row.action, row.client_ip, row.user) == (
        AuditKind.EXPORT,
        "GET",
        "studios:activity_list_export",
        ADDRESS,
        office_user,
    )


def test_reveal_on_the_page_makes_one_row(client_for, office_user, member_a):
    c = client_for(office_user)
    since = mark()
    assert c.post(reverse("members:reveal", args=[member_a.pk])).status_code == 200
    row = only_row(since)
    assert (row.user, row.object_id, row.outcome, row.method) == (
        office_user,
        str(member_a.pk),
        AuditOutcome.SUCCESS,
        "POST",
    )
    assert row.kind == AuditKind.REVEAL


def _through_middleware(view):
    request = RequestFactory().post("/members/1/reveal/", REMOTE_ADDR=ADDRESS)
    return AuditMiddleware(view)(request)


def test_record_reveal_during_a_request_is_that_requests_one_row(office_user, member_a):
    request_user = office_user

    def view(request):
        request.user = request_user
        record_reveal([member_a], user=request_user, fields="身份证号、手机号", request=request)
        return HttpResponse("ok")

    _through_middleware(view)
    row = only_row()
    assert (row.kind, row.content_type, row.object_id, row.object_repr) == (
        AuditKind.REVEAL,
        ContentType.objects.get_for_model(Member),
        str(member_a.pk),
        member_a.name,
    )
    assert (row.detail, row.client_ip, row.user) == ("身份证号、手机号", ADDRESS, office_user)


def test_a_download_with_revealed_values_is_one_export_row_naming_the_fields(
    office_user, member_a, member_b
):
    def view(request):
        request.user = office_user
        record_reveal([member_a, member_b], user=office_user, fields="身份证号", request=request)
        return attachment(HttpResponse(b"x"), "委员名册.xlsx")

    _through_middleware(view)
    row = only_row()
    assert row.kind == AuditKind.EXPORT and "身份证号" in row.detail
    assert row.object_repr == "2 名委员"


def test_record_reveal_outside_a_request_writes_at_once(office_user, member_a):
    record_reveal([member_a], user=office_user, fields="手机号")
    row = only_row()
    assert (row.kind, row.client_ip, row.path) == (AuditKind.REVEAL, None, "")


def test_state_change_outside_a_request_makes_one_row(gunan_studio, office_user):
    problem = Problem.objects.create(
        studio=gunan_studio, title="春光村道路破损", raised_by="村民", raised_on="2026-03-01"
    )
    transition(
        problem,
        field="status",
        allowed_from=[ProblemStatus.OPEN],
        to=ProblemStatus.IN_HAND,
        by=office_user,
        note="定时任务",
    )
    row = only_row()
    assert (row.kind, row.user, row.object_id, row.detail) == (
        AuditKind.TRANSITION,
        office_user,
        str(problem.pk),
        "定时任务",
    )
    assert row.content_type == ContentType.objects.get_for_model(Problem)
    assert row.action == "status: open → in_hand"


def test_time_is_stored_with_its_zone_and_shown_in_local_time(db):
    record(AuditKind.WRITE, username="t-task")
    row = only_row()
    assert timezone.is_aware(row.at)
    assert timezone.localtime(row.at).utcoffset() == datetime.timedelta(hours=8)


def test_deleting_a_login_leaves_its_audit_rows_alone(db):
    user = UserFactory(username="t-gone")
    record(AuditKind.LOGIN, user=user)
    pk = user.pk
    user.delete()
    row = only_row()
    assert (row.user_id, row.username) == (pk, "t-gone")
