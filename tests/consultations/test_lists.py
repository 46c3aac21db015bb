"""The lists beside the board: matters, meetings and follow-up tasks, each filtered, scoped to
the person, paged, and exported to xlsx with the same filters."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from consultations import services
from consultations.models import FollowUpTask, Matter, MatterStepDate, MeetingKind, Step

from ..factories import TownFactory
from .conftest import YEAR, hold_meeting

TODAY = timezone.localdate()


def rows_of(response) -> list:
    return list(response.context["page_obj"].object_list)


def sheet(response) -> list[tuple]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    book = load_workbook(io.BytesIO(response.content))
    return [tuple(row) for row in book.active.iter_rows(values_only=True)]


def disposition(response) -> str:
    from urllib.parse import unquote

    return unquote(response["Content-Disposition"])


@pytest.fixture
def county(new_matter, walk_to, dongxi, office_user, unit):
    """古南's annual matter at 督办协商 (its deadline passed, so overdue and stalled), a second
    古南 matter just proposed, and 东溪's matter at 议前协商."""
    gunan_annual = walk_to(new_matter(is_annual_topic=True), Step.SUPERVISION)
    Matter.objects.filter(pk=gunan_annual.pk).update(
        assigned_on=TODAY - datetime.timedelta(days=60),
        deadline=TODAY - datetime.timedelta(days=5),
    )
    # Its steps began two months ago, so a meeting of 40 days ago belongs to them.
    MatterStepDate.objects.filter(matter=gunan_annual).update(
        entered_on=TODAY - datetime.timedelta(days=60)
    )
    gunan_new = new_matter(title="古南老街排水改造")
    dongxi_matter = walk_to(
        new_matter(town=dongxi, title="东溪场镇停车难整治", is_annual_topic=True), Step.PRE_MEETING
    )
    return {"annual": gunan_annual, "new": gunan_new, "dongxi": dongxi_matter}


# --- matters -------------------------------------------------------------------------------------


def test_matter_list_filters_by_town_step_stalled_and_overdue(client_for, office_user, county):
    c = client_for(office_user)
    url = reverse("consultations:matter_list")
    everything = rows_of(c.get(url, {"year": YEAR}))
    assert {m.pk for m in everything} == {m.pk for m in county.values()}
    by_town = rows_of(c.get(url, {"town": county["dongxi"].town_id}))
    assert [m.pk for m in by_town] == [county["dongxi"].pk]
    by_step = rows_of(c.get(url, {"step": Step.PROPOSED}))
    assert [m.pk for m in by_step] == [county["new"].pk]
    overdue = rows_of(c.get(url, {"overdue": "1"}))
    assert [m.pk for m in overdue] == [county["annual"].pk]
    stalled = rows_of(c.get(url, {"stalled": "1"}))
    assert [m.pk for m in stalled] == [county["annual"].pk]
    assert rows_of(c.get(url, {"year": YEAR - 1})) == []


def test_matter_list_shows_days_in_step_deadline_lead_unit_and_flags(
    client_for, office_user, county
):
    Matter.objects.filter(pk=county["annual"].pk).update(
        step_entered_at=timezone.now() - datetime.timedelta(days=12)
    )
    response = client_for(office_user).get(reverse("consultations:matter_list"), {"overdue": "1"})
    (row,) = rows_of(response)
    assert row.days_in_step == 12 and row.overdue and row.stalled
    assert row.lead_unit_name == "区交通局"
    html = response.content.decode()
    assert "督办协商" in html and "区交通局" in html and 'data-testid="overdue"' in html


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["东溪场镇停车难整治", "古南老街排水改造", "春光村荷塘养虾基地建设"]),
        ("-title", ["春光村荷塘养虾基地建设", "古南老街排水改造", "东溪场镇停车难整治"]),
        ("step", ["古南老街排水改造", "东溪场镇停车难整治", "春光村荷塘养虾基地建设"]),
        ("-step", ["春光村荷塘养虾基地建设", "东溪场镇停车难整治", "古南老街排水改造"]),
        # No deadline yet: last, both ways.
        ("deadline", ["春光村荷塘养虾基地建设", "东溪场镇停车难整治", "古南老街排水改造"]),
        ("-deadline", ["东溪场镇停车难整治", "春光村荷塘养虾基地建设", "古南老街排水改造"]),
    ],
)
def test_matter_list_sorts(client_for, office_user, county, sort, expected):
    response = client_for(office_user).get(reverse("consultations:matter_list"), {"sort": sort})
    assert [m.title for m in rows_of(response)] == expected


