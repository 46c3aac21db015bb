"""Issue 12: the audit trail is searchable and exportable by holders of the audit permission."""

import datetime
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cppcc.audit import AUDIT_GROUP
from cppcc.models import AuditEvent, AuditKind, AuditOutcome


def event(**fields) -> AuditEvent:
    defaults = {"kind": AuditKind.WRITE, "outcome": AuditOutcome.SUCCESS, "username": "t-office"}
    return AuditEvent.objects.create(**{**defaults, **fields})


@pytest.fixture
def trail(db):
    now = timezone.now()
    return {
        "failed": event(
            kind=AuditKind.LOGIN_FAILED,
            outcome=AuditOutcome.REFUSED,
            username="t-guess",
            client_ip="203.0.113.9",
            at=now - datetime.timedelta(days=3),
        ),
        "export": event(kind=AuditKind.EXPORT, client_ip="10.2.3.4", action="members:export"),
        "write": event(action="members:edit", client_ip="10.2.9.9", object_repr="pk=7"),
    }


def rows(response) -> list[int]:
    return [e.pk for e in response.context["page_obj"]]


def test_admin_lists_the_trail_newest_first(client_for, admin_user, trail):
    response = client_for(admin_user).get(reverse("audit_list"))
    assert response.status_code == 200
    listed = rows(response)
    assert listed.index(trail["write"].pk) < listed.index(trail["failed"].pk)
    assert "203.0.113.9" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"kind": AuditKind.LOGIN_FAILED}, ["failed"]),
        ({"outcome": AuditOutcome.REFUSED}, ["failed"]),
        ({"user": "guess"}, ["failed"]),
        ({"ip": "10.2."}, ["write", "export"]),
        ({"q": "members:edit"}, ["write"]),
    ],
)
def test_filters_narrow_the_trail(client_for, admin_user, trail, query, expected):
    response = client_for(admin_user).get(reverse("audit_list"), query)
    listed = [pk for pk in rows(response) if pk in {e.pk for e in trail.values()}]
    assert listed == [trail[name].pk for name in expected]


def test_date_range_filters_by_local_date(client_for, admin_user, trail):
    day = timezone.localdate(trail["failed"].at).isoformat()
    response = client_for(admin_user).get(reverse("audit_list"), {"date_from": day, "date_to": day})
    assert rows(response) == [trail["failed"].pk]


def test_start_after_end_is_a_chinese_message_not_an_error(client_for, admin_user, trail):
    response = client_for(admin_user).get(
        reverse("audit_list"), {"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    assert response.status_code == 200
    assert "开始日期不能晚于结束日期" in response.content.decode()


def test_export_holds_the_filtered_rows_with_zoned_times(client_for, admin_user, trail):
    response = client_for(admin_user).get(reverse("audit_export"), {"ip": "10.2."})
    assert response["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0][0] == "时间" and len(values) == 3
    assert {v[3] for v in values[1:]} == {"members:edit", "members:export"}
    assert all(v[0].endswith("+08:00") for v in values[1:])


def test_the_export_itself_is_audited(client_for, admin_user, trail):
    client_for(admin_user).get(reverse("audit_export"))
    assert AuditEvent.objects.filter(kind=AuditKind.EXPORT, action="audit_export").count() == 1


@pytest.mark.parametrize("who", ["office_user", "town_user", "leader_user", "member_user"])
def test_roles_without_the_audit_permission_get_403(client_for, request, trail, who):
    c = client_for(request.getfixturevalue(who))
    assert c.get(reverse("audit_list")).status_code == 403
    assert c.get(reverse("audit_export")).status_code == 403


def test_anonymous_is_sent_to_login(client, trail):
    response = client.get(reverse("audit_list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_office_clerk_added_to_the_audit_group_may_search(client_for, office_user, trail):
    office_user.groups.add(Group.objects.get(name=AUDIT_GROUP))
    assert client_for(office_user).get(reverse("audit_list")).status_code == 200


def test_admin_role_without_superuser_holds_the_permission(client_for, trail):
    from cppcc.roles import Role
    from tests.factories import UserFactory

    user = UserFactory(username="t-admin2", roles=[Role.ADMIN])
    assert client_for(user).get(reverse("audit_list")).status_code == 200


def test_audit_list_query_count_does_not_grow(
    client_for, admin_user, django_assert_max_num_queries
):
    for i in range(60):
        event(action=f"a{i}")
    c = client_for(admin_user)
    c.get(reverse("audit_list"))  # the first request writes the session's last-seen time
    # session, user, roles, unread notifications, the count, the page of rows (with content type)
    with django_assert_max_num_queries(7):
        response = c.get(reverse("audit_list"))
    assert len(rows(response)) == 50
