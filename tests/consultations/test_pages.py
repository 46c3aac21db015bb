"""The consultation pages: the board, the matter page and its moves, the step forms, and the
meeting forms and lists, driven through Django's test client."""

import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from consultations import services, workflow
from consultations.models import (
    ConsultationMeeting,
    FollowUpTask,
    Matter,
    MatterUnit,
    MeetingAttendance,
    MeetingKind,
    Step,
)
from cppcc.models import Notification, Transition

from ..factories import MemberFactory, MembershipFactory, TownFactory
from .conftest import YEAR, hold_meeting

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


def transitions(matter) -> list[Transition]:
    return list(
        Transition.objects.filter(
            content_type=ContentType.objects.get_for_model(Matter),
            object_id=str(matter.pk),
            field="step",
        ).order_by("at", "id")
    )


def advance(client, matter, step=None, status="active", note=""):
    return client.post(
        reverse("consultations:matter_advance", args=[matter.pk]),
        {"step": step or matter.step, "status": status, "note": note},
        follow=True,
    )


def body(response) -> str:
    return response.content.decode()


@pytest.fixture
def at_pre_meeting(matter, walk_to):
    return walk_to(matter, Step.PRE_MEETING)


# --- the board -------------------------------------------------------------------------------


def test_board_shows_seven_step_columns_and_a_finished_column_with_the_card(
    client_for, office_user, matter
):
    response = client_for(office_user).get(reverse("consultations:board"))
    columns = response.context["columns"]
    assert [c["label"] for c in columns] == [
        "委员提案",
        "政协立案",
        "政府交办",
        "议前协商",
        "现场协商",
        "督办协商",
        "总结协商",
        "已办结",
    ]
    assert columns[0]["matters"] == [matter]
    html = body(response)
    assert "春光村荷塘养虾基地建设" in html and "古南街道" in html
    assert "一镇一事" in html and "新建议题" in html


def test_board_is_empty_with_a_chinese_note_when_the_year_has_no_matters(client_for, office_user):
    html = body(client_for(office_user).get(reverse("consultations:board")))
    assert "本年度暂无协商议题" in html


def test_board_filters_by_year_and_town(client_for, office_user, new_matter, dongxi):
    new_matter(title="古南今年的议题")
    new_matter(title="古南去年的议题", year=YEAR - 1)
    new_matter(title="东溪今年的议题", town=dongxi)
    c = client_for(office_user)

    this_year = body(c.get(reverse("consultations:board")))
    assert "古南今年的议题" in this_year and "东溪今年的议题" in this_year
    assert "古南去年的议题" not in this_year

    last_year = c.get(reverse("consultations:board"), {"year": YEAR - 1})
    assert "古南去年的议题" in body(last_year)
    assert last_year.context["years"] == [YEAR, YEAR - 1]

    only_dongxi = body(c.get(reverse("consultations:board"), {"town": dongxi.pk}))
    assert "东溪今年的议题" in only_dongxi and "古南今年的议题" not in only_dongxi


def test_town_clerk_sees_only_their_town_on_the_board(client_for, town_user, new_matter, dongxi):
    new_matter(title="古南的议题")
    new_matter(title="东溪的议题", town=dongxi)
    html = body(client_for(town_user).get(reverse("consultations:board")))
    assert "古南的议题" in html
    assert "东溪的议题" not in html


def test_members_and_units_get_403_on_the_board(client_for, member_user, unit_user):
    for user in (member_user, unit_user):
        assert client_for(user).get(reverse("consultations:board")).status_code == 403


def test_board_and_matter_page_flag_a_passed_deadline(client_for, office_user, matter, unit):
    workflow.matter_register(matter, by=office_user, registered_on=TODAY - datetime.timedelta(40))
    services.set_assignment(
        matter,
        lead_unit=unit,
        deadline=YESTERDAY,
        assigned_on=TODAY - datetime.timedelta(30),
        by=office_user,
    )
    matter = workflow.matter_assign(Matter.objects.get(pk=matter.pk), by=office_user)
    c = client_for(office_user)
    board = body(c.get(reverse("consultations:board")))
    assert 'data-testid="overdue"' in board and 'data-testid="stalled"' in board
    assert "区交通局" in board  # the lead unit on the card
    page = body(c.get(matter.get_absolute_url()))
    assert 'data-testid="deadline-overdue"' in page


