import datetime

import pytest

from studios import services
from studios.models import Activity, MembershipRole, Problem

from ..factories import MemberFactory
from .factories import PartyMemberFactory

DAY = datetime.date(2026, 5, 20)


@pytest.fixture
def records(gunan_studio, dongxi_studio, member_a, member_b, office_user, party_group):
    services.record_activity(
        gunan_studio,
        {"kind": "tea_talk", "title": "古南夜话", "date": DAY},
        {member_a.pk: "present"},
        by=office_user,
    )
    services.record_activity(
        dongxi_studio,
        {"kind": "tea_talk", "title": "东溪夜话", "date": DAY},
        {member_b.pk: "leave"},
        by=office_user,
    )
    services.create_problem(gunan_studio, {"title": "古南问题", "raised_on": DAY}, by=office_user)
    services.create_problem(dongxi_studio, {"title": "东溪问题", "raised_on": DAY}, by=office_user)


def _names(response, key):
    assert response.status_code == 200, response.content
    return sorted(row[key] for row in response.json()["results"])


def test_other_town_clerk_api_lists_leave_out_gunan(client_for, other_town_user, records):
    c = client_for(other_town_user)
    assert _names(c.get("/api/v1/studios/"), "name") == ["东溪镇委员工作室"]
    assert _names(c.get("/api/v1/activities/"), "title") == ["东溪夜话"]
    assert _names(c.get("/api/v1/problems/"), "title") == ["东溪问题"]
    assert _names(c.get("/api/v1/towns/"), "name") == ["东溪镇"]
    assert _names(c.get("/api/v1/party-groups/"), "name") == []
    gunan_activity = Activity.objects.get(title="古南夜话")
    assert c.get(f"/api/v1/activities/{gunan_activity.pk}/").status_code == 404


def test_member_api_sees_only_their_own_studio(client_for, member_user, records):
    c = client_for(member_user)
    assert _names(c.get("/api/v1/studios/"), "name") == ["古南街道委员工作室"]
    assert _names(c.get("/api/v1/activities/"), "title") == ["古南夜话"]
    assert c.post("/api/v1/problems/", {"studio": 1, "title": "x"}).status_code == 403


def test_unit_api_sees_nothing(client_for, unit_user, records):
    c = client_for(unit_user)
    for url in (
        "/api/v1/studios/",
        "/api/v1/activities/",
        "/api/v1/problems/",
        "/api/v1/towns/",
        "/api/v1/party-groups/",
    ):
        assert c.get(url).json()["count"] == 0, url


def test_activity_api_nests_attendance_with_counts(
    client_for, office_user, records, django_assert_max_num_queries
):
    c = client_for(office_user)
    c.get("/api/v1/activities/")
    # session, user, roles, count, page of activities with counts, their attendance (+members)
    with django_assert_max_num_queries(6):
        rows = c.get("/api/v1/activities/").json()["results"]
    dongxi = next(r for r in rows if r["title"] == "东溪夜话")
    assert (dongxi["present_count"], dongxi["leave_count"], dongxi["absent_count"]) == (0, 1, 0)
    assert dongxi["attendance"] == [
        {"member": dongxi["attendance"][0]["member"], "member_name": "李东溪", "status": "leave"}
    ]


