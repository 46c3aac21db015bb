"""The to-do lists of the home pages (cppcc.navigation.register_todos and the apps' todo_*
selectors): right counts for each role, scoped to what the person may see, links that open the
filtered list, and the navigation's badges."""

import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import RequestFactory
from django.urls import NoReverseMatch, resolve
from django.utils import timezone

from consultations.models import (
    ConsultationMeeting,
    FollowUpTask,
    Matter,
    MatterUnit,
    MeetingKind,
    Step,
)
from consultations.services import create_matter
from cppcc.navigation import TodoItem, todo_url, todos_for
from cppcc.roles import Role
from members.models import ChangeRequestStatus, MemberChangeRequest
from studios.models import Activity, DutyShift, PartyGroup
from tests.factories import HandlingUnitFactory, MemberFactory

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def _matter(town, title, by, proposers=(), **changes):
    matter = create_matter(town, {"title": title, "year": TODAY.year}, proposers, by=by)
    if changes:
        Matter.objects.filter(pk=matter.pk).update(**changes)
    return matter


def _meeting(town, date, **extra):
    return ConsultationMeeting.objects.create(
        town=town, kind=MeetingKind.REGULAR, date=date, place="村委会", **extra
    )


@pytest.fixture
def county(gunan, dongxi, member_a, member_b, office_user, unit, gunan_studio, dongxi_studio):
    """Two towns, each with rows that need attention, so that a clerk of one town can be shown
    never to count the other's.

    古南街道: a stalled matter (proposed by member_a), an overdue one (assigned to the unit), an
    overdue follow-up task of the unit, a meeting today, a Party group needing a leader, one
    member in its studio (below 5). 东溪镇: a matter both stalled and overdue, an overdue task of
    another unit, a meeting today, one member in its studio. The county: two pending change
    requests, one member in no studio."""
    long_ago = timezone.now() - datetime.timedelta(days=400)
    _matter(gunan, "古南滞后议题", office_user, [member_a], step_entered_at=long_ago)
    overdue = _matter(
        gunan,
        "古南逾期议题",
        office_user,
        [member_a],
        step=Step.ASSIGNED,
        deadline=TODAY - 3 * DAY,
    )
    MatterUnit.objects.create(matter=overdue, unit=unit, role="lead")
    _matter(dongxi, "东溪议题", office_user, step_entered_at=long_ago, deadline=TODAY - DAY)
    _matter(dongxi, "东溪按期议题", office_user)

    gunan_meeting = _meeting(gunan, TODAY)
    FollowUpTask.objects.create(
        meeting=gunan_meeting, description="古南任务", unit=unit, due_on=TODAY - DAY
    )
    FollowUpTask.objects.create(
        meeting=gunan_meeting, description="古南下周任务", unit=unit, due_on=TODAY + 20 * DAY
    )
    FollowUpTask.objects.create(
        meeting=gunan_meeting,
        description="古南已完成",
        unit=unit,
        due_on=TODAY - 5 * DAY,
        done_on=TODAY - 6 * DAY,
    )
    dongxi_meeting = _meeting(dongxi, TODAY)
    FollowUpTask.objects.create(
        meeting=dongxi_meeting,
        description="东溪任务",
        unit=HandlingUnitFactory(name="区水利局"),
        due_on=TODAY - DAY,
    )
    _meeting(dongxi, TODAY - 10 * DAY)  # held: not planned this week

    PartyGroup.objects.create(
        studio=gunan_studio,
        name="古南党小组",
        leader=member_a,
        leader_vacant_since=timezone.now(),
    )
    PartyGroup.objects.create(studio=dongxi_studio, name="东溪党小组", leader=member_b)

    for member in (member_a, member_b):
        MemberChangeRequest.objects.create(member=member, changes={"employer": "新单位"})
    MemberChangeRequest.objects.create(
        member=member_a, changes={"employer": "旧"}, status=ChangeRequestStatus.APPROVED
    )
    MemberFactory(name="王未分")

    DutyShift.objects.create(studio=gunan_studio, member=member_a, date=TODAY + 2 * DAY)
    DutyShift.objects.create(studio=gunan_studio, member=member_a, date=TODAY - 2 * DAY)
    Activity.objects.create(studio=gunan_studio, kind="lecture", title="讲座", date=TODAY + DAY)
    Activity.objects.create(studio=dongxi_studio, kind="lecture", title="东溪", date=TODAY + DAY)


def counts(user, *roles) -> dict[str, int]:
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    return {str(t.label): t.count for t in todos_for(request, roles or ("admin", *Role.values))}


def test_office_counts_the_whole_county(county, office_user):
    assert counts(office_user, Role.OFFICE) == {
        "委员信息修改待审核": 2,
        "进展滞后的议题": 3,
        "超过办理期限的议题": 2,
        "逾期未完成的后续任务": 2,
        "人数不在5–12人的镇街工作室": 2,
        "待调整组长的党小组": 1,
        "未分配工作室的委员": 1,
    }


def test_town_clerk_counts_only_their_town_and_this_weeks_meetings(
    county, town_user, other_town_user
):
    assert counts(town_user, Role.TOWN) == {
        "本周安排的协商会议": 1,
        "进展滞后的议题": 2,
        "超过办理期限的议题": 1,
        "逾期未完成的后续任务": 1,
        "人数不在5–12人的镇街工作室": 1,
        "待调整组长的党小组": 1,
    }
    # 东溪镇's clerk never counts 古南's rows: no Party group waits there, so the line is gone.
    assert counts(other_town_user, Role.TOWN) == {
        "本周安排的协商会议": 1,
        "进展滞后的议题": 1,
        "超过办理期限的议题": 1,
        "逾期未完成的后续任务": 1,
        "人数不在5–12人的镇街工作室": 1,
    }


