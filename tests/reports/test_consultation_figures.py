"""The "一镇一事" figures in reports.statistics, on a small county built through the workflow:
古南 and 东溪 each finish their annual matter this year, 东溪 has a second matter at 现场协商
(with an on-site meeting only planned), 古南 finished one last year; each town held a meeting
outside the steps. Walking a step records one meeting with nobody counted, so only the meetings
recorded with people add to the participations."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from consultations import services, workflow
from consultations.models import ConsultationMeeting, Matter, MeetingKind, Step, step_index
from reports import statistics
from reports.periods import Period

from ..factories import MemberFactory, MembershipFactory

TODAY = timezone.localdate()
YEAR = TODAY.year
LAST = YEAR - 1
THIS_P = Period.for_year(YEAR)
LAST_P = Period.for_year(LAST)


def walk(matter, target, *, by, unit, day, outcome=None):
    """Forward through consultations.workflow until `target` ("completed" finishes it), with one
    meeting on `day` for each step it leaves and `outcome` at 总结协商."""
    while True:
        matter.refresh_from_db()
        if matter.is_completed:
            return matter
        if target != "completed" and step_index(matter.step) >= step_index(target):
            return matter
        if matter.step == Step.REGISTERED:
            services.set_assignment(
                matter,
                lead_unit=unit,
                assigned_on=day,
                deadline=day + datetime.timedelta(days=90),
                by=by,
            )
        elif matter.step in (Step.PRE_MEETING, Step.ON_SITE, Step.SUPERVISION, Step.CLOSING):
            meet(matter, matter.step, day, by=by)
        if matter.step == Step.CLOSING:
            services.add_project(matter, project(outcome, day), by=by)
            services.set_outcome(matter, outcome, by=by)
        workflow.matter_advance(matter, by=by, on=day)


def meet(matter, kind, day, *, by, town=None, officials=0, residents=0, attendance=None):
    return services.record_meeting(
        {
            "kind": kind,
            "date": day,
            "place": "村委会",
            "officials_count": officials,
            "residents_count": residents,
        },
        matter=matter,
        town=town,
        attendance=attendance or {},
        by=by,
    )


def outcome(funds, beneficiaries, solved):
    return {"solved": solved, "result_summary": "办结", "project": (funds, beneficiaries)}


def project(outcome, day):
    """The one 民生实事 a walked matter delivers, recorded and done on `day`."""
    funds, people = outcome["project"]
    return {
        "title": "实事",
        "recorded_on": day,
        "done": True,
        "done_on": day,
        "funds_wan": Decimal(funds),
        "beneficiaries": people,
    }


@pytest.fixture
def county(gunan, dongxi, member_a, member_b, gunan_studio, term, office_user, unit):
    by = office_user
    member_c = MemberFactory(name="王古南")
    MembershipFactory(member=member_c, studio=gunan_studio, term=term)

    def new(town, title, year, proposer, annual=True, proposed_on=None):
        data = {"title": title, "year": year, "is_annual_topic": annual}
        if proposed_on:  # entered after the fact, with its real dates
            data["proposed_on"] = proposed_on
        return services.create_matter(town, data, [proposer], by=by)

    shrimp = new(gunan, "春光村荷塘养虾基地建设", YEAR, member_a)
    walk(shrimp, "completed", by=by, unit=unit, day=TODAY, outcome=outcome("120", 500, True))
    # 2 pre-meetings of 古南 this year: the walked one and this one (1 present + 3 + 10 = 14).
    meet(
        shrimp,
        MeetingKind.PRE_MEETING,
        TODAY,
        by=by,
        officials=3,
        residents=10,
        attendance={member_a.pk: "present", member_c.pk: "leave"},
    )
    parking = new(dongxi, "东溪场镇停车难", YEAR, member_b)
    walk(parking, "completed", by=by, unit=unit, day=TODAY, outcome=outcome("30.5", 100, False))
    yard = new(dongxi, "二居社区院坝改造", YEAR, member_b, annual=False)
    walk(yard, Step.ON_SITE, by=by, unit=unit, day=TODAY)
    # Planned, not held: counted nowhere.
    meet(yard, MeetingKind.ON_SITE, TODAY + datetime.timedelta(days=10), by=by, officials=9)
    # Outside the steps: 1 + 4 in 古南, 0 + 12 in 东溪 (member_b absent).
    meet(
        None,
        MeetingKind.REGULAR,
        TODAY,
        by=by,
        town=gunan,
        officials=4,
        attendance={member_a.pk: "present"},
    )
    meet(
        None,
        MeetingKind.MICRO,
        TODAY,
        by=by,
        town=dongxi,
        residents=12,
        attendance={member_b.pk: "absent"},
    )
    last_june = datetime.date(LAST, 6, 1)
    road = new(gunan, "羊角村场镇路面整治", LAST, member_a, proposed_on=last_june)
    walk(road, "completed", by=by, unit=unit, day=last_june, outcome=outcome("50", 200, True))
    meet(
        road,
        MeetingKind.ON_SITE,
        last_june,
        by=by,
        officials=7,
        residents=30,
        attendance={member_a.pk: "present"},
    )


def meetings():
    return ConsultationMeeting.objects.all()


def test_meetings_by_kind_counts_the_years_held_meetings(county):
    assert statistics.meetings_by_kind(meetings(), THIS_P) == {
        "pre_meeting": 4,
        "on_site": 2,
        "supervision": 2,
        "closing": 2,
        "regular": 1,
        "micro": 1,
    }
    assert statistics.meetings_by_kind(meetings(), LAST_P) == {
        "pre_meeting": 1,
        "on_site": 2,
        "supervision": 1,
        "closing": 1,
        "regular": 0,
        "micro": 0,
    }


def test_participations_count_pre_and_on_site_meetings_and_the_others_apart(county):
    # The walked meetings have nobody counted: 古南's pre-meeting (1 + 3 + 10) is the sentence's;
    # the regular (1 + 4) and micro (0 + 12) meetings are counted apart.
    assert statistics.participations(meetings(), THIS_P) == {
        "participations": 14,
        "participations_other": 5 + 12,
    }
    assert statistics.participations(meetings(), LAST_P)["participations"] == 1 + 7 + 30
    assert statistics.participations(meetings(), Period.for_year(LAST - 1)) == {
        "participations": 0,
        "participations_other": 0,
    }


def test_matter_totals_count_the_years_matters(county):
    assert statistics.matter_totals(Matter.objects.all(), THIS_P) == {
        "total": 3,
        "annual": 2,
        "annual_completed": 2,
        "completed": 2,
    }
    assert statistics.matter_totals(Matter.objects.all(), LAST_P)["completed"] == 1


def test_each_figure_is_one_query(county, django_assert_num_queries):
    with django_assert_num_queries(4):
        statistics.meetings_by_kind(meetings(), THIS_P)
        statistics.participations(meetings(), THIS_P)
        statistics.matter_totals(Matter.objects.all(), THIS_P)
        statistics.matters_by_town_and_step(Matter.objects.all(), THIS_P)


def test_matter_totals_of_a_year_without_matters_are_zero(db):
    totals = statistics.matter_totals(Matter.objects.all(), THIS_P)
    assert totals == {"total": 0, "annual": 0, "annual_completed": 0, "completed": 0}


def test_matters_by_step_lists_the_seven_steps_then_the_finished(county):
    rows = statistics.matters_by_step(Matter.objects.all(), THIS_P)
    assert [r["name"] for r in rows] == [
        "委员提案",
        "政协立案",
        "政府交办",
        "议前协商",
        "现场协商",
        "督办协商",
        "总结协商",
        "已办结",
    ]
    assert {r["step"]: r["count"] for r in rows if r["count"]} == {"on_site": 1, "completed": 2}


def test_change_gives_the_difference_and_its_direction():
    assert statistics.change(
        {"a": 5, "b": Decimal("2.5"), "c": 3, "label": "x"}, {"a": 3, "b": Decimal("4"), "c": 3}
    ) == {
        "a": {"delta": 2, "direction": "up"},
        "b": {"delta": Decimal("1.5"), "direction": "down"},
        "c": {"delta": 0, "direction": "same"},
    }


def test_a_town_clerks_consultation_figures_are_their_towns_only(county, town_user):
    matters = Matter.objects.visible_to(town_user)
    scoped = ConsultationMeeting.objects.visible_to(town_user)
    assert statistics.matter_totals(matters, THIS_P)["total"] == 1
    assert statistics.meetings_by_kind(scoped, THIS_P)["pre_meeting"] == 2
    assert statistics.meetings_by_kind(scoped, THIS_P)["micro"] == 0
    assert statistics.participations(scoped, THIS_P) == {
        "participations": 14,
        "participations_other": 5,
    }


def sentence(html: str) -> str:
    start = html.index('data-testid="consultation-sentence">') + len(
        'data-testid="consultation-sentence">'
    )
    return html[start : html.index("</p>", start)].strip()


def test_dashboard_shows_the_meetings_participations_and_the_step_chart(
    client_for, leader_user, county
):
    html = client_for(leader_user).get("/reports/dashboard/").content.decode()
    assert sentence(html).startswith(
        "开展议前协商4场次、现场协商2场次，各方参与14人次（另有协商工作例会1场次、小微协商1场次等，"
        "参与17人次）"
    )
    assert 'data-testid="change-pre_meeting">较上年同期' in html
    assert 'id="chart-steps-data"' in html
    assert 'id="chart-pipeline-data"' in html


def test_town_home_shows_the_clerks_own_towns_figures(client_for, town_user, county):
    html = client_for(town_user).get("/reports/town/").content.decode()
    assert sentence(html).startswith(
        "开展议前协商2场次、现场协商1场次，各方参与14人次（另有协商工作例会1场次、小微协商0场次等，"
        "参与5人次）"
    )


@pytest.mark.parametrize("extra", [0, 12])
def test_dashboard_query_count_does_not_grow_with_matters_and_meetings(
    client_for,
    leader_user,
    gunan,
    member_a,
    office_user,
    unit,
    extra,
    django_assert_max_num_queries,
):
    for i in range(extra):
        matter = services.create_matter(
            gunan, {"title": f"议题{i}", "year": YEAR}, [member_a], by=office_user
        )
        walk(matter, Step.ON_SITE, by=office_user, unit=unit, day=TODAY)
        meet(
            matter,
            MeetingKind.PRE_MEETING,
            TODAY,
            by=office_user,
            residents=5,
            attendance={member_a.pk: "present"},
        )
    client = client_for(leader_user)
    # As the dashboard's pin in tests/reports/test_homes.py (PINS["leader_user"]): the
    # figures for this span and last year's, the proposal figures, the charts and the to-dos.
    with django_assert_max_num_queries(50):
        assert client.get("/reports/dashboard/").status_code == 200
