"""The consultations API (/api/v1/matters/, /api/v1/meetings/): scoping, the step moves and how
a refused move answers, the filters, writes through the services, and flat query counts."""

import datetime

import pytest
import yaml
from django.core.management import call_command
from django.utils import timezone

from consultations import services, workflow
from consultations.api import MatterViewSet
from consultations.models import ConsultationMeeting, Matter, MeetingAttendance, MeetingKind, Step
from cppcc.models import Transition
from cppcc.roles import Role

from ..factories import MemberFactory, MembershipFactory, UserFactory
from .conftest import YEAR, hold_meeting

TODAY = timezone.localdate()
YESTERDAY = TODAY - datetime.timedelta(days=1)


def post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def patch(client, url, data):
    return client.patch(url, data, content_type="application/json")


def step_moves(matter):
    return Transition.objects.filter(object_id=str(matter.pk), field="step")


def titles(response):
    assert response.status_code == 200, response.content
    return sorted(row["title"] for row in response.json()["results"])


@pytest.fixture
def other_unit_user(other_unit):
    return UserFactory(username="t-unit2", roles=[Role.UNIT], handling_unit=other_unit)


# --- the step moves --------------------------------------------------------------------------


def test_advance_moves_one_step_and_writes_one_transition_with_the_user(
    client_for, matter, town_user
):
    response = post(
        client_for(town_user), f"/api/v1/matters/{matter.pk}/advance/", {"note": "立案"}
    )
    assert response.status_code == 200, response.content
    assert (response.json()["step"], response.json()["next_step"]) == ("registered", "assigned")
    [move] = step_moves(matter)
    assert (move.from_state, move.to_state, move.by, move.note) == (
        "proposed",
        "registered",
        town_user,
        "立案",
    )


def test_advance_with_the_guard_unmet_answers_409_with_the_reason_and_changes_nothing(
    client_for, matter, walk_to, office_user
):
    walk_to(matter, Step.REGISTERED)  # no unit or deadline yet
    before = step_moves(matter).count()
    response = post(client_for(office_user), f"/api/v1/matters/{matter.pk}/advance/")
    assert response.status_code == 409
    body = response.json()
    assert "交办前须至少确定一个承办单位" in body["detail"]
    assert body["code"] == "guard"
    assert body["matter"]["step"] == "registered"
    matter.refresh_from_db()
    assert matter.step == Step.REGISTERED
    assert step_moves(matter).count() == before


def test_detail_lists_the_blockers_of_the_next_move_and_none_when_it_is_allowed(
    client_for, matter, walk_to, office_user
):
    c = client_for(office_user)
    assert c.get(f"/api/v1/matters/{matter.pk}/").json()["blockers"] == []
    walk_to(matter, Step.PRE_MEETING)
    blockers = c.get(f"/api/v1/matters/{matter.pk}/").json()["blockers"]
    assert len(blockers) == 1 and "议前协商" in blockers[0]


@pytest.mark.parametrize(
    "field, value", [("step", "on_site"), ("status", "completed"), ("registration_no", "X-1")]
)
def test_no_endpoint_sets_the_step_a_patch_naming_it_is_refused(
    client_for, matter, office_user, field, value
):
    response = patch(
        client_for(office_user),
        f"/api/v1/matters/{matter.pk}/",
        {"title": "新名称", field: value, "version": matter.version},
    )
    assert response.status_code == 400
    assert "推进" in response.json()[field][0]
    matter.refresh_from_db()
    assert (matter.step, matter.status, matter.title) == (
        "proposed",
        "active",
        "春光村荷塘养虾基地建设",
    )
    assert not step_moves(matter).exists()


def test_a_patch_changes_what_the_matter_is_about(client_for, matter, office_user, member_b):
    # The office sees every member; a town clerk naming another town's member is refused
    # (tests/cppcc/test_scoped_choices.py).
    response = patch(
        client_for(office_user),
        f"/api/v1/matters/{matter.pk}/",
        {"title": "荷塘养虾基地二期", "proposers": [member_b.pk], "version": matter.version},
    )
    assert response.status_code == 200, response.content
    matter.refresh_from_db()
    assert matter.title == "荷塘养虾基地二期"
    assert list(matter.proposers.all()) == [member_b]
    assert response.json()["proposer_names"] == ["李东溪"]


