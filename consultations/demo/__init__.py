"""The demo county's "渝事好商量·一镇一事商量办" consultations (seeds 000 and 002).

Called by the project's demo command as consultations.demo.load(log), after the members, the
studios, the handling units and the demo logins: every write goes through
consultations.services and consultations.workflow as the office clerk's login (`office`), so
the matters carry the same history a clerk's clicks would leave, and the demo is a smoke test
of the seven steps.

For last year and this year each town gets its annual "一镇一事" matter: last year's are
finished with their outcome (one is still in 督办协商, past its deadline); this year's stand at
every step, a few finished, two stalled and one overdue. Each step a matter has left had its
meetings (more 议前协商 than 现场协商, as seed 002's 79 to 31), with the town studio's members,
the units, officials, residents, what was agreed and follow-up tasks. Each town also holds its
quarterly 协商工作例会 and a few 小微协商 in its villages' consultation rooms.

Each part lives in its own module: topics (what each town's matters are about), matters (one
matter walked through the steps), meetings (step meetings, the towns' own meetings, photos),
units (assignments and the unit login's follow-up tasks) and outcomes.

Dates are relative to today (the demo always shows "this year" and "last year"), and every
meeting is in the past unless it is a planned one, without attendance; the moves' times are
then set back to those days (matters.Walk.backdate says why). A few matters' meetings get
photos, and the unit login (区交通局) finds follow-up tasks on its home, some overdue, some due
soon, some later and one done with its note. Idempotent: a town's matter for a year is made
only while the town has no annual topic that year, its town meetings only while it has none
that year, photos only for meetings without files, the unit's tasks only once. Deterministic per town and year (Random(f"{SEED}-…")).
"""

import random
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from cppcc.models import User
from proposals.models import HandlingUnit
from studios.models import Town

from .. import selectors
from ..models import Matter
from .matters import Walk
from .meetings import attach_photos, town_meetings
from .topics import TOPICS, Topic
from .units import load_unit_tasks

__all__ = ["CLERK", "SEED", "TOPICS", "Topic", "load"]

SEED = 2026
# The login that records the consultations (cppcc.demo.load_users makes it).
CLERK = "office"


def load(log: Callable[[str], None]) -> None:
    clerk = User.objects.filter(username=CLERK, is_active=True).first()
    if clerk is None:
        log("一镇一事：未找到演示账号 office，请先载入演示账号")
        return
    units = {u.name: u for u in HandlingUnit.objects.all()}
    wanted = {n for pair in TOPICS.values() for t in pair for n in (t.lead, *t.assisting)}
    if wanted - set(units):
        log(f"一镇一事：缺少承办单位 {'、'.join(sorted(wanted - set(units)))}，请先载入承办单位")
        return
    today = timezone.localdate()
    matters = meetings = 0
    for town in Town.objects.filter(name__in=TOPICS).order_by("order"):
        members = list(selectors.candidate_attendees(town.pk).values_list("pk", flat=True))
        if not members:
            continue
        for offset, topic in zip((1, 0), TOPICS[town.name], strict=True):
            year = today.year - offset
            rng = random.Random(f"{SEED}-{town.name}-{year}")
            with transaction.atomic():
                if not Matter.objects.filter(town=town, year=year, is_annual_topic=True).exists():
                    walk = Walk(rng, town, year, topic, members, units, clerk, today)
                    walk.run()
                    meetings += walk.meetings
                    matters += 1
            with transaction.atomic():
                meetings += town_meetings(rng, town, year, members, clerk, today)
    with transaction.atomic():
        photos = attach_photos(random.Random(f"{SEED}-photos"), today)
    with transaction.atomic():
        tasks = load_unit_tasks(clerk, today)
    log(f"一镇一事议题新增 {matters} 个，协商会议新增 {meetings} 场")
    if photos or tasks:
        log(f"会议照片新增 {photos} 张，承办单位后续任务新增 {tasks} 项")