@pytest.mark.parametrize("n_matters", [3, 12])
def test_board_query_count_does_not_grow_with_matters(
    client_for, office_user, new_matter, walk_to, n_matters, django_assert_max_num_queries
):
    for i in range(n_matters):
        town = TownFactory(name=f"测试{i}镇", order=10 + i)
        m = new_matter(town=town, title=f"议题{i}", is_annual_topic=True)
        if i % 2:
            walk_to(m, Step.ASSIGNED)
    c = client_for(office_user)
    c.get(reverse("consultations:board"))  # the first request writes the session's last-seen time
    # session, user, roles, the years of the visible matters, towns for the filter, the matters
    # (with town), their unit assignments (with unit), unread notifications
    with django_assert_max_num_queries(8):
        response = c.get(reverse("consultations:board"))
    assert response.context["total"] == n_matters


# --- the matter page -------------------------------------------------------------------------


def test_matter_page_shows_the_timeline_with_done_current_and_coming_steps(
    client_for, office_user, at_pre_meeting
):
    response = client_for(office_user).get(at_pre_meeting.get_absolute_url())
    timeline = response.context["timeline"]
    assert [e["state"] for e in timeline] == ["done"] * 3 + ["current"] + ["todo"] * 3
    # Each step reached shows when it was entered (from its Transition row).
    assert all(e["entered_at"] is not None for e in timeline[:4])
    assert all(e["entered_at"] is None for e in timeline[4:])
    html = body(response)
    assert "推进到「现场协商」" in html
    assert "区交通局" in html  # the 交办 record
    assert f"?kind={MeetingKind.PRE_MEETING}" in html  # the meeting form preset to this step


@pytest.mark.parametrize("n_meetings", [1, 5])
def test_matter_page_query_count_does_not_grow_with_meetings(
    client_for, office_user, at_pre_meeting, member_a, n_meetings, django_assert_max_num_queries
):
    for i in range(n_meetings):
        hold_meeting(
            at_pre_meeting,
            MeetingKind.PRE_MEETING,
            office_user,
            topic=f"第{i}次议前协商",
        )
        meeting = ConsultationMeeting.objects.latest("id")
        MeetingAttendance.objects.create(meeting=meeting, member=member_a)
    c = client_for(office_user)
    c.get(at_pre_meeting.get_absolute_url())
    # session, user, roles, matter (town, proposal, clerks), proposers, unit assignments (with
    # unit), meetings with attendance counts, their units, step transitions, the guard's held
    # meeting kinds, progress reports, matter history, history transitions, the names of the
    # users the history's foreign keys point at (one query for all), unread notifications,
    # the step dates, the 民生实事 and their totals
    with django_assert_max_num_queries(18):
        response = c.get(at_pre_meeting.get_absolute_url())
    assert len(response.context["timeline"][3]["meetings"]) == n_meetings


def test_town_clerk_gets_404_on_another_towns_matter(client_for, other_town_user, matter):
    response = client_for(other_town_user).get(matter.get_absolute_url())
    assert response.status_code == 404
    assert "春光村荷塘养虾基地建设" not in body(response)


def test_leader_reads_the_matter_but_cannot_advance_it(
    client_for, leader_user, at_pre_meeting, office_user
):
    hold_meeting(at_pre_meeting, MeetingKind.PRE_MEETING, office_user)
    c = client_for(leader_user)
    page = c.get(at_pre_meeting.get_absolute_url())
    assert page.status_code == 200
    assert 'data-testid="advance"' not in body(page)
    response = c.post(
        reverse("consultations:matter_advance", args=[at_pre_meeting.pk]),
        {"step": Step.PRE_MEETING, "status": "active"},
    )
    assert response.status_code == 403
    at_pre_meeting.refresh_from_db()
    assert at_pre_meeting.step == Step.PRE_MEETING


def test_member_gets_403_on_the_matter_page_and_uses_the_portal(client_for, member_user, matter):
    assert client_for(member_user).get(matter.get_absolute_url()).status_code == 403


# --- moves from the matter page --------------------------------------------------------------


def test_advance_moves_the_step_and_records_a_transition(client_for, office_user, at_pre_meeting):
    hold_meeting(at_pre_meeting, MeetingKind.PRE_MEETING, office_user)
    before = len(transitions(at_pre_meeting))

    response = advance(client_for(office_user), at_pre_meeting, note="议前协商已完成")

    at_pre_meeting.refresh_from_db()
    assert at_pre_meeting.step == Step.ON_SITE
    rows = transitions(at_pre_meeting)
    assert len(rows) == before + 1
    assert (rows[-1].from_state, rows[-1].to_state) == (Step.PRE_MEETING, Step.ON_SITE)
    assert rows[-1].by == office_user and rows[-1].note == "议前协商已完成"
    assert "已推进到「现场协商」" in body(response)