def test_matter_list_sorts_by_days_in_step_and_descending_puts_the_longest_first(
    client_for, office_user, county
):
    now = timezone.now()
    for key, days in (("annual", 3), ("new", 40), ("dongxi", 10)):
        Matter.objects.filter(pk=county[key].pk).update(
            step_entered_at=now - datetime.timedelta(days=days)
        )
    c = client_for(office_user)
    shortest = rows_of(c.get(reverse("consultations:matter_list"), {"sort": "days"}))
    assert [m.days_in_step for m in shortest] == [3, 10, 40]
    longest = rows_of(c.get(reverse("consultations:matter_list"), {"sort": "-days"}))
    assert [m.days_in_step for m in longest] == [40, 10, 3]


def test_an_unknown_sort_or_step_is_refused_in_chinese_and_the_list_stays_whole(
    client_for, office_user, county
):
    response = client_for(office_user).get(
        reverse("consultations:matter_list"), {"sort": "password", "step": "nope"}
    )
    assert response.status_code == 200
    assert len(rows_of(response)) == 3
    assert "选择一个有效的选项" in response.content.decode()


def test_clerk_of_another_town_sees_none_of_gunans_matters_and_only_their_town_to_filter(
    client_for, other_town_user, county
):
    c = client_for(other_town_user)
    response = c.get(reverse("consultations:matter_list"))
    assert [m.pk for m in rows_of(response)] == [county["dongxi"].pk]
    towns = list(response.context["filter"].form.fields["town"].queryset)
    assert towns == [county["dongxi"].town]
    # Asking for 古南 by id is refused (not a choice), and still shows nothing of it.
    asked = c.get(reverse("consultations:matter_list"), {"town": county["annual"].town_id})
    assert "古南" not in "".join(m.town.name for m in rows_of(asked))
    rows = sheet(
        c.get(reverse("consultations:matter_list_export"), {"town": county["annual"].town_id})
    )
    assert all("古南街道" not in row for row in rows[1:])
    assert [row[2] for row in rows[1:]] == ["东溪场镇停车难整治"]


def test_matter_list_is_paged(client_for, office_user, new_matter):
    for i in range(35):
        new_matter(town=TownFactory(name=f"测试{i}镇", order=10 + i), title=f"议题{i}")
    c = client_for(office_user)
    first = c.get(reverse("consultations:matter_list"))
    assert len(rows_of(first)) == 30
    assert first.context["page_obj"].paginator.count == 35
    assert len(rows_of(c.get(reverse("consultations:matter_list"), {"page": 2}))) == 5


def test_matter_export_has_chinese_headers_a_chinese_name_and_the_filters(
    client_for, office_user, county
):
    response = client_for(office_user).get(
        reverse("consultations:matter_list_export"), {"town": county["annual"].town_id}
    )
    rows = sheet(response)
    assert rows[0][:9] == (
        "年度",
        "镇街",
        "事项",
        "立案编号",
        "当前步骤",
        "在本步天数",
        "办理期限",
        "牵头单位",
        "状态",
    )
    assert disposition(response).endswith(f"一镇一事-{TODAY.isoformat()}.xlsx")
    by_title = {row[2]: row for row in rows[1:]}
    assert set(by_title) == {"春光村荷塘养虾基地建设", "古南老街排水改造"}
    annual = by_title["春光村荷塘养虾基地建设"]
    assert annual[0] == YEAR and annual[1] == "古南街道" and annual[4] == "督办协商"
    assert annual[7] == "区交通局" and "已逾期" in annual[8] and "停滞" in annual[8]
    assert annual[6] == (TODAY - datetime.timedelta(days=5)).isoformat()


def test_board_and_list_link_to_each_other(client_for, office_user, county):
    c = client_for(office_user)
    board = c.get(reverse("consultations:board")).content.decode()
    assert reverse("consultations:matter_list") + f"?year={YEAR}" in board
    listing = c.get(reverse("consultations:matter_list"), {"year": YEAR}).content.decode()
    assert reverse("consultations:board") + f"?year={YEAR}" in listing


@pytest.mark.parametrize("n_matters", [3, 12])
def test_matter_list_and_export_query_counts_do_not_grow_with_rows(
    client_for, office_user, new_matter, walk_to, n_matters, django_assert_max_num_queries
):
    for i in range(n_matters):
        m = new_matter(town=TownFactory(name=f"测试{i}镇", order=10 + i), title=f"议题{i}")
        if i % 2:
            walk_to(m, Step.ASSIGNED)
    c = client_for(office_user)
    c.get(reverse("consultations:matter_list"))  # the first request writes the session's last-seen
    # session, user, roles, the visible matters' years, the count, the page of matters (with
    # town and lead unit), unread notifications, the towns for the filter
    with django_assert_max_num_queries(8):
        response = c.get(reverse("consultations:matter_list"), {"sort": "deadline"})
    assert len(rows_of(response)) == n_matters
    # session, user, roles, the years (the filter's), the matters (with town and lead unit),
    # the export's audit row
    with django_assert_max_num_queries(6):
        response = c.get(reverse("consultations:matter_list_export"))
    assert len(sheet(response)) == n_matters + 1


