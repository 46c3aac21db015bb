"""The office's county-wide lists (issue 9): activities and problems with search, filters and
totals, the studio list's ?off_size=1, and every studio list exported to xlsx with the page's
filters and scope."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cppcc.navigation import registry
from studios import services
from studios.models import MembershipRole

from ..factories import MemberFactory, StudioFactory, TownFactory
from .factories import PartyMemberFactory, SectorStudioFactory

DAY = datetime.date(2026, 5, 20)


def _activity(studio, members, *, by, kind="tea_talk", title="茶园夜话", day=DAY, **extra):
    data = {"kind": kind, "title": title, "date": day, **extra}
    if kind == "livestream":
        data.setdefault("sales_wan", Decimal("1.50"))
    return services.record_activity(studio, data, {m.pk: "present" for m in members}, by=by)


@pytest.fixture
def activities(gunan_studio, dongxi_studio, member_a, member_b, office_user):
    """Two in 古南, one in 东溪."""
    return [
        _activity(
            gunan_studio,
            [member_a],
            by=office_user,
            title="茶园夜话听民声",
            other_participants=3,
            residents_reached=40,
        ),
        _activity(
            gunan_studio,
            [member_a],
            by=office_user,
            kind="livestream",
            title="助农直播",
            day=DAY + datetime.timedelta(days=10),
            residents_reached=100,
            sales_wan=Decimal("2.25"),
        ),
        _activity(
            dongxi_studio,
            [member_b],
            by=office_user,
            title="东溪院坝会",
            kind="courtyard",
            residents_reached=7,
        ),
    ]


def _titles(response) -> list[str]:
    return [a.title for a in response.context["page_obj"]]


def _sheet(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    return rows[0], rows[1:]


# --- activity list ---------------------------------------------------------------------------


def test_activity_list_totals_cover_every_filtered_row(client_for, office_user, activities):
    response = client_for(office_user).get(reverse("studios:activity_list"))
    # Newest first; of one day, the later entry first.
    assert _titles(response) == ["助农直播", "东溪院坝会", "茶园夜话听民声"]
    totals = response.context["totals"]
    assert totals["activities"] == 3
    assert totals["present"] == 3 and totals["attendance"] == 3 + 3  # members + others
    assert totals["residents"] == 147
    assert totals["sales"] == Decimal("2.25")


def test_activity_list_filters_and_search(client_for, office_user, activities, gunan, dongxi):
    c = client_for(office_user)
    url = reverse("studios:activity_list")
    assert _titles(c.get(url, {"town": dongxi.pk})) == ["东溪院坝会"]
    assert _titles(c.get(url, {"kind": "livestream"})) == ["助农直播"]
    assert _titles(c.get(url, {"q": "民声"})) == ["茶园夜话听民声"]
    assert _titles(c.get(url, {"studio": activities[0].studio_id, "date_to": "2026-05-25"})) == [
        "茶园夜话听民声"
    ]
    in_range = c.get(url, {"date_from": "2026-05-21", "date_to": "2026-06-30"})
    assert _titles(in_range) == ["助农直播"]
    assert in_range.context["totals"]["residents"] == 100


def test_activity_list_bad_dates_say_why_and_list_nothing(client_for, office_user, activities):
    response = client_for(office_user).get(
        reverse("studios:activity_list"), {"date_from": "2026-06-30", "date_to": "2026-05-01"}
    )
    assert _titles(response) == []
    assert "开始日期不能晚于结束日期" in response.content.decode()


def test_town_clerk_sees_and_filters_only_their_town(
    client_for, town_user, activities, gunan, dongxi
):
    c = client_for(town_user)
    response = c.get(reverse("studios:activity_list"))
    assert _titles(response) == ["助农直播", "茶园夜话听民声"]
    assert response.context["totals"]["residents"] == 140
    form = response.context["filter"].form
    assert list(form.fields["town"].queryset) == [gunan]
    assert [s.name for s in form.fields["studio"].queryset] == ["古南街道委员工作室"]
    # Asking for another town's rows is refused, not widened.
    other = c.get(reverse("studios:activity_list"), {"town": dongxi.pk})
    assert _titles(other) == []
    assert "只能选择您可查看的镇街" in other.content.decode()
    export = c.get(reverse("studios:activity_list_export"), {"town": dongxi.pk})
    assert _sheet(export)[1] == []


def test_activity_export_opens_with_the_pages_filters(client_for, office_user, activities, gunan):
    response = client_for(office_user).get(
        reverse("studios:activity_list_export"), {"town": gunan.pk}
    )
    today = timezone.localdate().isoformat()
    assert (
        f"filename*=utf-8''%E6%B4%BB%E5%8A%A8%E8%AE%B0%E5%BD%95-{today}.xlsx"
        in (response["Content-Disposition"])
    )
    header, rows = _sheet(response)
    assert header[:4] == ("活动日期", "活动主题", "活动类型", "工作室")
    assert "服务群众人数" in header and "带货销售额（万元）" in header
    assert [r[1] for r in rows] == ["助农直播", "茶园夜话听民声"]
    assert rows[0][2] == "直播带货" and rows[0][-1] == 2.25


@pytest.mark.parametrize("n", [1, 8])
def test_activity_list_and_export_query_counts_do_not_grow(
    client_for, office_user, gunan_studio, member_a, n, django_assert_max_num_queries
):
    for i in range(n):
        _activity(gunan_studio, [member_a], by=office_user, title=f"活动{i}")
    c = client_for(office_user)
    url = reverse("studios:activity_list")
    c.get(url)  # the first request writes the session's last-seen time
    # session, user, roles, unread notifications, page count, page rows (with present counts),
    # the totals aggregate, the present-members count, towns and studios for the filter
    with django_assert_max_num_queries(11):
        assert len(c.get(url).context["page_obj"]) == n
    # session, user, roles, the rows
    with django_assert_max_num_queries(5):
        assert len(_sheet(c.get(reverse("studios:activity_list_export")))[1]) == n


def test_activity_list_is_paged(client_for, office_user, gunan_studio):
    for i in range(51):
        _activity(gunan_studio, [], by=office_user, title=f"活动{i}", residents_reached=1)
    response = client_for(office_user).get(reverse("studios:activity_list"))
    assert len(response.context["page_obj"]) == 50
    assert response.context["totals"]["residents"] == 51  # totals cover every page


# --- problem list ----------------------------------------------------------------------------


@pytest.fixture
def problems(gunan_studio, dongxi_studio, office_user):
    from studios import workflow

    parking = services.create_problem(
        gunan_studio,
        {"title": "场镇停车难", "raised_on": DAY, "raised_by": "商户"},
        by=office_user,
    )
    lamps = services.create_problem(
        gunan_studio,
        {"title": "路灯不亮", "raised_on": DAY - datetime.timedelta(days=60)},
        by=office_user,
    )
    workflow.problem_take(lamps, by=office_user)
    workflow.problem_solve(lamps, solved_on=DAY, resolution="更换路灯", by=office_user)
    water = services.create_problem(
        dongxi_studio, {"title": "饮水管网老化", "raised_on": DAY}, by=office_user
    )
    return parking, lamps, water


def _problem_titles(response) -> list[str]:
    return sorted(p.title for p in response.context["page_obj"])


def test_problem_list_search_and_filters(client_for, office_user, problems, dongxi):
    c = client_for(office_user)
    url = reverse("studios:problem_list")
    assert _problem_titles(c.get(url, {"q": "商户"})) == ["场镇停车难"]
    assert _problem_titles(c.get(url, {"town": dongxi.pk})) == ["饮水管网老化"]
    assert _problem_titles(c.get(url, {"status": "solved"})) == ["路灯不亮"]
    assert _problem_titles(c.get(url, {"status": "unsolved"})) == ["场镇停车难", "饮水管网老化"]
    assert _problem_titles(c.get(url, {"date_to": "2026-04-01"})) == ["路灯不亮"]
    assert _problem_titles(c.get(url, {"date_from": "2026-05-01", "q": "停车"})) == ["场镇停车难"]


def test_problem_list_and_export_are_scoped_to_the_clerks_town(client_for, town_user, problems):
    c = client_for(town_user)
    assert _problem_titles(c.get(reverse("studios:problem_list"))) == ["场镇停车难", "路灯不亮"]
    response = c.get(reverse("studios:problem_list_export"), {"status": "solved"})
    assert "%E6%B0%91%E7%94%9F%E9%97%AE%E9%A2%98-" in response["Content-Disposition"]  # 民生问题
    header, rows = _sheet(response)
    assert header[:2] == ("反映日期", "问题") and "解决情况" in header
    assert [(r[1], r[7], r[9]) for r in rows] == [("路灯不亮", "已解决", "更换路灯")]


@pytest.mark.parametrize("n", [1, 6])
def test_problem_list_and_export_query_counts_do_not_grow(
    client_for, office_user, gunan_studio, member_a, n, django_assert_max_num_queries
):
    for i in range(n):
        services.create_problem(
            gunan_studio, {"title": f"问题{i}", "raised_on": DAY}, [member_a], by=office_user
        )
    c = client_for(office_user)
    c.get(reverse("studios:problem_list"))
    # session, user, roles, unread notifications, page count, page rows, towns and studios
    with django_assert_max_num_queries(9):
        assert len(c.get(reverse("studios:problem_list")).context["page_obj"]) == n
    with django_assert_max_num_queries(5):  # session, user, roles, the rows
        assert len(_sheet(c.get(reverse("studios:problem_list_export")))[1]) == n


# --- studio list, Party groups, contact pairs ------------------------------------------------


def _town_studio(name, size, *, by, term):
    studio = StudioFactory(town=TownFactory(name=f"{name}镇"), name=f"{name}镇委员工作室")
    members = [MemberFactory() for _ in range(size)]
    if members:
        services.assign_members(studio, members, role=MembershipRole.MEMBER, term=term, by=by)
    return studio


def test_studio_list_off_size_shows_only_town_studios_outside_the_range(
    client_for, office_user, term, settings
):
    settings.CPPCC_TOWN_STUDIO_SIZE = (5, 12)
    small = _town_studio("小", 3, by=office_user, term=term)
    _town_studio("中", 6, by=office_user, term=term)
    large = _town_studio("大", 13, by=office_user, term=term)
    media = SectorStudioFactory(name="媒体委员工作室")
    services.assign_members(
        media, [MemberFactory()], role=MembershipRole.CORE, term=term, by=office_user
    )
    c = client_for(office_user)
    response = c.get(reverse("studios:list"), {"off_size": "1"})
    assert {s.name for s in response.context["studios"]} == {small.name, large.name}
    assert "只看人数不在 5–12 人的镇街工作室" in response.content.decode()

    header, rows = _sheet(c.get(reverse("studios:list_export"), {"off_size": "1"}))
    assert header[0] == "工作室" and "人数提示" in header
    flags = {r[0]: r[header.index("人数提示")] for r in rows}
    assert flags == {small.name: "人数偏少", large.name: "人数超额"}


def test_party_group_and_contact_exports_follow_the_page(
    client_for, town_user, party_group, gunan_members, term, office_user, dongxi_studio
):
    dongxi_leader = PartyMemberFactory(name="东溪组长")
    services.assign_members(
        dongxi_studio, [dongxi_leader], role=MembershipRole.MEMBER, term=term, by=office_user
    )
    services.set_united_front_officer(dongxi_studio.town, dongxi_leader, by=office_user)
    services.create_party_group(dongxi_studio, dongxi_leader, by=office_user)
    services.create_contact_pair(
        gunan_members[0], gunan_members[2], term=term, since=DAY, by=office_user
    )
    c = client_for(town_user)
    header, rows = _sheet(c.get(reverse("studios:party_group_list_export")))
    assert header[:4] == ("党小组", "工作室", "镇街", "组长")
    assert [(r[0], r[3], r[7]) for r in rows] == [(party_group.name, "陈祖勋", "正常")]
    header, rows = _sheet(c.get(reverse("studios:contacts_export")))
    assert header[:2] == ("党员委员", "党外委员")
    assert [(r[0], r[1]) for r in rows] == [(gunan_members[0].name, gunan_members[2].name)]
    # Nothing sensitive: no ID number or mobile column in any of these files.
    assert not {"身份证号", "手机号码", "出生日期"} & set(header)


@pytest.mark.parametrize("n", [1, 5])
def test_party_group_list_and_export_query_counts_do_not_grow(
    client_for, office_user, term, n, django_assert_max_num_queries
):
    for i in range(n):
        studio = SectorStudioFactory(name=f"界别{i}工作室")
        leader = PartyMemberFactory()
        services.assign_members(
            studio, [leader], role=MembershipRole.CORE, term=term, by=office_user
        )
        services.create_party_group(studio, leader, by=office_user)
    c = client_for(office_user)
    c.get(reverse("studios:party_group_list"))
    # session, user, roles, unread notifications, page count, page rows (branch joined, Party
    # members counted in a subquery), towns for the filter
    with django_assert_max_num_queries(8):
        assert len(c.get(reverse("studios:party_group_list")).context["page_obj"]) == n
    with django_assert_max_num_queries(5):  # session, user, roles, the rows
        assert len(_sheet(c.get(reverse("studios:party_group_list_export")))[1]) == n


@pytest.mark.parametrize("n", [1, 5])
def test_studio_list_export_query_count_does_not_grow(
    client_for, office_user, term, n, django_assert_max_num_queries
):
    for i in range(n):
        _town_studio(f"测{i}", 2, by=office_user, term=term)
    c = client_for(office_user)
    c.get(reverse("studios:list"))
    with django_assert_max_num_queries(5):  # session, user, roles, studios with their counts
        assert len(_sheet(c.get(reverse("studios:list_export")))[1]) == n


def test_new_lists_are_in_the_navigation():
    names = {item.url_name for item in registry.nav}
    assert {
        "studios:activity_list",
        "studios:problem_list",
        "studios:party_group_list",
    } <= names