def test_blocked_advance_shows_the_chinese_reason_and_changes_nothing(
    client_for, office_user, at_pre_meeting
):
    c = client_for(office_user)
    page = body(c.get(at_pre_meeting.get_absolute_url()))
    assert "须先召开并录入至少一次“议前协商”会议" in page
    assert 'data-testid="advance" disabled' in page
    before = len(transitions(at_pre_meeting))

    response = advance(c, at_pre_meeting)

    assert "须先召开并录入至少一次“议前协商”会议" in body(response)
    at_pre_meeting.refresh_from_db()
    assert at_pre_meeting.step == Step.PRE_MEETING
    assert len(transitions(at_pre_meeting)) == before


def test_send_back_without_a_reason_is_refused(client_for, office_user, at_pre_meeting):
    before = len(transitions(at_pre_meeting))
    response = client_for(office_user).post(
        reverse("consultations:matter_send_back", args=[at_pre_meeting.pk]),
        {"step": Step.PRE_MEETING, "status": "active", "reason": "  "},
    )
    assert response.status_code == 400
    assert "请填写退回原因" in body(response)
    at_pre_meeting.refresh_from_db()
    assert at_pre_meeting.step == Step.PRE_MEETING
    assert len(transitions(at_pre_meeting)) == before


def test_send_back_with_a_reason_goes_one_step_back_and_records_the_reason(
    client_for, office_user, at_pre_meeting
):
    response = client_for(office_user).post(
        reverse("consultations:matter_send_back", args=[at_pre_meeting.pk]),
        {"step": Step.PRE_MEETING, "status": "active", "reason": "交办单位有误"},
        follow=True,
    )
    at_pre_meeting.refresh_from_db()
    assert at_pre_meeting.step == Step.ASSIGNED
    last = transitions(at_pre_meeting)[-1]
    assert (last.to_state, last.note) == (Step.ASSIGNED, "交办单位有误")
    assert "已退回到「政府交办」" in body(response)


def test_a_stale_advance_gets_the_conflict_message_and_leaves_one_transition(
    client_for, office_user, at_pre_meeting
):
    hold_meeting(at_pre_meeting, MeetingKind.PRE_MEETING, office_user)
    c = client_for(office_user)

    advance(c, at_pre_meeting, step=Step.PRE_MEETING)
    # The same button again, from the page as it was loaded before the first press.
    response = advance(c, at_pre_meeting, step=Step.PRE_MEETING)

    assert "该议题已被他人处理，当前为“现场协商”" in body(response)
    at_pre_meeting.refresh_from_db()
    assert at_pre_meeting.step == Step.ON_SITE
    moves = [t for t in transitions(at_pre_meeting) if t.from_state == Step.PRE_MEETING]
    assert len(moves) == 1
    # The person lands on the matter as it now stands.
    assert response.context["timeline"][4]["state"] == "current"


def test_advance_from_the_closing_step_completes_the_matter(
    client_for, office_user, matter, walk_to
):
    matter = walk_to(matter, Step.CLOSING)
    hold_meeting(matter, MeetingKind.CLOSING, office_user)
    c = client_for(office_user)
    response = c.post(
        reverse("consultations:project_create", args=[matter.pk]),
        {
            "title": "荷塘道路硬化",
            "recorded_on": str(timezone.localdate()),
            "funds_wan": "35.5",
            "beneficiaries": "800",
            "done": "on",
            "done_on": str(timezone.localdate()),
        },
    )
    assert response.status_code == 302
    response = c.post(
        reverse("consultations:matter_outcome", args=[matter.pk]),
        {"solved": "true", "result_summary": "荷塘道路硬化完成。"},
    )
    assert response.status_code == 302
    response = advance(c, matter)
    matter.refresh_from_db()
    assert matter.is_completed and matter.project_totals()["beneficiaries"] == 800
    assert "议题已办结" in body(response)


# --- step forms ------------------------------------------------------------------------------


def test_registration_form_registers_the_matter_with_its_number(client_for, office_user, matter):
    response = client_for(office_user).post(
        reverse("consultations:matter_register", args=[matter.pk]),
        {"registered_on": TODAY.isoformat(), "number": f"{YEAR}-017", "note": ""},
    )
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.step == Step.REGISTERED
    assert matter.registration_no == f"{YEAR}-017" and matter.registered_by == office_user


