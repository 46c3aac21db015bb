"""Public-opinion reports (社情民意): the moves and their guards, conflicts, scoping per role,
the office pages and export, the member's portal, the API with its 409s, and the figures."""

import datetime
import io

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cppcc.models import Transition
from cppcc.roles import Role
from cppcc.workflow import ConflictError, WorkflowError
from proposals import opinion_workflow as wf
from proposals.models import (
    AdoptionLevel,
    LeaderInstruction,
    OpinionAdoption,
    OpinionReport,
    OpinionStatus,
)
from reports import statistics
from reports.periods import Period

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


def submit(by, **extra):
    data = {
        "title": "关于古南街道老旧小区加装电梯的建议",
        "situation": "老旧小区多为七层，老人上下楼难。",
        "suggestion": "推广一梯一策，简化审批。",
        "submitted_on": TODAY - datetime.timedelta(days=20),
    }
    data.update(extra)
    return wf.report_submit(by=by, **data)


@pytest.fixture
def report(member_user, gunan_studio):
    return submit(member_user, studio=gunan_studio)


def walk(report, to: str, by):
    """Takes a report to `to` through the workflow, as the office would."""
    if to == OpinionStatus.SUBMITTED:
        return report
    wf.report_edit(report, by=by, edited_title="加装电梯推进缓慢", edited_text="编辑后的正文")
    if to == OpinionStatus.EDITED:
        return report
    forwarded_on = max(YESTERDAY, report.submitted_on)
    wf.report_forward(report, by=by, forwarded_to="市政协办公厅", forwarded_on=forwarded_on)
    if to == OpinionStatus.FORWARDED:
        return report
    if to == OpinionStatus.ADOPTED:
        wf.report_adopt(report, by=by, level="district", source="区政协《社情民意》第3期")
    else:
        wf.report_reject(report, by=by, reason="相关部门已在推进")
    return report


def moves_of(report):
    ct = ContentType.objects.get_for_model(OpinionReport)
    return list(Transition.objects.filter(content_type=ct, object_id=str(report.pk)).order_by("id"))


# --- the table of moves --------------------------------------------------------------------

CALLS = {
    "edit": lambda r, by: wf.report_edit(r, by=by, edited_title="标题", edited_text="正文"),
    "forward": lambda r, by: wf.report_forward(r, by=by, forwarded_to="市政协", forwarded_on=TODAY),
    "adopt": lambda r, by: wf.report_adopt(r, by=by, level="city", source="市政协第12期"),
    "reject": lambda r, by: wf.report_reject(r, by=by, reason="重复"),
    "instruct": lambda r, by: wf.instruction_add(
        r, by=by, level="district", leader="区长", text="请研究落实"
    ),
}
AFTER = {
    "edit": OpinionStatus.EDITED,
    "forward": OpinionStatus.FORWARDED,
    "adopt": OpinionStatus.ADOPTED,
    "reject": OpinionStatus.NOT_ADOPTED,
}
CASES = [(move, state, state in wf.MOVES[move]) for move in CALLS for state in OpinionStatus.values]


@pytest.mark.parametrize(("move", "state", "allowed"), CASES)
def test_each_move_runs_only_from_its_states(report, office_user, move, state, allowed):
    walk(report, state, office_user)
    before = len(moves_of(report))
    if allowed:
        CALLS[move](report, office_user)
        report.refresh_from_db()
        assert report.status == AFTER.get(move, state)
        assert len(moves_of(report)) == before + 1
    else:
        with pytest.raises(WorkflowError) as err:
            CALLS[move](report, office_user)
        assert "不能" in err.value.message
        report.refresh_from_db()
        assert report.status == state
        assert len(moves_of(report)) == before


def test_submit_records_a_transition_and_the_member_as_author(report, member_a):
    assert report.status == OpinionStatus.SUBMITTED
    assert list(report.members.all()) == [member_a]
    (first,) = moves_of(report)
    assert (first.from_state, first.to_state) == ("", OpinionStatus.SUBMITTED)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"title": " "}, "请填写标题"),
        ({"submitted_on": TODAY + datetime.timedelta(days=1)}, "不能晚于今天"),
    ],
)
def test_submit_refuses_bad_input_and_writes_nothing(member_user, extra, message):
    with pytest.raises(WorkflowError, match=message):
        submit(member_user, **extra)
    assert not OpinionReport.objects.exists()