def test_send_back_without_a_reason_is_400(client_for, matter, walk_to, office_user):
    walk_to(matter, Step.REGISTERED)
    response = post(client_for(office_user), f"/api/v1/matters/{matter.pk}/send-back/")
    assert response.status_code == 400
    assert "reason" in response.json()
    matter.refresh_from_db()
    assert matter.step == Step.REGISTERED


def test_send_back_goes_one_step_back_and_records_the_reason(
    client_for, matter, walk_to, town_user
):
    walk_to(matter, Step.ON_SITE)
    response = post(
        client_for(town_user),
        f"/api/v1/matters/{matter.pk}/send-back/",
        {"reason": "群众意见未征求完"},
    )
    assert response.status_code == 200, response.content
    assert response.json()["step"] == "pre_meeting"
    last = step_moves(matter).order_by("-id").first()
    assert (last.from_state, last.to_state, last.note, last.by) == (
        "on_site",
        "pre_meeting",
        "群众意见未征求完",
        town_user,
    )


def test_history_lists_every_move_with_who_and_why(client_for, matter, walk_to, office_user):
    walk_to(matter, Step.ASSIGNED)
    workflow.matter_send_back(matter, reason="单位有误", by=office_user)
    rows = client_for(office_user).get(f"/api/v1/matters/{matter.pk}/history/").json()
    assert [(r["from_state"], r["to_state"]) for r in rows] == [
        ("proposed", "registered"),
        ("registered", "assigned"),
        ("assigned", "registered"),
    ]
    assert rows[-1]["note"] == "单位有误"
    assert rows[-1]["by_name"] == str(office_user)
    assert rows[-1]["to_display"] == "政协立案"


def test_an_advance_that_loses_a_race_answers_409_with_the_current_state(
    client_for, matter, town_user, office_user, monkeypatch
):
    loaded = MatterViewSet.get_object

    def someone_else_moves_first(self):
        ours = loaded(self)
        workflow.matter_advance(Matter.objects.get(pk=ours.pk), by=office_user)
        return ours

    monkeypatch.setattr(MatterViewSet, "get_object", someone_else_moves_first)
    response = post(client_for(town_user), f"/api/v1/matters/{matter.pk}/advance/")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert "政协立案" in response.json()["detail"]
    assert response.json()["matter"]["step"] == "registered"
    assert step_moves(matter).count() == 1


def test_an_advance_from_a_step_the_client_no_longer_sees_is_409(client_for, matter, office_user):
    c = client_for(office_user)
    url = f"/api/v1/matters/{matter.pk}/advance/"
    assert post(c, url, {"expected_state": "proposed"}).status_code == 200
    again = post(c, url, {"expected_state": "proposed"})  # a double click
    assert again.status_code == 409
    assert again.json()["matter"]["step"] == "registered"
    assert step_moves(matter).count() == 1


# --- who may see and move a matter -----------------------------------------------------------


@pytest.mark.parametrize("who", ["other_town_user", "member_b_user", "other_unit_user"])
def test_a_matter_outside_ones_scope_is_404_for_reads_and_moves(
    who, request, client_for, matter, walk_to
):
    walk_to(matter, Step.ASSIGNED)
    c = client_for(request.getfixturevalue(who))
    assert c.get(f"/api/v1/matters/{matter.pk}/").status_code == 404
    assert post(c, f"/api/v1/matters/{matter.pk}/advance/").status_code == 404
    assert post(c, f"/api/v1/matters/{matter.pk}/send-back/", {"reason": "x"}).status_code == 404
    assert step_moves(matter).count() == 2