def test_assignment_form_moves_a_registered_matter_to_assigned_and_notifies_the_unit(
    client_for, office_user, matter, walk_to, unit, unit_user, other_unit
):
    matter = walk_to(matter, Step.REGISTERED)
    response = client_for(office_user).post(
        reverse("consultations:matter_assignment", args=[matter.pk]),
        {
            "lead_unit": unit.pk,
            "assisting_units": [other_unit.pk],
            "task": "完成荷塘开挖",
            "deadline": (TODAY + datetime.timedelta(days=60)).isoformat(),
        },
    )
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.step == Step.ASSIGNED
    roles = dict(MatterUnit.objects.filter(matter=matter).values_list("unit__name", "role"))
    assert roles == {"区交通局": "lead", "区住房城乡建委": "assisting"}
    note = Notification.objects.get(recipient=unit_user)
    assert "春光村荷塘养虾基地建设" in note.title and note.url == matter.get_absolute_url()


def test_assignment_form_shows_the_services_refusal_in_chinese_and_moves_nothing(
    client_for, office_user, matter, walk_to, unit
):
    matter = walk_to(matter, Step.REGISTERED)
    response = client_for(office_user).post(
        reverse("consultations:matter_assignment", args=[matter.pk]),
        {
            "lead_unit": unit.pk,
            "deadline": TODAY.isoformat(),
            "assigned_on": (TODAY + datetime.timedelta(days=5)).isoformat(),
        },
    )
    assert response.status_code == 200
    assert "办理期限不能早于交办日期" in body(response)
    matter.refresh_from_db()
    assert matter.step == Step.REGISTERED
    assert not MatterUnit.objects.filter(matter=matter).exists()


def test_town_clerk_creates_a_matter_only_in_their_own_town(
    client_for, town_user, gunan, dongxi, member_a
):
    c = client_for(town_user)
    form = c.get(reverse("consultations:matter_create")).context["form"]
    assert list(form.fields["town"].queryset) == [gunan]
    data = {"year": YEAR, "title": "东溪场镇停车", "proposers": [member_a.pk]}

    refused = c.post(reverse("consultations:matter_create"), {**data, "town": dongxi.pk})
    assert refused.status_code == 200 and "town" in refused.context["form"].errors
    assert not Matter.objects.exists()

    created = c.post(reverse("consultations:matter_create"), {**data, "town": gunan.pk})
    matter = Matter.objects.get()
    assert created.url == matter.get_absolute_url()
    assert matter.town == gunan and list(matter.proposers.all()) == [member_a]


def test_a_second_annual_topic_is_refused_on_the_form(client_for, office_user, matter, gunan):
    response = client_for(office_user).post(
        reverse("consultations:matter_create"),
        {"town": gunan.pk, "year": YEAR, "title": "第二个议题", "is_annual_topic": "on"},
    )
    assert "每个镇街每年只能有一个" in body(response)
    assert Matter.objects.count() == 1


def test_editing_a_matter_keeps_its_town_and_changes_its_proposers(
    client_for, office_user, matter, member_b, dongxi
):
    response = client_for(office_user).post(
        reverse("consultations:matter_edit", args=[matter.pk]),
        {"town": dongxi.pk, "title": "荷塘养虾（二期）", "proposers": [member_b.pk]},
    )
    assert response.status_code == 302
    matter.refresh_from_db()
    assert matter.title == "荷塘养虾（二期）" and matter.town.name == "古南街道"
    assert list(matter.proposers.all()) == [member_b]


# --- meetings --------------------------------------------------------------------------------


def meeting_post(kind, date, place="春光村村委会", **extra):
    return {
        "kind": kind,
        "date": date.isoformat(),
        "place": place,
        "officials_count": 4,
        "residents_count": 30,
        "agreed": "先修便道",
        "t-TOTAL_FORMS": 3,
        "t-INITIAL_FORMS": 0,
        **extra,
    }


@pytest.fixture
def studio_members(gunan_studio, member_a, term):
    others = [MemberFactory(name=n) for n in ("王春光", "刘荷塘")]
    for m in others:
        MembershipFactory(member=m, studio=gunan_studio, term=term)
    return [member_a, *others]


