import datetime

import pytest
from django.urls import reverse

from studios import services, workflow
from studios.models import Activity, Attendance, MembershipRole, Problem, StudioMembership

from ..factories import MemberFactory, StudioFactory, TownFactory
from .factories import PartyMemberFactory, SectorStudioFactory, VillageFactory

DAY = datetime.date(2026, 5, 20)


@pytest.fixture
def gunan_activity(gunan_studio, member_a, office_user):
    return services.record_activity(
        gunan_studio,
        {"kind": "tea_talk", "title": "茶园夜话", "date": DAY},
        {member_a.pk: "present"},
        by=office_user,
    )


@pytest.fixture
def gunan_problem(gunan_studio, office_user):
    return services.create_problem(
        gunan_studio, {"title": "场镇停车难", "raised_on": DAY}, by=office_user
    )


# --- scoping ---------------------------------------------------------------------------------


def test_other_town_clerk_gets_404_on_gunans_studio_activity_and_problem(
    client_for, other_town_user, gunan_studio, gunan_activity, gunan_problem
):
    c = client_for(other_town_user)
    for url in (
        gunan_studio.get_absolute_url(),
        gunan_activity.get_absolute_url(),
        gunan_problem.get_absolute_url(),
        reverse("studios:activity_create", args=[gunan_studio.pk]),
    ):
        assert c.get(url).status_code == 404, url
    assert c.post(reverse("studios:problem_take", args=[gunan_problem.pk])).status_code == 404
    gunan_problem.refresh_from_db()
    assert gunan_problem.status == "open"


def test_town_clerk_sees_only_their_towns_studio_in_the_list(
    client_for, town_user, gunan_studio, dongxi_studio
):
    body = client_for(town_user).get(reverse("studios:list")).content.decode()
    assert "古南街道委员工作室" in body
    assert "东溪镇委员工作室" not in body


def test_town_clerk_edits_their_own_towns_records(client_for, town_user, gunan_problem):
    response = client_for(town_user).post(reverse("studios:problem_take", args=[gunan_problem.pk]))
    assert response.status_code == 302
    gunan_problem.refresh_from_db()
    assert gunan_problem.status == "in_hand"


def test_leader_reads_but_cannot_change(client_for, leader_user, gunan_studio, gunan_problem):
    c = client_for(leader_user)
    assert c.get(gunan_studio.get_absolute_url()).status_code == 200
    assert c.get(reverse("studios:problem_create", args=[gunan_studio.pk])).status_code == 403
    assert c.post(reverse("studios:problem_take", args=[gunan_problem.pk])).status_code == 403


def test_members_and_units_do_not_get_office_pages(
    client_for, member_user, unit_user, gunan_studio
):
    for user in (member_user, unit_user):
        assert client_for(user).get(reverse("studios:list")).status_code == 403
        assert client_for(user).get(gunan_studio.get_absolute_url()).status_code == 403


def test_only_office_assigns_members(client_for, town_user, office_user):
    assert client_for(town_user).get(reverse("studios:assign")).status_code == 403
    assert client_for(office_user).get(reverse("studios:assign")).status_code == 200


# --- the list and the studio page ------------------------------------------------------------


def _town_studio_with(n_members, n_activities, office_user, term):
    studio = StudioFactory(town=TownFactory())
    members = [PartyMemberFactory() if i % 2 else MemberFactory() for i in range(n_members)]
    services.assign_members(studio, members, role=MembershipRole.MEMBER, term=term, by=office_user)
    for i in range(n_activities):
        services.record_activity(
            studio,
            {"kind": "courtyard", "title": f"院坝会{i}", "date": DAY},
            {m.pk: Attendance.PRESENT for m in members},
            by=office_user,
        )
    services.create_problem(
        studio, {"title": "路灯不亮", "raised_on": DAY}, members[:2], by=office_user
    )
    return studio


