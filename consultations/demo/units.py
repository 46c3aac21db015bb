"""What the demo gives the handling units: each matter's assignment (units, task, deadline),
and the follow-up tasks the unit login's home shows (区交通局: some overdue, some due soon, some
later, one done with its note)."""

import datetime

from django.utils import timezone

from cppcc.models import User
from proposals.models import HandlingUnit

from .. import services
from ..models import COMPLETED_STATE, ConsultationMeeting, FollowUpTask, Matter
from .topics import TOPICS


def assign(walk, on: datetime.date) -> None:
    """Records the government's assignment of the walk's matter on day `on`, with a deadline
    that fits where the demo leaves it (passed for an overdue topic). The walk carries on with
    the saved matter, so that the units' notice of the move to 政府交办 names the deadline."""
    topic, today = walk.topic, walk.today
    if topic.overdue:
        deadline = (
            today - datetime.timedelta(days=walk.rng.randint(8, 20))
            if walk.year == today.year
            else datetime.date(walk.year, 11, 30)
        )
    elif topic.target == COMPLETED_STATE:
        deadline = walk.days[-1] + datetime.timedelta(days=walk.rng.randint(10, 40))
    else:
        deadline = max(on + datetime.timedelta(days=150), today + datetime.timedelta(days=30))
        deadline += datetime.timedelta(days=walk.rng.randint(0, 60))
    walk.matter = services.set_assignment(
        walk.matter,
        lead_unit=walk.lead,
        assisting_units=walk.assisting,
        task=topic.task,
        deadline=max(deadline, on),
        assigned_on=on,
        by=walk.clerk,
    )


# The unit whose login the demo offers (cppcc.demo.load_users), and the matter of this year whose
# latest meeting gives it follow-up tasks: 打通镇's guard-rail matter, led by 区交通局.
UNIT = "区交通局"
UNIT_TOWN = "打通镇"
# (task, days from today it is due; None: due the day after the meeting, already done)
UNIT_TASKS = (
    ("排查临崖路段安全隐患，形成隐患清单", None),
    ("提出波形防护栏设置方案并征求村民意见", -4),
    ("落实防护栏建设资金", 3),
    ("编制施工计划并报镇街备案", 6),
    ("组织防护栏安装施工", 45),
    ("设置临崖路段警示标志", 75),
)
DONE_NOTE = "已会同打通镇对天星村临崖路段逐段踏勘，排查隐患点27处，隐患清单已报镇街。"


def load_unit_tasks(clerk, today: datetime.date | None = None) -> int:
    """Follow-up tasks for the unit login's home, added once to the latest held meeting of
    this year's matter; the first is marked done by the unit's own login with its note."""
    today = today or timezone.localdate()
    unit = HandlingUnit.objects.filter(name=UNIT).first()
    title = TOPICS[UNIT_TOWN][1].title
    matter = Matter.objects.filter(town__name=UNIT_TOWN, year=today.year, title=title).first()
    if unit is None or matter is None:
        return 0
    descriptions = [d for d, _days in UNIT_TASKS]
    if FollowUpTask.objects.filter(unit=unit, description__in=descriptions).exists():
        return 0
    meeting = (
        ConsultationMeeting.objects.filter(matter=matter, date__lt=today)
        .order_by("-date", "-id")
        .first()
    )
    if meeting is None:
        return 0
    rows = []
    for description, days in UNIT_TASKS:
        if days is None:
            due = meeting.date + datetime.timedelta(days=1)
        else:
            due = max(today + datetime.timedelta(days=days), meeting.date)
        rows.append({"description": description, "unit": unit, "due_on": due})
    services.update_meeting(meeting, {}, new_tasks=rows, by=clerk)
    login = User.objects.filter(handling_unit=unit, is_active=True).order_by("pk").first()
    first = FollowUpTask.objects.get(meeting=meeting, description=UNIT_TASKS[0][0])
    services.mark_task_done(first, note=DONE_NOTE, by=login or clerk)
    return len(rows)