def test_office_submission_needs_an_author(office_user):
    with pytest.raises(WorkflowError, match="至少填写一位作者"):
        submit(office_user)
    report = submit(office_user, officer_names="王晓燕（信息员）")
    assert report.officer_names == "王晓燕（信息员）"


@pytest.mark.parametrize("who", ["leader_user", "unit_user", "town_user"])
def test_only_members_and_office_submit(request, who):
    with pytest.raises(PermissionDenied):
        submit(request.getfixturevalue(who), officer_names="某人")


def test_edit_keeps_the_original(report, office_user):
    wf.report_edit(report, by=office_user, edited_title="新标题", edited_text="新正文")
    report.refresh_from_db()
    assert report.title == "关于古南街道老旧小区加装电梯的建议"
    assert report.situation.startswith("老旧小区")
    assert (report.edited_title, report.edited_text) == ("新标题", "新正文")
    assert report.shown_title == "新标题"


@pytest.mark.parametrize("who", ["member_user", "leader_user", "town_user"])
def test_only_the_office_moves_a_report(request, report, who):
    with pytest.raises(PermissionDenied):
        wf.report_edit(report, by=request.getfixturevalue(who), edited_title="x", edited_text="y")


def test_adoptions_add_levels_and_refuse_a_repeated_level(report, office_user):
    walk(report, OpinionStatus.FORWARDED, office_user)
    wf.report_adopt(report, by=office_user, level="district", source="区第3期")
    wf.report_adopt(report, by=office_user, level="city", source="市政协《社情民意》第12期")
    with pytest.raises(WorkflowError, match="已登记“区”级采用"):
        wf.report_adopt(report, by=office_user, level="district", source="区第4期")
    assert list(report.adoptions.values_list("level", flat=True)) == ["district", "city"]
    report.refresh_from_db()
    assert report.status == OpinionStatus.ADOPTED


def test_adoption_date_cannot_precede_the_forwarding(report, office_user):
    walk(report, OpinionStatus.FORWARDED, office_user)
    with pytest.raises(WorkflowError, match="不能早于报送日期"):
        wf.report_adopt(
            report,
            by=office_user,
            level="district",
            source="区第3期",
            adopted_on=YESTERDAY - datetime.timedelta(days=1),
        )
    assert not OpinionAdoption.objects.exists()


def test_reject_needs_a_reason(report, office_user):
    walk(report, OpinionStatus.FORWARDED, office_user)
    with pytest.raises(WorkflowError, match="未采用原因"):
        wf.report_reject(report, by=office_user, reason=" ")
    wf.report_reject(report, by=office_user, reason="内容重复")
    report.refresh_from_db()
    assert report.not_adopted_reason == "内容重复"


def test_instruction_keeps_the_status_and_is_recorded(report, office_user):
    walk(report, OpinionStatus.ADOPTED, office_user)
    wf.instruction_add(report, by=office_user, level="city", leader="副市长", text="请研究")
    report.refresh_from_db()
    assert report.status == OpinionStatus.ADOPTED
    assert LeaderInstruction.objects.get().leader == "副市长"
    assert "副市长批示" in moves_of(report)[-1].note


def test_a_stale_page_loses_to_the_first_click(report, office_user, admin_user):
    walk(report, OpinionStatus.EDITED, office_user)
    first = OpinionReport.objects.get(pk=report.pk)
    second = OpinionReport.objects.get(pk=report.pk)
    wf.report_forward(first, by=office_user, forwarded_to="市政协")
    with pytest.raises(ConflictError, match="已报送"):
        wf.report_forward(second, by=admin_user, forwarded_to="市政协")
    assert len([m for m in moves_of(report) if m.to_state == "forwarded"]) == 1


# --- scoping -----------------------------------------------------------------------------------