def test_studio_list_shows_counts_flags_and_unassigned(
    client_for, office_user, term, gunan_studio, member_a
):
    small = _town_studio_with(3, 2, office_user, term)
    media = SectorStudioFactory(name="媒体委员工作室")
    services.assign_members(
        media,
        [PartyMemberFactory() for _ in range(2)],
        role=MembershipRole.CORE,
        term=term,
        by=office_user,
    )
    services.assign_members(
        media, [MemberFactory()], role=MembershipRole.LINKED, term=term, by=office_user
    )
    MemberFactory(name="孙未分")

    response = client_for(office_user).get(reverse("studios:list"))

    rows = {s.name: s for s in response.context["studios"]}
    row = rows[small.name]
    assert (row.member_count, row.party_count, row.activities_this_year, row.open_problems) == (
        3,
        1,
        2,
        1,
    )
    assert row.size_flag == "small"
    assert (rows["媒体委员工作室"].core_count, rows["媒体委员工作室"].linked_count) == (2, 1)
    assert rows["媒体委员工作室"].size_flag == ""
    # 孙未分, the media studio's three (a sector studio is not a town studio) and small's none.
    assert response.context["unassigned"] == 4
    assert "未分配工作室的委员 4 人" in response.content.decode()
    assert "人数偏少" in response.content.decode()


def test_studio_list_filters_by_kind(client_for, office_user, gunan_studio):
    SectorStudioFactory(name="医卫界别委员工作室")
    response = client_for(office_user).get(reverse("studios:list"), {"kind": "sector"})
    assert [s.name for s in response.context["studios"]] == ["医卫界别委员工作室"]


@pytest.mark.parametrize("n_studios", [1, 6])
def test_studio_list_query_count_does_not_grow_with_rows(
    client_for, office_user, term, n_studios, django_assert_max_num_queries
):
    for _ in range(n_studios):
        _town_studio_with(4, 3, office_user, term)
    c = client_for(office_user)
    c.get(reverse("studios:list"))  # the first request writes the session's last-seen time
    # session, user, roles, paginator COUNT, the page's studios, their counts (one query over
    # the page's ids), current term, unassigned count, unread notifications
    with django_assert_max_num_queries(9):
        response = c.get(reverse("studios:list"))
    assert len(response.context["studios"]) == n_studios


@pytest.mark.parametrize("size", [2, 12])
def test_studio_page_query_count_does_not_grow_with_rows(
    client_for, office_user, term, size, django_assert_max_num_queries
):
    studio = _town_studio_with(size, size, office_user, term)
    services.ensure_party_branches()
    town = studio.town
    officer = studio.memberships.filter(member__party="cpc").first().member
    services.set_united_front_officer(town, officer, by=office_user)
    services.create_party_group(studio, officer, by=office_user)
    village = VillageFactory(town=town)
    for i, m in enumerate(StudioMembership.objects.filter(studio=studio)):
        services.assign_duty(
            studio,
            m.member,
            datetime.date(2026, 12, 1) + datetime.timedelta(days=i),
            by=office_user,
        )
        services.create_honorary_head(
            {
                "member": m.member,
                "village": village,
                "start_on": datetime.date(2024, 1, 1) + datetime.timedelta(days=i),
                "end_on": datetime.date(2024, 1, 1) + datetime.timedelta(days=i),
            },
            by=office_user,
        )
    c = client_for(office_user)
    c.get(studio.get_absolute_url())
    # session, user, roles, studio (+town, officer, leader), memberships (+members), Party group
    # (+leader, committee, branch), activities with attendance counts, problems, their followers,
    # problem counts by status, duty rota, honorary heads, studio history, content type,
    # transitions, unread notifications
    with django_assert_max_num_queries(16):
        response = c.get(studio.get_absolute_url())
    assert response.status_code == 200
    assert len(response.context["town_members"]) == size
    assert response.context["group"].leader == officer


def test_studio_page_shows_party_group_leader_branch_and_history(
    client_for, office_user, gunan_studio, party_group, officer, committee
):
    services.ensure_party_branches()
    body = client_for(office_user).get(gunan_studio.get_absolute_url()).content.decode()
    assert "陈祖勋" in body
    assert "提案委功能型党支部" in body
    assert 'id="history"' in body


# --- forms -----------------------------------------------------------------------------------