# --- meetings ------------------------------------------------------------------------------------


@pytest.fixture
def meetings(county, office_user, gunan, dongxi):
    annual = county["annual"]
    old = hold_meeting(
        annual,
        MeetingKind.PRE_MEETING,
        office_user,
        date=TODAY - datetime.timedelta(days=40),
        topic="荷塘选址议前协商",
    )
    regular = services.record_meeting(
        {
            "kind": MeetingKind.REGULAR,
            "date": TODAY - datetime.timedelta(days=3),
            "place": "古南街道政协工作办公室",
            "topic": "第四季度协商工作例会",
        },
        town=gunan,
        by=office_user,
    )
    other = services.record_meeting(
        {"kind": MeetingKind.MICRO, "date": TODAY - datetime.timedelta(days=2), "place": "二居"},
        town=dongxi,
        by=office_user,
    )
    return {"old": old, "regular": regular, "other": other}


def test_meeting_list_filters_by_date_range_kind_search_and_matter(
    client_for, office_user, county, meetings
):
    c = client_for(office_user)
    url = reverse("consultations:meeting_list")
    since = TODAY - datetime.timedelta(days=5)
    recent = rows_of(c.get(url, {"date_from": since.isoformat()}))
    assert {meetings["regular"].pk, meetings["other"].pk} <= {m.pk for m in recent}
    assert meetings["old"].pk not in {m.pk for m in recent}
    assert all(m.date >= since for m in recent)
    older = rows_of(c.get(url, {"date_to": (TODAY - datetime.timedelta(days=30)).isoformat()}))
    assert [m.pk for m in older] == [meetings["old"].pk]
    assert [m.pk for m in rows_of(c.get(url, {"kind": MeetingKind.MICRO}))] == [
        meetings["other"].pk
    ]
    assert [m.pk for m in rows_of(c.get(url, {"q": "选址"}))] == [meetings["old"].pk]
    by_matter = rows_of(c.get(url, {"matter": county["annual"].pk}))
    assert meetings["old"].pk in {m.pk for m in by_matter}
    assert all(m.matter_id == county["annual"].pk for m in by_matter)
    bad = c.get(url, {"date_from": "2026-13-45"})
    assert "有效的日期" in bad.content.decode()


def test_meeting_export_keeps_the_filters_and_the_clerks_scope(
    client_for, office_user, other_town_user, meetings
):
    response = client_for(office_user).get(
        reverse("consultations:meeting_list_export"), {"kind": MeetingKind.REGULAR}
    )
    rows = sheet(response)
    assert rows[0][:6] == ("协商日期", "镇街", "协商类型", "协商主题", "议题", "协商地点")
    assert [row[3] for row in rows[1:]] == ["第四季度协商工作例会"]
    assert disposition(response).endswith(f"协商会议-{TODAY.isoformat()}.xlsx")
    theirs = sheet(client_for(other_town_user).get(reverse("consultations:meeting_list_export")))
    assert [row[1] for row in theirs[1:]] == ["东溪镇"]
    listed = rows_of(client_for(other_town_user).get(reverse("consultations:meeting_list")))
    assert [m.pk for m in listed] == [meetings["other"].pk]


@pytest.mark.parametrize("n_meetings", [2, 8])
def test_meeting_list_and_export_query_counts_do_not_grow_with_rows(
    client_for, office_user, gunan, n_meetings, django_assert_max_num_queries
):
    for i in range(n_meetings):
        services.record_meeting(
            {"kind": MeetingKind.MICRO, "date": TODAY, "place": f"村{i}"},
            town=gunan,
            by=office_user,
        )
    c = client_for(office_user)
    c.get(reverse("consultations:meeting_list"))
    # session, user, roles, the count, unread notifications, the towns for the filter, the page
    # of meetings (town, matter, attendance counts)
    with django_assert_max_num_queries(7):
        response = c.get(reverse("consultations:meeting_list"))
    assert len(rows_of(response)) == n_meetings
    # session, user, roles, the meetings (town, matter, attendance counts), the export's audit
    # row
    with django_assert_max_num_queries(5):
        response = c.get(reverse("consultations:meeting_list_export"))
    assert len(sheet(response)) == n_meetings + 1


# --- follow-up tasks -----------------------------------------------------------------------------