@pytest.fixture
def two_reports(member_user, member_b_user, gunan_studio, dongxi_studio):
    return (
        submit(member_user, studio=gunan_studio, title="古南的信息"),
        submit(member_b_user, studio=dongxi_studio, title="东溪的信息"),
    )


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.ADMIN, {"古南的信息", "东溪的信息"}),
        (Role.OFFICE, {"古南的信息", "东溪的信息"}),
        (Role.LEADER, {"古南的信息", "东溪的信息"}),
        (Role.TOWN, {"古南的信息"}),
        (Role.MEMBER, {"古南的信息"}),
        (Role.UNIT, set()),
    ],
)
def test_visible_to_per_role(cast, two_reports, role, expected):
    seen = OpinionReport.objects.visible_to(cast[role]).values_list("title", flat=True)
    assert set(seen) == expected


def test_other_town_clerk_cannot_open_gunan_report(two_reports, other_town_user, client_for):
    gunan_report = two_reports[0]
    response = client_for(other_town_user).get(gunan_report.get_absolute_url())
    assert response.status_code == 404


# --- pages ----------------------------------------------------------------------------------


def test_office_list_filters_and_exports_what_it_shows(
    two_reports, office_user, client_for, django_assert_max_num_queries
):
    walk(two_reports[0], OpinionStatus.ADOPTED, office_user)
    client = client_for(office_user)
    url = reverse("proposals:opinion_list")
    # session, user, roles, nav badges' notifications, count, rows, members, adoptions,
    # instructions, the filter's town and studio choices … a fixed number whatever the rows
    with django_assert_max_num_queries(14):
        response = client.get(url, {"level": "district"})
    assert response.status_code == 200
    assert "加装电梯推进缓慢" in response.text  # the edited title is shown
    assert "东溪的信息" not in response.text

    export = client.get(reverse("proposals:opinion_list_export"), {"level": "district"})
    assert export.status_code == 200
    assert "%E7%A4%BE%E6%83%85%E6%B0%91%E6%84%8F" in export["Content-Disposition"]  # 社情民意
    sheet = load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][1] == "标题"
    assert [r[1] for r in rows[1:]] == ["加装电梯推进缓慢"]
    assert rows[1][7] == "区"