def test_leader_sees_the_office_counts_except_the_review_queue(county, leader_user):
    got = counts(leader_user, Role.LEADER)
    assert "委员信息修改待审核" not in got
    assert got["进展滞后的议题"] == 3
    assert got["未分配工作室的委员"] == 1


def test_unit_counts_its_open_matters_and_tasks_coloured_by_the_nearest_due_date(county, unit_user):
    request = RequestFactory().get("/")
    request.user, request.session = unit_user, {}
    items = {str(t.label): t for t in todos_for(request, [Role.UNIT])}
    matters, tasks = items["交办本单位办理中的议题"], items["本单位待完成的后续任务"]
    assert (matters.count, matters.due, matters.level) == (1, TODAY - 3 * DAY, "danger")
    assert (tasks.count, tasks.due, tasks.level) == (2, TODAY - DAY, "danger")
    FollowUpTask.objects.filter(due_on__lt=TODAY).update(done_on=TODAY)
    Matter.objects.filter(title="古南逾期议题").update(deadline=TODAY + 2 * DAY)
    request = RequestFactory().get("/")
    request.user, request.session = unit_user, {}
    items = {str(t.label): t for t in todos_for(request, [Role.UNIT])}
    assert items["交办本单位办理中的议题"].level == "warning"  # within the warning days
    assert items["本单位待完成的后续任务"].level == "success"  # 20 days ahead


def test_member_counts_duty_days_meetings_and_own_matters(county, member_user, member_b_user):
    assert counts(member_user, Role.MEMBER) == {
        "我的值日安排": 1,
        "工作室近期活动": 1,
        "待参加的协商会议": 1,  # 古南's meeting today, in their studio's town
        "我提出的办理中议题": 2,
    }
    assert counts(member_b_user, Role.MEMBER) == {"工作室近期活动": 1, "待参加的协商会议": 1}


@pytest.mark.parametrize(
    "role_user,role",
    [
        ("office_user", Role.OFFICE),
        ("town_user", Role.TOWN),
        ("leader_user", Role.LEADER),
        ("unit_user", Role.UNIT),
        ("member_user", Role.MEMBER),
    ],
)
def test_every_link_opens_a_page_the_person_may_see_with_its_filter(
    county, request, client_for, role_user, role
):
    user = request.getfixturevalue(role_user)
    req = RequestFactory().get("/")
    req.user, req.session = user, {}
    items = todos_for(req, [role])
    assert items
    c = client_for(user)
    for item in items:
        parts = urlsplit(item.url)
        resolve(parts.path)
        assert c.get(item.url).status_code == 200, item.url
        if item.url.startswith("/consultations/matters/"):
            assert parse_qs(parts.query) in ({"stalled": ["1"]}, {"overdue": ["1"]})


def test_filtered_lists_show_what_the_todo_counted(county, client_for, office_user):
    """The link's filter and the count agree (each list applies the same selector)."""
    req = RequestFactory().get("/")
    req.user, req.session = office_user, {}
    c = client_for(office_user)
    checked = 0
    for item in todos_for(req, [Role.OFFICE]):
        response = c.get(item.url)
        page = response.context.get("page_obj")
        if page is not None:
            assert page.paginator.count == item.count, item.label
            checked += 1
    assert checked >= 3


def test_link_falls_back_while_a_list_does_not_exist_yet():
    assert todo_url("nowhere:list", {"x": 1}, fallback="members:list") == "/members/?x=1"
    with pytest.raises(NoReverseMatch):
        todo_url("nowhere:list")


def test_items_counting_nothing_are_left_out(db, office_user):
    req = RequestFactory().get("/")
    req.user, req.session = office_user, {}
    assert todos_for(req, [Role.OFFICE]) == []


def test_nav_shows_the_counts_as_badges_after_the_home_page(county, client_for, office_user):
    c = client_for(office_user)
    html = c.get("/reports/office/").content.decode()
    assert 'data-nav="members:change_requests" title="待办">2<' in html
    # 3 stalled matters (the 2 overdue are among them, not added again)
    assert 'data-nav="consultations:board" title="待办">3<' in html
    # Another page shows the badges kept from the home page, with no query of its own.
    html = c.get("/members/").content.decode()
    assert 'data-nav="members:change_requests" title="待办">2<' in html


def test_nav_has_no_badges_before_any_home_page(county, client_for, office_user):
    html = client_for(office_user).get("/members/").content.decode()
    assert 'data-testid="nav-badge"' not in html


def test_todo_item_is_plain_data():
    item = TodoItem("x", 1, "/")
    assert (item.level, item.badge, item.nav, item.due) == ("warning", True, "", None)


def test_a_badge_is_recounted_right_after_the_person_deals_with_an_item(
    county, client_for, office_user
):
    c = client_for(office_user)
    c.get("/reports/office/")
    pending = MemberChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING).first()
    response = c.post(f"/members/change-requests/{pending.pk}/reject/", {"note": "信息有误"})
    assert response.status_code == 302
    html = c.get("/members/").content.decode()
    assert 'data-nav="members:change_requests" title="待办">1<' in html
