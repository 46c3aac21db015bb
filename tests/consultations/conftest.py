"""Consultation fixtures on top of the shared cast (tests/conftest.py).

`walk_to(matter, step)` takes a matter forward through consultations.workflow, recording what
each guard needs on the way (proposer, units and deadline, a held meeting per step, a 民生实事
and the outcome), so tests reach any step by the path users take. The walk's moves are dated
WALK_DAYS ago (or the day the matter entered its step, if later), the meetings it holds on
the day of the move that leaves their step, so that a test may still hold a meeting of the
step dated in the last few weeks (a meeting may not predate its step); WALK_DAYS stays under
the stall days, so a walked matter is not stalled.
"""

import datetime

import pytest
from django.utils import timezone

from consultations import selectors, services, workflow
from consultations.models import STEPS, Matter, MatterStatus, MeetingKind, Step, step_index

from ..factories import HandlingUnitFactory

YEAR = timezone.localdate().year
WALK_DAYS = 25


@pytest.fixture
def other_unit(db):
    return HandlingUnitFactory(name="区住房城乡建委")


@pytest.fixture
def new_matter(gunan, member_a, office_user):
    """new_matter(**fields) -> a matter of 古南街道 at 委员提案, proposed by member_a."""

    def make(town=None, proposers=None, by=None, **fields):
        data = {"title": "春光村荷塘养虾基地建设", "year": YEAR, **fields}
        return services.create_matter(
            town or gunan,
            data,
            [member_a] if proposers is None else proposers,
            by=by or office_user,
        )

    return make


@pytest.fixture
def matter(new_matter):
    return new_matter(is_annual_topic=True)


def hold_meeting(matter: Matter, kind: str, by, *, date=None, **extra):
    return services.record_meeting(
        {
            "kind": kind,
            "date": date or timezone.localdate(),
            "place": "春光村村委会",
            **extra,
        },
        matter=matter,
        by=by,
    )


def walk_day(matter: Matter) -> datetime.date:
    """The day the walk makes its next move: WALK_DAYS ago, or the day the matter entered its
    current step if that was later."""
    day = timezone.localdate() - datetime.timedelta(days=WALK_DAYS)
    entered = selectors.step_entered_on(matter, matter.state)
    return max(day, entered) if entered else day


def satisfy(matter: Matter, by, unit, on=None) -> None:
    """Records what the guard of the matter's current step needs (a meeting held on `on`,
    default today)."""
    step = matter.step
    if step == Step.REGISTERED:
        services.set_assignment(
            matter,
            lead_unit=unit,
            task="完成荷塘开挖和道路硬化",
            deadline=timezone.localdate() + datetime.timedelta(days=90),
            assigned_on=timezone.localdate(),
            by=by,
        )
    elif step in (Step.PRE_MEETING, Step.ON_SITE, Step.SUPERVISION, Step.CLOSING):
        hold_meeting(matter, MeetingKind(step), by, date=on)
    if step == Step.CLOSING:
        add_project(matter, by)
        services.set_outcome(
            matter,
            {"solved": True, "result_summary": "20亩荷塘投产，村集体增收12万元。"},
            by=by,
        )


def add_project(matter: Matter, by, **fields):
    data = {
        "title": "20亩荷塘开挖注水",
        "funds_wan": 120,
        "beneficiaries": 500,
        "done": True,
        "done_on": timezone.localdate(),
        **fields,
    }
    return services.add_project(matter, data, by=by)


@pytest.fixture
def walk_to(office_user, unit):
    """walk_to(matter, step, by=office_user) moves the matter forward until it is at `step`;
    step "completed" finishes it."""

    def go(matter: Matter, step: str, by=None):
        by = by or office_user
        target = len(STEPS) if step == "completed" else step_index(step)
        while True:
            matter.refresh_from_db()
            if matter.status == MatterStatus.COMPLETED:
                return matter
            if step_index(matter.step) >= target and step != "completed":
                return matter
            on = walk_day(matter)
            satisfy(matter, by, unit, on)
            matter = workflow.matter_advance(matter, by=by, note="", on=on)

    return go