@pytest.mark.parametrize("who", ["leader_user", "unit_user", "member_user"])
def test_who_sees_a_matter_but_does_not_manage_it_gets_403_on_advance(
    who, request, client_for, matter, walk_to
):
    walk_to(matter, Step.ASSIGNED)
    c = client_for(request.getfixturevalue(who))
    assert c.get(f"/api/v1/matters/{matter.pk}/").status_code == 200
    assert post(c, f"/api/v1/matters/{matter.pk}/advance/").status_code == 403
    assert patch(c, f"/api/v1/matters/{matter.pk}/", {"title": "改名"}).status_code == 403
    matter.refresh_from_db()
    assert (matter.step, matter.title) == ("assigned", "春光村荷塘养虾基地建设")


def test_a_town_clerk_creates_a_matter_in_their_town(client_for, town_user, gunan, member_a):
    response = post(
        client_for(town_user),
        "/api/v1/matters/",
        {"town": gunan.pk, "title": "场镇停车难", "proposers": [member_a.pk]},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["town_name"], body["year"], body["step"]) == ("古南街道", YEAR, "proposed")
    assert body["proposer_names"] == ["张古南"] and body["blockers"] == []
    assert Matter.objects.get(pk=body["id"]).created_by == town_user


def test_a_town_clerk_cannot_create_a_matter_in_a_town_they_do_not_see(
    client_for, town_user, dongxi, member_a
):
    response = post(client_for(town_user), "/api/v1/matters/", {"town": dongxi.pk, "title": "越权"})
    assert response.status_code == 400 and "town" in response.json()
    assert not Matter.objects.exists()


def test_a_leader_cannot_create_a_matter(client_for, leader_user, gunan):
    response = post(client_for(leader_user), "/api/v1/matters/", {"town": gunan.pk, "title": "x"})
    assert response.status_code == 403
    assert not Matter.objects.exists()


def test_a_second_annual_topic_via_the_api_is_400_in_chinese(
    client_for, matter, office_user, gunan
):
    response = post(
        client_for(office_user),
        "/api/v1/matters/",
        {"town": gunan.pk, "title": "场镇停车难", "is_annual_topic": True},
    )
    assert response.status_code == 400
    assert "每个镇街每年只能有一个" in response.json()["detail"]
    assert Matter.objects.count() == 1


# --- handling units --------------------------------------------------------------------------


def test_a_unit_lists_only_the_matters_assigned_to_it(
    client_for, matter, new_matter, walk_to, unit_user, office_user, other_unit
):
    walk_to(matter, Step.ASSIGNED)
    elsewhere = new_matter(title="场镇停车难")
    walk_to(elsewhere, Step.REGISTERED)
    services.set_assignment(elsewhere, lead_unit=other_unit, deadline=TODAY, by=office_user)
    new_matter(title="尚未交办")
    assert titles(client_for(unit_user).get("/api/v1/matters/")) == ["春光村荷塘养虾基地建设"]


def test_a_unit_reports_progress_on_its_matter_but_not_on_others(
    client_for, matter, new_matter, walk_to, unit_user, office_user, other_unit
):
    walk_to(matter, Step.SUPERVISION)
    elsewhere = new_matter(title="场镇停车难")
    walk_to(elsewhere, Step.REGISTERED)
    services.set_assignment(elsewhere, lead_unit=other_unit, deadline=TODAY, by=office_user)
    c = client_for(unit_user)
    ok = post(c, f"/api/v1/matters/{matter.pk}/progress/", {"body": "道路硬化完成一半"})
    assert ok.status_code == 201, ok.content
    assert (ok.json()["unit_name"], ok.json()["body"]) == ("区交通局", "道路硬化完成一半")
    refused = post(c, f"/api/v1/matters/{elsewhere.pk}/progress/", {"body": "越权"})
    assert refused.status_code == 404
    listed = client_for(office_user).get(f"/api/v1/matters/{matter.pk}/progress/").json()
    assert [row["body"] for row in listed] == ["道路硬化完成一半"]
    assert not elsewhere.progress_reports.exists()


def test_only_a_units_login_reports_progress(client_for, matter, walk_to, office_user):
    walk_to(matter, Step.SUPERVISION)
    response = post(
        client_for(office_user), f"/api/v1/matters/{matter.pk}/progress/", {"body": "x"}
    )
    assert response.status_code == 403
    assert not matter.progress_reports.exists()


