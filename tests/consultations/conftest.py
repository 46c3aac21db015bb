"""Consultation fixtures on top of the shared cast (tests/conftest.py).

`walk_to(matter, step)` takes a matter forward through consultations.workflow, recording what
each guard needs on the way (proposer, units and deadline, a held meeting per step, the
outcome), so tests reach any step by the path users take.
"""

import datetime

import pytest
from django.utils import timezone

from consultations import services, workflow
from consultations.models import STEPS, Matter, MatterStatus, MeetingKind, Step, step_index

from ..factories import HandlingUnitFactory

YEAR = timezone.localdate().year


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
            "date": date or timezone.localdate() - datetime.timedelta(days=1),
            "place": "春光村村委会",
            **extra,
        },
        matter=matter,
        by=by,
    )


def satisfy(matter: Matter, by, unit) -> None:
    """Records what the guard of the matter's current step needs."""
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
        hold_meeting(matter, MeetingKind(step), by)
    if step == Step.CLOSING:
        services.set_outcome(
            matter,
            {
                "funds_wan": 120,
                "beneficiaries": 500,
                "solved": True,
                "result_summary": "20亩荷塘投产，村集体增收12万元。",
            },
            by=by,
        )


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
            satisfy(matter, by, unit)
            matter = workflow.matter_advance(matter, by=by, note="")

    return go