def test_meeting_form_records_attendance_for_several_members_at_once(
    client_for, office_user, at_pre_meeting, studio_members, member_b, unit
):
    c = client_for(office_user)
    url = reverse("consultations:matter_meeting_create", args=[at_pre_meeting.pk])
    sheet = c.get(url, {"kind": MeetingKind.PRE_MEETING}).context["attendance"]
    assert {m.pk for m, _name in sheet.rows} == {m.pk for m in studio_members}

    a, b, c_ = studio_members
    response = c.post(
        url,
        meeting_post(
            MeetingKind.PRE_MEETING,
            YESTERDAY,
            **{
                f"a-att_{a.pk}": "present",
                f"a-att_{b.pk}": "leave",
                f"a-att_{c_.pk}": "absent",
                "a-others": [member_b.pk],
                "t-0-description": "修通入塘便道",
                "t-0-unit": unit.pk,
                "t-0-due_on": (TODAY + datetime.timedelta(days=30)).isoformat(),
            },
        ),
    )
    assert response.status_code == 302
    meeting = ConsultationMeeting.objects.get(matter=at_pre_meeting)
    marks = dict(meeting.attendances.values_list("member_id", "status"))
    assert marks == {a.pk: "present", b.pk: "leave", c_.pk: "absent", member_b.pk: "present"}
    task = FollowUpTask.objects.get(meeting=meeting)
    assert (task.description, task.unit) == ("修通入塘便道", unit)


def test_meeting_with_a_future_date_and_attendance_is_refused_and_writes_nothing(
    client_for, office_user, at_pre_meeting, studio_members
):
    response = client_for(office_user).post(
        reverse("consultations:matter_meeting_create", args=[at_pre_meeting.pk]),
        meeting_post(
            MeetingKind.PRE_MEETING,
            TODAY + datetime.timedelta(days=3),
            **{f"a-att_{m.pk}": "present" for m in studio_members},
        ),
    )
    assert response.status_code == 200
    assert "会议尚未召开，不能登记出勤" in body(response)
    assert not ConsultationMeeting.objects.exists()
    assert not MeetingAttendance.objects.exists()


def test_a_planned_meeting_is_saved_without_attendance(
    client_for, office_user, at_pre_meeting, studio_members
):
    response = client_for(office_user).post(
        reverse("consultations:matter_meeting_create", args=[at_pre_meeting.pk]),
        meeting_post(
            MeetingKind.PRE_MEETING,
            TODAY + datetime.timedelta(days=3),
            **{"a-planned": "on", **{f"a-att_{m.pk}": "present" for m in studio_members}},
        ),
    )
    assert response.status_code == 302
    meeting = ConsultationMeeting.objects.get()
    assert not meeting.attendances.exists()


def test_a_meeting_of_a_step_ahead_of_the_matter_is_refused_in_chinese(
    client_for, office_user, at_pre_meeting, member_a
):
    c = client_for(office_user)
    url = reverse("consultations:matter_meeting_create", args=[at_pre_meeting.pk])
    offered = [v for v, _label in c.get(url).context["form"].fields["kind"].widget.choices]
    assert offered == [MeetingKind.PRE_MEETING]

    response = c.post(
        url, meeting_post(MeetingKind.ON_SITE, YESTERDAY, **{f"a-att_{member_a.pk}": "present"})
    )
    assert "议题当前处于“议前协商”，还不能录入“现场协商”会议" in body(response)
    assert not ConsultationMeeting.objects.exists()


def test_town_clerk_records_a_regular_meeting_of_their_town(
    client_for, town_user, gunan, studio_members
):
    c = client_for(town_user)
    url = reverse("consultations:meeting_create")
    assert c.get(url).context["attendance"].rows  # the town studio's sheet, no town to pick
    response = c.post(
        url,
        meeting_post(
            MeetingKind.REGULAR,
            YESTERDAY,
            town=gunan.pk,
            **{f"a-att_{m.pk}": "present" for m in studio_members},
        ),
    )
    meeting = ConsultationMeeting.objects.get()
    assert response.url == meeting.get_absolute_url()
    assert meeting.town == gunan and meeting.matter is None
    assert meeting.attendances.count() == 3


def test_leader_cannot_open_the_meeting_forms(client_for, leader_user, at_pre_meeting):
    c = client_for(leader_user)
    assert c.get(reverse("consultations:meeting_create")).status_code == 403
    url = reverse("consultations:matter_meeting_create", args=[at_pre_meeting.pk])
    assert c.get(url).status_code == 403