def test_activity_entry_with_thirty_members_in_one_form(
    client_for, office_user, gunan_studio, term
):
    members = [MemberFactory() for _ in range(30)]
    services.assign_members(
        gunan_studio, members, role=MembershipRole.MEMBER, term=term, by=office_user
    )
    url = reverse("studios:activity_create", args=[gunan_studio.pk])
    page = client_for(office_user).get(url)
    assert len(page.context["attendance"].rows) == 30
    data = {
        "kind": "tea_talk",
        "title": "茶园夜话",
        "date": "2026-05-20",
        "other_participants": 3,
        "residents_reached": 60,
    }
    data.update({f"a-att_{m.pk}": "present" for m in members})
    data[f"a-att_{members[0].pk}"] = "leave"
    data[f"a-att_{members[1].pk}"] = "absent"

    response = client_for(office_user).post(url, data)

    activity = Activity.objects.get()
    assert response.status_code == 302 and response["Location"] == activity.get_absolute_url()
    assert activity.attendances.count() == 30
    detail = client_for(office_user).get(activity.get_absolute_url())
    assert detail.context["totals"] == {"present": 28, "leave": 1, "absent": 1}
    assert "出席 28 · 请假 1 · 缺席 1" in detail.content.decode()


def test_activity_form_shows_the_live_stream_sales_rule(
    client_for, office_user, gunan_studio, member_a
):
    url = reverse("studios:activity_create", args=[gunan_studio.pk])
    response = client_for(office_user).post(
        url,
        {
            "kind": "livestream",
            "date": "2026-05-20",
            "other_participants": 0,
            "residents_reached": 0,
            f"a-att_{member_a.pk}": "present",
        },
    )
    assert response.status_code == 200
    assert "直播带货活动须填写销售额" in response.content.decode()
    assert not Activity.objects.exists()


def test_solve_form_requires_how_and_marks_solved(client_for, office_user, gunan_problem):
    c = client_for(office_user)
    url = reverse("studios:problem_solve", args=[gunan_problem.pk])
    refused = c.post(url, {"solved_on": "2026-06-01", "resolution": ""})
    assert refused.status_code == 400
    assert c.post(url, {"solved_on": "2026-06-01", "resolution": "新划停车位"}).status_code == 302
    gunan_problem.refresh_from_db()
    assert gunan_problem.status == "solved"
    page = c.get(gunan_problem.get_absolute_url()).content.decode()
    assert "新划停车位" in page and "data-confirm" in page


def test_bulk_assign_form_moves_members(client_for, office_user, member_b, gunan_studio, term):
    response = client_for(office_user).post(
        reverse("studios:assign"),
        {"studio": gunan_studio.pk, "role": "member", "term": term.pk, "members": [member_b.pk]},
    )
    assert response.status_code == 302
    assert StudioMembership.objects.get(member=member_b, end_on__isnull=True).studio == gunan_studio


def test_party_group_page_refuses_a_leader_who_is_not_the_officer(
    client_for, office_user, gunan_studio, officer, gunan_members
):
    url = reverse("studios:party_group", args=[gunan_studio.pk])
    response = client_for(office_user).post(url, {"leader": gunan_members[0].pk})
    assert "统战委员" in response.content.decode()
    assert client_for(office_user).post(url, {"leader": officer.pk}).status_code == 302
    assert gunan_studio.party_group.leader == officer


def test_duty_page_books_a_member(client_for, town_user, gunan_studio, member_a):
    url = reverse("studios:duty", args=[gunan_studio.pk])
    assert (
        client_for(town_user).post(url, {"member": member_a.pk, "date": "2026-12-03"}).status_code
        == 302
    )
    again = client_for(town_user).post(url, {"member": member_a.pk, "date": "2026-12-03"})
    assert "已在古南街道委员工作室值日" in again.content.decode()


def test_problem_history_shows_the_state_change(client_for, office_user, gunan_problem):
    workflow.problem_take(gunan_problem, by=office_user)
    body = client_for(office_user).get(gunan_problem.get_absolute_url()).content.decode()
    assert "状态变更" in body and "办理中" in body
    assert Problem.objects.get().status == "in_hand"