@pytest.fixture
def tasks(meetings, unit, other_unit):
    def task(meeting, description, due, unit=None, owner="", done=None):
        return FollowUpTask.objects.create(
            meeting=meeting,
            description=description,
            unit=unit,
            owner=owner,
            due_on=TODAY + datetime.timedelta(days=due),
            done_on=done,
        )

    return {
        "late": task(meetings["old"], "完成荷塘选址测量", -10, unit=unit),
        "soon": task(meetings["regular"], "报送季度协商情况", 3, owner="古南街道办"),
        "done": task(meetings["old"], "召开院坝会", -20, unit=unit, done=TODAY),
        "other_unit": task(meetings["regular"], "排水改造方案", 30, unit=other_unit),
        "dongxi": task(meetings["other"], "二居充电桩选址", -1, owner="二居委会"),
    }


def test_task_list_filters_open_overdue_unit_and_town(client_for, office_user, tasks, unit, gunan):
    c = client_for(office_user)
    url = reverse("consultations:task_list")
    assert len(rows_of(c.get(url))) == 5
    open_ = {t.pk for t in rows_of(c.get(url, {"open": "1"}))}
    assert open_ == {tasks[k].pk for k in ("late", "soon", "other_unit", "dongxi")}
    overdue = {t.pk for t in rows_of(c.get(url, {"overdue": "1"}))}
    assert overdue == {tasks["late"].pk, tasks["dongxi"].pk}
    by_unit = {t.pk for t in rows_of(c.get(url, {"unit": unit.pk}))}
    assert by_unit == {tasks["late"].pk, tasks["done"].pk}
    by_town = {t.pk for t in rows_of(c.get(url, {"town": gunan.pk, "overdue": "1"}))}
    assert by_town == {tasks["late"].pk}


def test_task_list_is_scoped_and_the_export_keeps_filters(
    client_for, other_town_user, unit_user, office_user, tasks
):
    theirs = rows_of(client_for(other_town_user).get(reverse("consultations:task_list")))
    assert [t.pk for t in theirs] == [tasks["dongxi"].pk]
    rows = sheet(client_for(other_town_user).get(reverse("consultations:task_list_export")))
    assert [row[0] for row in rows[1:]] == ["二居充电桩选址"]
    # A unit's login sees only its own unit's tasks.
    units = rows_of(client_for(unit_user).get(reverse("consultations:task_list")))
    assert {t.pk for t in units} == {tasks["late"].pk, tasks["done"].pk}
    response = client_for(office_user).get(
        reverse("consultations:task_list_export"), {"overdue": "1"}
    )
    rows = sheet(response)
    assert rows[0][:3] == ("后续任务", "镇街", "协商会议")
    assert "完成情况" in rows[0] and "完成时限" in rows[0]
    assert {row[0] for row in rows[1:]} == {"完成荷塘选址测量", "二居充电桩选址"}
    assert {row[8] for row in rows[1:]} == {"已逾期"}
    assert disposition(response).endswith(f"后续任务-{TODAY.isoformat()}.xlsx")


@pytest.mark.parametrize("n_tasks", [2, 9])
def test_task_list_and_export_query_counts_do_not_grow_with_rows(
    client_for, office_user, gunan, unit, n_tasks, django_assert_max_num_queries
):
    meeting = services.record_meeting(
        {"kind": MeetingKind.REGULAR, "date": TODAY, "place": "办公室"}, town=gunan, by=office_user
    )
    for i in range(n_tasks):
        FollowUpTask.objects.create(
            meeting=meeting, description=f"任务{i}", unit=unit, due_on=TODAY + datetime.timedelta(i)
        )
    c = client_for(office_user)
    c.get(reverse("consultations:task_list"))
    # session, user, roles, the count, the page of tasks (meeting, town, matter, unit), unread
    # notifications, the towns and the units for the filter
    with django_assert_max_num_queries(8):
        response = c.get(reverse("consultations:task_list"), {"open": "1"})
    assert len(rows_of(response)) == n_tasks
    # session, user, roles, the tasks (meeting, town, matter, unit), the export's audit row
    with django_assert_max_num_queries(5):
        response = c.get(reverse("consultations:task_list_export"), {"open": "1"})
    assert len(sheet(response)) == n_tasks + 1


def test_meeting_list_refuses_a_start_after_its_end_and_lists_nothing(
    client_for, office_user, county, meetings
):
    response = client_for(office_user).get(
        reverse("consultations:meeting_list"),
        {
            "date_from": TODAY.isoformat(),
            "date_to": (TODAY - datetime.timedelta(days=30)).isoformat(),
        },
    )
    assert "开始日期不能晚于结束日期" in response.content.decode()
    assert rows_of(response) == []