def test_marking_a_follow_up_task_done(client_for, office_user, at_pre_meeting, unit):
    meeting = hold_meeting(
        at_pre_meeting,
        MeetingKind.PRE_MEETING,
        office_user,
    )
    task = FollowUpTask.objects.create(
        meeting=meeting, description="修便道", unit=unit, due_on=TODAY
    )
    c = client_for(office_user)
    assert "标记完成" in body(c.get(meeting.get_absolute_url()))
    response = c.post(reverse("consultations:task_done", args=[task.pk]), {"note": "便道已修好"})
    assert response.url == meeting.get_absolute_url()
    task.refresh_from_db()
    assert task.done_on == TODAY
    assert task.done_note == "便道已修好"


def test_editing_a_meeting_replaces_its_attendance(
    client_for, office_user, at_pre_meeting, studio_members
):
    a, b, c_ = studio_members
    meeting = services.record_meeting(
        {"kind": MeetingKind.PRE_MEETING, "date": YESTERDAY, "place": "村委会"},
        matter=at_pre_meeting,
        attendance={a.pk: "present", b.pk: "present"},
        by=office_user,
    )
    response = client_for(office_user).post(
        reverse("consultations:meeting_edit", args=[meeting.pk]),
        meeting_post(
            MeetingKind.PRE_MEETING,
            YESTERDAY,
            place="荷塘边",
            **{f"a-att_{a.pk}": "present", f"a-att_{b.pk}": "leave", f"a-att_{c_.pk}": "absent"},
        ),
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.place == "荷塘边"
    marks = dict(meeting.attendances.values_list("member_id", "status"))
    assert marks == {a.pk: "present", b.pk: "leave", c_.pk: "absent"}


def test_meetings_list_is_scoped_to_the_clerks_town_and_filters_by_kind(
    client_for, town_user, office_user, at_pre_meeting, dongxi
):
    hold_meeting(at_pre_meeting, MeetingKind.PRE_MEETING, office_user, topic="古南议前协商")
    services.record_meeting(
        {"kind": MeetingKind.REGULAR, "date": YESTERDAY, "place": "镇会议室", "topic": "古南例会"},
        town=at_pre_meeting.town,
        by=office_user,
    )
    services.record_meeting(
        {"kind": MeetingKind.MICRO, "date": YESTERDAY, "place": "院坝", "topic": "东溪小微协商"},
        town=dongxi,
        by=office_user,
    )
    c = client_for(town_user)
    html = body(c.get(reverse("consultations:meeting_list")))
    assert "古南议前协商" in html and "古南例会" in html
    assert "东溪小微协商" not in html
    regular = body(c.get(reverse("consultations:meeting_list"), {"kind": MeetingKind.REGULAR}))
    assert "古南例会" in regular and "古南议前协商" not in regular


@pytest.mark.parametrize("n_meetings", [2, 8])
def test_meetings_list_query_count_does_not_grow_with_rows(
    client_for, office_user, at_pre_meeting, member_a, n_meetings, django_assert_max_num_queries
):
    for i in range(n_meetings):
        meeting = hold_meeting(at_pre_meeting, MeetingKind.PRE_MEETING, office_user, topic=f"{i}")
        MeetingAttendance.objects.create(meeting=meeting, member=member_a)
    c = client_for(office_user)
    c.get(reverse("consultations:meeting_list"))
    # session, user, roles, meeting years, page count, meetings with counts (town, matter),
    # towns for the filter, unread notifications
    with django_assert_max_num_queries(8):
        response = c.get(reverse("consultations:meeting_list"))
    assert len(response.context["page_obj"].object_list) == n_meetings


def test_the_source_proposal_links_only_for_those_who_can_open_it(
    client_for, office_user, town_user, matter, term, member_a
):
    from consultations.models import Matter
    from tests.factories import ProposalFactory

    proposal = ProposalFactory(term=term, lead_proposer=member_a, title="羊角村场镇路面整治的建议")
    Matter.objects.filter(pk=matter.pk).update(proposal=proposal)
    office_page = body(client_for(office_user).get(matter.get_absolute_url()))
    assert f'href="/proposals/{proposal.pk}/" data-testid="source-proposal"' in office_page
    clerk_page = body(client_for(town_user).get(matter.get_absolute_url()))
    assert "羊角村场镇路面整治的建议" in clerk_page
    assert f'href="/proposals/{proposal.pk}/"' not in clerk_page
