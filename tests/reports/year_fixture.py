"""A hand-built county whose every figure is known: 古南 and 东溪, last year (2025) and this year
(2026, "today" frozen at 30 June by `freeze_today`). Records are entered after the fact with their
real dates, straight into the tables, so the figures are counted by those dates and nothing
else. Several records of last year fall after 30 June: they count for the whole of 2025 but not
in the same-span comparison (1 January to 30 June).

The expected numbers are written in tests/reports/test_hand_built_year.py, next to the records
that make them, listed here per area:

实事 (LivelihoodProject): P1 古南 recorded 2026-03-01 done 2026-05-01 100万/300人; P2 古南
recorded 2025-12-20 done 2026-02-01 20万/50人; P3 东溪 recorded 2026-04-10 not done 30.5万/100人;
P4 东溪 recorded and done 2026-06-30 0万/40人; P5 古南 recorded 2025-03-01 done 2025-04-01
50万/200人; P6 古南 recorded 2025-09-01 done 2025-10-01 70万/500人.

Meetings (officials + residents + members present): 2026 古南 pre 02-10 (3+10+1=14), on_site
03-05 (2+20+1=23), regular 05-01 (4+0+1=5); 东溪 pre 04-01 (1+5+0, member absent = 6), micro
06-01 (12), supervision 06-15 (2+3=5), on_site 07-10 planned (not held by today); 2025 古南 pre
03-01 (1+4=5), on_site 05-01 (7+30+1=38), closing 09-01 (2).
"""

import datetime
from decimal import Decimal

from django.utils import timezone

from consultations.models import (
    ConsultationMeeting,
    LivelihoodProject,
    Matter,
    MatterStatus,
    MeetingAttendance,
    Step,
)
from proposals.models import LeaderInstruction, OpinionAdoption, OpinionReport, ProposalStatus
from studios.models import Activity, Problem, ProblemStatus
from tests.factories import MemberFactory, MembershipFactory, ProposalFactory

THIS, LAST = 2026, 2025
TODAY = datetime.date(THIS, 6, 30)


def freeze_today(monkeypatch, today: datetime.date = TODAY) -> None:
    """Every Period.for_year, current_year and years_covered read timezone.localdate."""
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)


def d(year: int, month: int, day: int) -> datetime.date:
    return datetime.date(year, month, day)


def _matter(town, year, title, *, annual, step, completed=False):
    return Matter.objects.create(
        town=town,
        year=year,
        title=title,
        is_annual_topic=annual,
        step=step,
        status=MatterStatus.COMPLETED if completed else MatterStatus.ACTIVE,
        completed_at=timezone.now() if completed else None,
    )


def _project(matter, title, recorded, done_on, funds, people):
    return LivelihoodProject.objects.create(
        matter=matter,
        title=title,
        recorded_on=recorded,
        done=done_on is not None,
        done_on=done_on,
        funds_wan=Decimal(funds),
        beneficiaries=people,
    )


def _meeting(town, matter, kind, day, officials=0, residents=0, attendance=()):
    meeting = ConsultationMeeting.objects.create(
        town=town,
        matter=matter,
        kind=kind,
        date=day,
        place="村委会",
        officials_count=officials,
        residents_count=residents,
    )
    for member, status in attendance:
        MeetingAttendance.objects.create(meeting=meeting, member=member, status=status)
    return meeting


def _report(studio, submitted, title):
    return OpinionReport.objects.create(
        studio=studio,
        title=title,
        situation="情况",
        suggestion="建议",
        submitted_on=submitted,
        status="adopted",
    )