def test_assignment_records_lead_and_assisting_units(
    client_for, matter, walk_to, office_user, unit, other_unit
):
    walk_to(matter, Step.REGISTERED)
    deadline = TODAY + datetime.timedelta(days=60)
    response = post(
        client_for(office_user),
        f"/api/v1/matters/{matter.pk}/assignment/",
        {
            "lead_unit": unit.pk,
            "assisting_units": [other_unit.pk],
            "task": "硬化道路",
            "deadline": deadline.isoformat(),
        },
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert [(u["unit_name"], u["role"]) for u in body["units"]] == [
        ("区交通局", "lead"),
        ("区住房城乡建委", "assisting"),
    ]
    assert (body["task"], body["deadline"], body["blockers"]) == ("硬化道路", str(deadline), [])


def test_outcome_is_refused_before_supervision_and_recorded_after(
    client_for, matter, walk_to, office_user
):
    c = client_for(office_user)
    url = f"/api/v1/matters/{matter.pk}/outcome/"
    walk_to(matter, Step.ON_SITE)
    assert post(c, url, {"solved": True}).status_code == 400
    walk_to(matter, Step.SUPERVISION)
    response = post(c, url, {"solved": True, "result_summary": "道路硬化"})
    assert response.status_code == 200, response.content
    assert (response.json()["solved"], response.json()["result_summary"]) == (True, "道路硬化")


# --- filters ---------------------------------------------------------------------------------


@pytest.fixture
def spread(matter, new_matter, walk_to, dongxi, member_b, office_user, other_unit):
    """古南 this year (annual, at 政府交办 with 区交通局), 古南 last year, 东溪 this year
    (annual, 政协立案, assigned to 区住房城乡建委 but not yet moved)."""
    walk_to(matter, Step.ASSIGNED)
    new_matter(title="去年的议题", year=YEAR - 1)
    east = new_matter(title="东溪场镇改造", town=dongxi, proposers=[member_b], is_annual_topic=True)
    walk_to(east, Step.REGISTERED)
    services.set_assignment(east, lead_unit=other_unit, deadline=TODAY, by=office_user)
    return {"gunan": matter, "dongxi": east}


def test_matters_filter_by_town(client_for, office_user, spread, dongxi):
    c = client_for(office_user)
    assert titles(c.get(f"/api/v1/matters/?town={dongxi.pk}")) == ["东溪场镇改造"]


def test_matters_filter_by_year(client_for, office_user, spread):
    c = client_for(office_user)
    assert titles(c.get(f"/api/v1/matters/?year={YEAR - 1}")) == ["去年的议题"]


def test_matters_filter_by_step(client_for, office_user, spread):
    c = client_for(office_user)
    assert titles(c.get("/api/v1/matters/?step=assigned")) == ["春光村荷塘养虾基地建设"]
    assert titles(c.get("/api/v1/matters/?step=registered")) == ["东溪场镇改造"]


def test_matters_filter_by_unit(client_for, office_user, spread, other_unit):
    c = client_for(office_user)
    assert titles(c.get(f"/api/v1/matters/?unit={other_unit.pk}")) == ["东溪场镇改造"]


def test_matters_filter_by_annual_topic(client_for, office_user, spread):
    c = client_for(office_user)
    assert titles(c.get("/api/v1/matters/?is_annual_topic=true")) == [
        "东溪场镇改造",
        "春光村荷塘养虾基地建设",
    ]
    assert titles(c.get("/api/v1/matters/?is_annual_topic=false")) == ["去年的议题"]


def test_matters_filter_by_stalled(client_for, office_user, spread):
    Matter.objects.filter(title="去年的议题").update(
        step_entered_at=timezone.now() - datetime.timedelta(days=400)
    )
    c = client_for(office_user)
    assert titles(c.get("/api/v1/matters/?stalled=true")) == ["去年的议题"]
    assert "去年的议题" not in titles(c.get("/api/v1/matters/?stalled=false"))


def test_matters_search_by_title(client_for, office_user, spread):
    assert titles(client_for(office_user).get("/api/v1/matters/?search=场镇")) == ["东溪场镇改造"]


def test_matter_list_query_count_does_not_grow_with_rows(
    client_for,
    office_user,
    new_matter,
    walk_to,
    member_b,
    other_unit,
    django_assert_max_num_queries,
):
    def make(n):
        for _ in range(n):
            m = new_matter(title=f"议题{Matter.objects.count()}")
            m.proposers.add(member_b)
            walk_to(m, Step.REGISTERED)
            services.set_assignment(
                m, lead_unit=other_unit, deadline=TODAY, assigned_on=TODAY, by=office_user
            )

    c = client_for(office_user)
    c.get("/api/v1/matters/")  # the first request also saves the session
    for n in (3, 12):  # 3 matters, then 15: the same count
        make(n)
        # session (none when Redis keeps it), user, roles, count, matters (+town, proposal,
        # registrar), proposers, units
        with django_assert_max_num_queries(7):
            rows = c.get("/api/v1/matters/").json()["results"]
        assert all(len(r["units"]) == 1 and len(r["proposer_names"]) == 2 for r in rows)
    assert len(rows) == 15


# --- meetings --------------------------------------------------------------------------------


def test_a_meeting_is_recorded_with_attendance_for_several_members(
    client_for, matter, walk_to, town_user, member_a, unit, gunan_studio, term
):
    walk_to(matter, Step.PRE_MEETING)
    others = MemberFactory.create_batch(2)
    for m in others:
        MembershipFactory(member=m, studio=gunan_studio, term=term)
    response = post(
        client_for(town_user),
        "/api/v1/meetings/",
        {
            "matter": matter.pk,
            "kind": "pre_meeting",
            "date": YESTERDAY.isoformat(),
            "place": "春光村村委会",
            "units": [unit.pk],
            "residents_count": 30,
            "agreed": "先开挖荷塘",
            "attendance_input": [
                {"member": member_a.pk, "status": "present"},
                {"member": others[0].pk, "status": "present"},
                {"member": others[1].pk, "status": "leave"},
            ],
            "tasks": [{"description": "编制方案", "unit": unit.pk, "due_on": TODAY.isoformat()}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["present_count"], body["leave_count"], body["absent_count"]) == (2, 1, 0)
    assert {a["member"]: a["status"] for a in body["attendance"]} == {
        member_a.pk: "present",
        others[0].pk: "present",
        others[1].pk: "leave",
    }
    assert body["unit_names"] == ["区交通局"] and body["town_name"] == "古南街道"
    assert [(t["description"], t["unit_name"]) for t in body["tasks"]] == [("编制方案", "区交通局")]
    assert MeetingAttendance.objects.filter(meeting_id=body["id"]).count() == 3


def test_a_meeting_of_a_kind_ahead_of_the_matters_step_is_400_and_writes_nothing(
    client_for, matter, walk_to, office_user, member_a
):
    walk_to(matter, Step.PRE_MEETING)
    response = post(
        client_for(office_user),
        "/api/v1/meetings/",
        {
            "matter": matter.pk,
            "kind": "on_site",
            "date": YESTERDAY.isoformat(),
            "place": "春光村",
            "attendance_input": [{"member": member_a.pk, "status": "present"}],
        },
    )
    assert response.status_code == 400
    assert "还不能录入“现场协商”会议" in response.json()["detail"]
    assert not ConsultationMeeting.objects.exists()
    assert not MeetingAttendance.objects.exists()


def test_a_town_clerk_cannot_record_a_meeting_for_a_matter_they_do_not_see(
    client_for, matter, walk_to, other_town_user
):
    walk_to(matter, Step.PRE_MEETING)
    response = post(
        client_for(other_town_user),
        "/api/v1/meetings/",
        {"matter": matter.pk, "kind": "pre_meeting", "date": str(YESTERDAY), "place": "x"},
    )
    assert response.status_code == 400 and "matter" in response.json()
    assert not ConsultationMeeting.objects.exists()


def test_a_meeting_patch_replaces_attendance_but_not_its_kind(
    client_for, matter, walk_to, office_user, member_a, member_b
):
    walk_to(matter, Step.PRE_MEETING)
    meeting = hold_meeting(matter, MeetingKind.PRE_MEETING, office_user)
    c = client_for(office_user)
    url = f"/api/v1/meetings/{meeting.pk}/"
    assert patch(c, url, {"kind": "on_site", "version": meeting.version}).status_code == 400
    meeting.refresh_from_db()
    response = patch(
        c,
        url,
        {
            "attendance_input": [{"member": member_b.pk, "status": "absent"}],
            "version": meeting.version,
        },
    )
    assert response.status_code == 200, response.content
    assert [(a["member_name"], a["status"]) for a in response.json()["attendance"]] == [
        ("李东溪", "absent")
    ]
    meeting.refresh_from_db()
    assert meeting.kind == MeetingKind.PRE_MEETING


def test_meetings_are_scoped_like_matters(client_for, matter, walk_to, office_user, dongxi):
    walk_to(matter, Step.PRE_MEETING)
    hold_meeting(matter, MeetingKind.PRE_MEETING, office_user)
    services.record_meeting(
        {"kind": "regular", "date": YESTERDAY, "place": "东溪镇政府"}, town=dongxi, by=office_user
    )
    east = UserFactory(username="t-town3", roles=[Role.TOWN], town=dongxi)
    rows = client_for(east).get("/api/v1/meetings/").json()["results"]
    assert [r["kind"] for r in rows] == ["regular"]


def test_meetings_filter_by_town_matter_kind_and_dates(
    client_for, matter, walk_to, office_user, dongxi
):
    walk_to(matter, Step.ON_SITE)
    services.record_meeting(
        {"kind": "micro", "date": datetime.date(YEAR - 1, 6, 1), "place": "东溪"},
        town=dongxi,
        by=office_user,
    )
    c = client_for(office_user)

    def kinds(query):
        return sorted(r["kind"] for r in c.get(f"/api/v1/meetings/?{query}").json()["results"])

    assert kinds(f"town={dongxi.pk}") == ["micro"]
    assert kinds(f"matter={matter.pk}") == ["pre_meeting"]
    assert kinds("kind=micro") == ["micro"]
    assert kinds(f"year={YEAR - 1}") == ["micro"]
    assert kinds(f"date_from={YEAR}-01-01") == ["pre_meeting"]
    assert kinds(f"date_to={YEAR - 1}-12-31") == ["micro"]


def test_meeting_list_query_count_does_not_grow_with_rows(
    client_for,
    matter,
    walk_to,
    office_user,
    member_a,
    member_b,
    unit,
    django_assert_max_num_queries,
):
    walk_to(matter, Step.SUPERVISION)

    def make(n):
        for _ in range(n):
            services.record_meeting(
                {"kind": "on_site", "date": YESTERDAY, "place": "春光村"},
                matter=matter,
                units=[unit],
                attendance={member_a.pk: "present", member_b.pk: "leave"},
                tasks=[{"description": "回访", "owner": "张三", "due_on": TODAY}],
                by=office_user,
            )

    c = client_for(office_user)
    c.get("/api/v1/meetings/")  # the first request also saves the session
    for n in (3, 12):  # 3 meetings more, then 15 more: the same count
        make(n)
        # session (none when Redis keeps it), user, roles, count, meetings with counts (+town,
        # matter), units, attendance (+members), tasks (+units)
        with django_assert_max_num_queries(8):
            rows = c.get("/api/v1/meetings/").json()["results"]
        assert all(len(r["attendance"]) == 2 for r in rows if r["kind"] == "on_site" and r["tasks"])
    assert len(rows) == 15 + 2  # and the pre-meeting and on-site meetings of the walk


# --- schema ----------------------------------------------------------------------------------


def test_the_schema_has_advance_and_send_back_with_a_409_answer(tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    paths = yaml.safe_load(out.read_text())["paths"]
    for name in ("advance", "send-back"):
        responses = paths[f"/api/v1/matters/{{id}}/{name}/"]["post"]["responses"]
        assert {"200", "400", "403", "404", "409"} <= set(responses), name
    assert "/api/v1/meetings/" in paths