def test_town_clerk_records_an_activity_in_their_town_but_not_elsewhere(
    client_for, town_user, gunan_studio, dongxi_studio, member_a, member_b
):
    c = client_for(town_user)
    payload = {
        "studio": gunan_studio.pk,
        "kind": "courtyard",
        "title": "院坝会",
        "date": "2026-05-21",
        "attendance_input": [{"member": member_a.pk, "status": "present"}],
    }
    created = c.post("/api/v1/activities/", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    assert created.json()["present_count"] == 1
    payload["studio"] = dongxi_studio.pk
    payload["attendance_input"] = [{"member": member_b.pk, "status": "present"}]
    assert (
        c.post("/api/v1/activities/", payload, content_type="application/json").status_code == 400
    )
    assert Activity.objects.filter(studio=dongxi_studio).count() == 0


def test_api_rejects_attendance_of_non_members_with_chinese_message(
    client_for, office_user, gunan_studio, member_b
):
    response = client_for(office_user).post(
        "/api/v1/activities/",
        {
            "studio": gunan_studio.pk,
            "kind": "tea_talk",
            "date": "2026-05-21",
            "attendance_input": [{"member": member_b.pk}],
        },
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "不是古南街道委员工作室的成员" in response.json()["detail"]


def test_problem_api_solve_and_conflict(client_for, office_user, town_user, records):
    problem = Problem.objects.get(title="古南问题")
    c = client_for(town_user)
    assert (
        c.post(f"/api/v1/problems/{problem.pk}/solve/", {"solved_on": "2026-06-01"}).status_code
        == 400
    )
    ok = c.post(
        f"/api/v1/problems/{problem.pk}/solve/", {"solved_on": "2026-06-01", "resolution": "已协调"}
    )
    assert ok.status_code == 200 and ok.json()["status"] == "solved"
    again = client_for(office_user).post(
        f"/api/v1/problems/{problem.pk}/solve/", {"solved_on": "2026-06-01", "resolution": "重复"}
    )
    assert again.status_code == 409


def test_party_group_api_shows_leader_branch_and_members_and_changes_leader(
    client_for, office_user, gunan, gunan_studio, party_group, officer, gunan_members, term
):
    services.ensure_party_branches()
    c = client_for(office_user)
    row = c.get(f"/api/v1/party-groups/{party_group.pk}/").json()
    assert row["guiding_branch"] == "提案委功能型党支部"
    assert {m["name"] for m in row["members"]} == {
        officer.name,
        gunan_members[0].name,
        gunan_members[1].name,
    }
    refused = c.patch(
        f"/api/v1/party-groups/{party_group.pk}/",
        {"leader": gunan_members[0].pk},
        content_type="application/json",
    )
    assert refused.status_code == 400 and "统战委员" in refused.json()["detail"]


def test_assign_members_api_is_for_office_only(
    client_for, office_user, town_user, gunan_studio, term
):
    newcomer = MemberFactory()
    url = f"/api/v1/studios/{gunan_studio.pk}/assign-members/"
    body = {"members": [newcomer.pk], "role": MembershipRole.MEMBER, "term": term.pk}
    assert client_for(town_user).post(url, body, content_type="application/json").status_code == 403
    response = client_for(office_user).post(url, body, content_type="application/json")
    assert response.json() == {"changed": 1}
    assert PartyMemberFactory._meta.model.objects.filter(
        studio_memberships__studio=gunan_studio, pk=newcomer.pk
    ).exists()


def test_studio_list_api_query_count_is_flat(
    client_for, office_user, records, django_assert_max_num_queries
):
    c = client_for(office_user)
    c.get("/api/v1/studios/")
    # session, user, roles, count, the page's studios, their counts (one query over the page's ids)
    with django_assert_max_num_queries(6):
        rows = c.get("/api/v1/studios/").json()["results"]
    gunan = next(r for r in rows if r["name"] == "古南街道委员工作室")
    assert (gunan["member_count"], gunan["party_count"], gunan["open_problems"]) == (2, 1, 1)


def test_attendance_rows_and_labels_answer_as_the_serializers_they_stand_for(
    client_for, office_user, records, member_a, gunan_studio
):
    # The activities API writes each attendance row and each label directly
    # (cppcc.api_schema.prefetched_rows, DisplayField): the same answer as the nested
    # AttendanceSerializer and a CharField on get_FOO_display, with the same schema.
    from rest_framework import serializers as drf

    from cppcc.api_schema import DisplayField
    from studios.api import ActivitySerializer, AttendanceSerializer

    services.record_activity(
        gunan_studio,
        {"kind": "tea_talk", "title": "古南第二次", "date": DAY},
        {member_a.pk: "absent"},
        by=office_user,
    )
    rows = client_for(office_user).get("/api/v1/activities/").json()["results"]
    assert len(rows) == 3
    for row in rows:
        activity = Activity.objects.get(pk=row["id"])
        expected = AttendanceSerializer(activity.attendances.all(), many=True).data
        assert row["attendance"] == [dict(r) for r in expected]
        assert row["attendance"], row
    field = ActivitySerializer().fields["attendance"]
    assert field.read_only and field.source == "attendances"

    label = DisplayField(source="get_kind_display", read_only=True)
    plain = drf.CharField(source="get_kind_display", read_only=True)
    for field in (label, plain):
        field.bind("kind_display", drf.Serializer())
    activity = Activity.objects.first()
    assert label.to_representation(label.get_attribute(activity)) == plain.to_representation(
        plain.get_attribute(activity)
    )
    assert label.get_attribute(activity) == activity.get_kind_display() != ""