def build_year(gunan, dongxi, gunan_studio, dongxi_studio, member_a, member_b, term) -> dict:
    member_c = MemberFactory(name="王古南")
    MembershipFactory(member=member_c, studio=gunan_studio, term=term)

    shrimp = _matter(gunan, THIS, "荷塘养虾", annual=True, step=Step.CLOSING, completed=True)
    parking = _matter(dongxi, THIS, "场镇停车难", annual=True, step=Step.ON_SITE)
    yard = _matter(dongxi, THIS, "院坝改造", annual=False, step=Step.SUPERVISION)
    road = _matter(gunan, LAST, "路面整治", annual=True, step=Step.CLOSING, completed=True)

    _project(shrimp, "养虾基地", d(THIS, 3, 1), d(THIS, 5, 1), "100", 300)
    _project(shrimp, "塘埂硬化", d(LAST, 12, 20), d(THIS, 2, 1), "20", 50)
    _project(parking, "停车场", d(THIS, 4, 10), None, "30.5", 100)
    _project(yard, "院坝", d(THIS, 6, 30), d(THIS, 6, 30), "0", 40)
    _project(road, "路面", d(LAST, 3, 1), d(LAST, 4, 1), "50", 200)
    _project(road, "路灯", d(LAST, 9, 1), d(LAST, 10, 1), "70", 500)

    present, leave, absent = "present", "leave", "absent"
    _meeting(gunan, shrimp, "pre_meeting", d(THIS, 2, 10), 3, 10, [(member_a, present)])
    _meeting(
        gunan,
        shrimp,
        "on_site",
        d(THIS, 3, 5),
        2,
        20,
        [(member_a, present), (member_c, leave)],
    )
    _meeting(gunan, None, "regular", d(THIS, 5, 1), 4, 0, [(member_a, present)])
    _meeting(dongxi, parking, "pre_meeting", d(THIS, 4, 1), 1, 5, [(member_b, absent)])
    _meeting(dongxi, None, "micro", d(THIS, 6, 1), 0, 12)
    _meeting(dongxi, yard, "supervision", d(THIS, 6, 15), 2, 3)
    _meeting(dongxi, parking, "on_site", d(THIS, 7, 10), 9, 0)  # planned, not held by today
    _meeting(gunan, road, "pre_meeting", d(LAST, 3, 1), 1, 4)
    _meeting(gunan, road, "on_site", d(LAST, 5, 1), 7, 30, [(member_a, present)])
    _meeting(gunan, road, "closing", d(LAST, 9, 1), 2, 0)

    for studio, kind, day, residents, sales in (
        (gunan_studio, "tea_talk", d(THIS, 3, 2), 40, None),
        (gunan_studio, "livestream", d(THIS, 3, 20), 0, "12.50"),
        (dongxi_studio, "livestream", d(THIS, 5, 1), 0, "3.25"),
        (dongxi_studio, "clinic", d(LAST, 12, 30), 80, None),
        (gunan_studio, "lecture", d(LAST, 2, 1), 0, None),
        (gunan_studio, "lecture", d(LAST, 8, 1), 0, None),
    ):
        Activity.objects.create(
            studio=studio,
            kind=kind,
            title="活动",
            date=day,
            residents_reached=residents,
            sales_wan=sales,
        )

    for studio, status, raised, solved in (
        (gunan_studio, ProblemStatus.SOLVED, d(LAST, 11, 1), d(THIS, 1, 10)),
        (gunan_studio, ProblemStatus.SOLVED, d(LAST, 5, 1), d(LAST, 6, 10)),
        (dongxi_studio, ProblemStatus.OPEN, d(THIS, 2, 1), None),
        (gunan_studio, ProblemStatus.IN_HAND, d(THIS, 3, 1), None),
    ):
        Problem.objects.create(
            studio=studio,
            title="问题",
            raised_by="群众",
            raised_on=raised,
            status=status,
            solved_on=solved,
        )

    S = ProposalStatus
    for serial, (year, submitted, status) in enumerate(
        (
            (THIS, d(THIS, 1, 10), S.REGISTERED),
            (THIS, d(THIS, 1, 12), S.SUBMITTED),
            (THIS, None, S.DRAFT),
            (LAST, d(LAST, 1, 15), S.CLOSED),
            (LAST, d(LAST, 8, 1), S.REGISTERED),
        ),
        start=1,
    ):
        registered = status in (S.REGISTERED, S.CLOSED)
        ProposalFactory(
            year=year,
            submitted_on=submitted,
            status=status,
            serial=serial if registered else None,
            number=f"第{serial}号" if registered else "",
        )

    r1 = _report(gunan_studio, d(THIS, 2, 1), "古南今年")
    r2 = _report(dongxi_studio, d(LAST, 11, 1), "东溪去年底")
    r3 = _report(gunan_studio, d(LAST, 3, 1), "古南去年上半年")
    _report(gunan_studio, d(LAST, 10, 1), "古南去年下半年")
    for report, level, day in (
        (r1, "district", d(THIS, 3, 1)),
        (r1, "city", d(THIS, 4, 1)),
        (r2, "district", d(THIS, 1, 20)),
        (r3, "district", d(LAST, 4, 1)),
    ):
        OpinionAdoption.objects.create(report=report, level=level, adopted_on=day, source="第1期")
    LeaderInstruction.objects.create(
        report=r1, level="city", leader="副市长", text="阅", instructed_on=d(THIS, 4, 5)
    )
    return {"shrimp": shrimp, "parking": parking, "yard": yard, "road": road}