def test_list_query_count_does_not_grow_with_rows(
    office_user, member_user, gunan_studio, client_for, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(office_user)
    url = reverse("proposals:opinion_list")
    submit(member_user, studio=gunan_studio)
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for i in range(5):
        walk(submit(member_user, studio=gunan_studio, title=f"第{i}条"), "adopted", office_user)
    with CaptureQueriesContext(connection) as six:
        client.get(url)
    assert len(six) == len(one)


def test_report_page_shows_original_edited_and_timeline(
    report, office_user, client_for, django_assert_max_num_queries
):
    walk(report, OpinionStatus.ADOPTED, office_user)
    wf.instruction_add(report, by=office_user, level="district", leader="区长", text="请落实")
    client = client_for(office_user)
    # session, user, roles, report, members, adoptions, instructions, transitions,
    # history (records, transitions), content type …
    with django_assert_max_num_queries(20):
        response = client.get(report.get_absolute_url())
    text = response.text
    assert "老旧小区多为七层" in text and "编辑后的正文" in text
    assert "区政协《社情民意》第3期" in text and "请落实" in text
    assert 'data-testid="move-adopt"' in text and 'data-testid="move-instruct"' in text
    assert 'data-testid="move-edit"' not in text


def test_leader_sees_the_page_without_move_forms(report, leader_user, client_for):
    response = client_for(leader_user).get(report.get_absolute_url())
    assert response.status_code == 200
    assert "move-edit" not in response.text
    posted = client_for(leader_user).post(
        reverse("proposals:opinion_move", args=[report.pk, "edit"]),
        {"edit-state": "submitted", "edit-edited_title": "x", "edit-edited_text": "y"},
    )
    assert posted.status_code == 403


def test_move_form_posts_through_the_workflow_and_refuses_a_stale_state(
    report, office_user, client_for
):
    client = client_for(office_user)
    url = reverse("proposals:opinion_move", args=[report.pk, "edit"])
    data = {"edit-state": "submitted", "edit-edited_title": "新标题", "edit-edited_text": "正文"}
    assert client.post(url, data).status_code == 302
    report.refresh_from_db()
    assert report.status == OpinionStatus.EDITED
    forward = reverse("proposals:opinion_move", args=[report.pk, "forward"])
    stale = {"forward-state": "submitted", "forward-forwarded_to": "市政协"}
    stale["forward-forwarded_on"] = TODAY.isoformat()
    response = client.post(forward, stale, follow=True)
    assert "已被他人处理" in response.text
    report.refresh_from_db()
    assert report.status == OpinionStatus.EDITED


def test_office_creates_a_report_for_an_officer(office_user, client_for, gunan_studio):
    response = client_for(office_user).post(
        reverse("proposals:opinion_create"),
        {
            "title": "关于农村饮水的建议",
            "situation": "枯水期断水",
            "suggestion": "管网延伸",
            "officer_names": "刘明（信息员）",
            "studio": gunan_studio.pk,
            "submitted_on": YESTERDAY.isoformat(),
        },
    )
    report = OpinionReport.objects.get()
    assert response.status_code == 302 and response.url == report.get_absolute_url()
    assert report.submitted_on == YESTERDAY and report.status == OpinionStatus.SUBMITTED


def test_create_form_refuses_a_future_date(office_user, client_for):
    response = client_for(office_user).post(
        reverse("proposals:opinion_create"),
        {
            "title": "t",
            "situation": "s",
            "suggestion": "g",
            "officer_names": "刘明",
            "submitted_on": (TODAY + datetime.timedelta(days=2)).isoformat(),
        },
    )
    assert response.status_code == 200 and "不能晚于今天" in response.text
    assert not OpinionReport.objects.exists()


# --- the member's portal ---------------------------------------------------------------------


def test_member_submits_from_the_portal_and_follows_it(
    member_user, member_a, office_user, client_for
):
    client = client_for(member_user)
    response = client.post(
        reverse("proposals:portal_opinion_submit"),
        {"title": "关于场镇停车难的建议", "situation": "逢场天拥堵", "suggestion": "建临时停车场"},
    )
    assert response.status_code == 302
    report = OpinionReport.objects.get()
    assert list(report.members.all()) == [member_a]
    walk(report, OpinionStatus.ADOPTED, office_user)
    wf.instruction_add(report, by=office_user, level="district", leader="区长", text="请落实")
    home = client.get(reverse("portal")).text
    assert "我的社情民意" in home and "关于场镇停车难的建议" in home
    assert "区采用" in home and "区政协《社情民意》第3期" in home and "请落实" in home
    listing = client.get(reverse("proposals:portal_opinions"))
    assert listing.status_code == 200 and "关于场镇停车难的建议" in listing.text


def test_portal_pages_are_for_members_only(office_user, client_for):
    assert client_for(office_user).get(reverse("proposals:portal_opinions")).status_code == 403


def test_member_cannot_open_office_pages(member_user, client_for, report):
    client = client_for(member_user)
    assert client.get(reverse("proposals:opinion_list")).status_code == 403
    assert client.get(report.get_absolute_url()).status_code == 403


# --- API ------------------------------------------------------------------------------------

API = "/api/v1/opinion-reports/"


def test_api_member_submits_and_lists_only_their_own(
    member_user, member_b_user, client_for, member_a
):
    client = client_for(member_user)
    response = client.post(
        f"{API}submit/",
        {"title": "关于饮水的建议", "situation": "断水", "suggestion": "延伸管网"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["member_names"] == ["张古南"]
    submit(member_b_user, title="别人的")
    titles = [r["title"] for r in client.get(API).json()["results"]]
    assert titles == ["关于饮水的建议"]


def test_api_moves_and_409_with_the_current_state(report, office_user, client_for):
    client = client_for(office_user)
    url = f"{API}{report.pk}/"
    ok = client.post(
        f"{url}edit/", {"edited_title": "t", "edited_text": "x"}, content_type="application/json"
    )
    assert ok.status_code == 200 and ok.json()["status"] == "edited"
    client.post(f"{url}forward/", {"forwarded_to": "市政协"}, content_type="application/json")
    adopt = {"level": "district", "source": "区第3期"}
    assert client.post(f"{url}adopt/", adopt, content_type="application/json").status_code == 200
    again = client.post(f"{url}adopt/", adopt, content_type="application/json")
    assert again.status_code == 409
    assert "已登记“区”级采用" in again.json()["detail"]
    assert again.json()["report"]["status"] == "adopted"
    stale = client.post(
        f"{url}reject/",
        {"reason": "重复", "expected_state": "forwarded"},
        content_type="application/json",
    )
    assert stale.status_code == 409 and stale.json()["code"] == "conflict"
    wrong = client.post(f"{url}reject/", {"reason": "重复"}, content_type="application/json")
    assert wrong.status_code == 409 and "不能登记未采用" in wrong.json()["detail"]
    instruct = client.post(
        f"{url}instruct/",
        {"level": "city", "leader": "副市长", "text": "请研究"},
        content_type="application/json",
    )
    assert instruct.status_code == 200 and instruct.json()["instructions"][0]["leader"] == "副市长"


def test_api_scope_404_before_403(two_reports, member_user, leader_user, client_for):
    dongxi = two_reports[1]
    member = client_for(member_user)
    assert member.get(f"{API}{dongxi.pk}/").status_code == 404
    edit = {"edited_title": "t", "edited_text": "x"}
    response = member.post(f"{API}{dongxi.pk}/edit/", edit, content_type="application/json")
    assert response.status_code == 404
    leader = client_for(leader_user).post(
        f"{API}{dongxi.pk}/edit/", edit, content_type="application/json"
    )
    assert leader.status_code == 403


def test_api_bad_input_is_400_and_changes_nothing(report, office_user, client_for):
    walk(report, OpinionStatus.FORWARDED, office_user)
    response = client_for(office_user).post(
        f"{API}{report.pk}/adopt/",
        {"level": "district", "source": "区第3期", "adopted_on": "2000-01-01"},
        content_type="application/json",
    )
    assert response.status_code == 400 and "不能早于报送日期" in response.json()["detail"]
    assert not OpinionAdoption.objects.exists()


def test_api_list_query_count_is_pinned(
    office_user, member_user, gunan_studio, client_for, django_assert_max_num_queries
):
    for i in range(4):
        walk(submit(member_user, studio=gunan_studio, title=f"第{i}条"), "adopted", office_user)
    client = client_for(office_user)
    # session, user, roles, count, rows, members, adoptions, instructions, the session's save
    # and the request transaction's savepoint and release: the same for 1 row or 50
    with django_assert_max_num_queries(11):
        response = client.get(API)
    assert response.json()["count"] == 4


# --- figures ------------------------------------------------------------------------------


def test_figures_count_the_year(report, office_user, member_user, client_for):
    walk(report, OpinionStatus.FORWARDED, office_user)
    wf.report_adopt(report, by=office_user, level="district", source="区第3期")
    wf.report_adopt(report, by=office_user, level="city", source="市第12期")
    wf.instruction_add(report, by=office_user, level="city", leader="副市长", text="阅")
    old = submit(member_user, title="去年的", submitted_on=TODAY.replace(year=TODAY.year - 1))
    assert old.pk
    reports = OpinionReport.objects.all()
    year = Period.for_year(TODAY.year)
    if year.contains(report.submitted_on):
        assert statistics.opinion_reports_submitted(reports, year) == 1
    levels = {r["level"]: r["count"] for r in statistics.opinion_adoptions_by_level(reports, year)}
    assert levels == {"district": 1, "city": 1, "province": 0, "national": 0}
    assert statistics.opinion_instructions(reports, year) == 1
    home = client_for(office_user).get(reverse("reports:office_home")).text
    assert 'data-testid="opinion-adopted-city">1<' in home
    assert AdoptionLevel.CITY.label == "市"
