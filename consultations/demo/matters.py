"""One town's annual matter of one year, walked through consultations.workflow to where the
topic leaves it (seed 002's seven steps), its meetings, assignment, 民生实事 and outcome
recorded on the way by the office clerk's login, each move on the real day the demo says it
happened (the `on` a clerk entering past records gives), then the moves' own timestamps dated
back to those days."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from cppcc.models import Transition

from .. import services, workflow
from ..models import COMPLETED_STATE, STEPS, Matter, Step, step_index
from .meetings import MEETINGS_PER_STEP, spread, step_meeting
from .outcomes import record_outcome, record_projects
from .topics import Topic
from .units import assign

# How long each step takes, relatively: the departments act during 督办协商, the residents are
# heard during 议前协商; registering and assigning are office work of days.
STEP_WEIGHT = {
    Step.PROPOSED: 1.0,
    Step.REGISTERED: 1.5,
    Step.ASSIGNED: 0.8,
    Step.PRE_MEETING: 4.0,
    Step.ON_SITE: 2.0,
    Step.SUPERVISION: 5.0,
    Step.CLOSING: 1.5,
}


def _timeline(rng, year: int, topic: Topic, today: datetime.date) -> list[datetime.date]:
    """The day the matter was proposed, then the day of each move it makes (register, assign,
    … complete): strictly increasing, all before today."""
    moves = len(STEPS) if topic.target == COMPLETED_STATE else step_index(topic.target)
    if year < today.year:
        start = datetime.date(year, 1, 6) + datetime.timedelta(days=rng.randint(0, 45))
        if topic.target == COMPLETED_STATE:
            end = datetime.date(year, 9, 1) + datetime.timedelta(days=rng.randint(0, 110))
        else:
            end = datetime.date(year, 8, 1) + datetime.timedelta(days=rng.randint(0, 40))
    else:
        # Early in January the year so far is too short: the topics were then chosen in the
        # autumn before, as seed 000's 古南 discussed next year's plan in November.
        start = min(datetime.date(year, 1, 6), today - datetime.timedelta(days=120))
        start += datetime.timedelta(days=rng.randint(0, 20))
        days_ago = rng.randint(36, 45) if topic.stalled else rng.randint(3, 20)
        end = today - datetime.timedelta(days=days_ago)
        # Matters still near the start were proposed late; the others took the year.
        start = max(start, end - datetime.timedelta(days=moves * rng.randint(25, 40)))
    end = min(end, today - datetime.timedelta(days=1))
    if moves == 0:
        return [end]
    start = min(start, end - datetime.timedelta(days=moves))
    weights = [STEP_WEIGHT[step] * rng.uniform(0.7, 1.3) for step in STEPS[:moves]]
    span, total, run = (end - start).days, sum(weights), 0.0
    days = [start]
    for weight in weights[:-1]:
        run += weight
        # At least a day after the previous move, and room left for the moves still to come.
        offset = max(round(span * run / total), (days[-1] - start).days + 1)
        days.append(start + datetime.timedelta(days=min(offset, span - (moves - len(days)))))
    return [*days, end]


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class Walk:
    """One town's annual matter of one year, taken through the workflow to where TOPICS leaves
    it, its meetings recorded on the way."""

    def __init__(self, rng, town, year, topic: Topic, members, units, clerk, today):
        self.rng, self.town, self.year, self.topic = rng, town, year, topic
        self.members, self.clerk, self.today = members, clerk, today
        self.lead = units[topic.lead]
        self.assisting = [units[name] for name in topic.assisting]
        self.days = _timeline(rng, year, topic, today)
        self.proposers = rng.sample(members, k=min(2, len(members)))
        officer = town.united_front_officer_id
        if officer in members and officer not in self.proposers:
            # Seed 000: the studio's Party group, led by the United Front officer, puts it forward.
            self.proposers[0] = officer
        self.meetings = 0
        self.seen: dict[str, int] = {}

    def run(self) -> Matter:
        from members.models import Member

        topic = self.topic
        self.matter = services.create_matter(
            self.town,
            {
                "title": topic.title,
                "background": topic.background,
                "year": self.year,
                "is_annual_topic": True,
                "proposed_on": self.days[0],
            },
            Member.objects.filter(pk__in=self.proposers).order_by("pk"),
            by=self.clerk,
        )
        days = self.days
        for i in range(len(days) - 1):
            step, entered, leaves = STEPS[i], days[i], days[i + 1]
            if step == Step.PROPOSED:
                workflow.matter_register(self.matter, by=self.clerk, on=leaves)
                continue
            if step == Step.REGISTERED:
                assign(self, on=leaves)
                workflow.matter_assign(self.matter, by=self.clerk, on=leaves)
                continue
            if step in MEETINGS_PER_STEP:
                for day in spread(
                    self.rng, entered, leaves, self.rng.choice(MEETINGS_PER_STEP[step])
                ):
                    step_meeting(self, step, day)
            if step == Step.SUPERVISION:
                record_projects(self, entered, leaves)
            if step == Step.CLOSING:
                record_outcome(self)
            workflow.matter_advance(self.matter, by=self.clerk, on=leaves)
        if topic.target != COMPLETED_STATE:
            self.where_it_stands()
        self.backdate()
        return self.matter

    def where_it_stands(self) -> None:
        """What happened in the step the matter is left in: the assignment recorded ahead of
        the move, meetings already held (none when it is stalled waiting for its on-site
        meeting, or when the next one is only planned), the outcome at 总结协商."""
        topic, step, entered = self.topic, self.topic.target, self.days[-1]
        if step == Step.REGISTERED and topic.units_ready:
            assign(self, on=min(entered + datetime.timedelta(days=7), self.today))
        if step not in MEETINGS_PER_STEP:
            return
        if step == Step.SUPERVISION:
            record_projects(self, entered, self.today)
        waiting = topic.stalled and step == Step.ON_SITE
        if not waiting and not (topic.planned and step == Step.CLOSING):
            n = 1 if topic.stalled or step == Step.CLOSING else self.rng.randint(1, 2)
            last = max(entered, self.today - datetime.timedelta(days=3))
            for day in spread(self.rng, entered, last, n):
                step_meeting(self, step, day)
            if step == Step.CLOSING:
                record_outcome(self)
        if topic.planned:
            step_meeting(
                self, step, self.today + datetime.timedelta(days=self.rng.randint(5, 20)), True
            )

    def backdate(self) -> None:
        """The demo builds a year of work in seconds, so every move was stamped just now and
        the board's days in step, the stall flag and the history would all read "today". Each
        move's time is set back to the day the demo says it happened. Only times change: the
        step, the status and the order of the moves are what the workflow left. (The matter's
        creation and completion times go back with them, or its page would date 委员提案 and
        办结 today.)"""
        matter, days = self.matter, self.days
        # The matter page dates 委员提案 by the record's creation.
        Matter.objects.filter(pk=matter.pk).update(created_at=_at(days[0], 10))
        ct = ContentType.objects.get_for_model(Matter)
        moves = Transition.objects.filter(content_type=ct, object_id=str(matter.pk)).order_by("id")
        times = [_at(day, self.rng.randint(9, 17)) for day in days[1:]]
        for pk, at in zip(moves.values_list("pk", flat=True), times, strict=True):
            Transition.objects.filter(pk=pk).update(at=at)
        if self.topic.target == COMPLETED_STATE:
            # Entering 总结协商 began the current step; completing was the last move, and the
            # matter page shows its time as 办结时间.
            Matter.objects.filter(pk=matter.pk).update(
                step_entered_at=times[-2], completed_at=times[-1]
            )
        else:
            entered = times[-1] if times else _at(days[0], 10)
            Matter.objects.filter(pk=matter.pk).update(step_entered_at=entered)
