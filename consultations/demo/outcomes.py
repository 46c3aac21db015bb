"""What the demo's matters deliver: their 民生实事 (from 督办协商 on, the task's parts, the
topic's funds and residents split among them, some done and some still under way) and, at
总结协商, solved or not with a summary in the seeds' words, which completing a matter needs."""

import datetime
import re
from decimal import Decimal

from .. import services
from ..models import COMPLETED_STATE

MAX_PROJECTS = 3


def _titles(topic) -> list[str]:
    """The parts of the task a project each: "协调土地使用和项目手续，完成20亩荷塘开挖…"."""
    parts = [p.strip() for p in re.split(r"[，。；、]", topic.task) if len(p.strip()) >= 4]
    return (parts or [topic.title])[:MAX_PROJECTS]


def _split(total, n: int, rng, places: str | None) -> list:
    """`total` in n shares that add up to it exactly (the last takes the remainder)."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(n)]
    shares = []
    for w in weights[:-1]:
        share = total * Decimal(w / sum(weights))
        shares.append(share.quantize(Decimal(places)) if places else int(share))
    return [*shares, total - sum(shares)]


def _day(rng, first: datetime.date, last: datetime.date) -> datetime.date:
    return first + datetime.timedelta(days=rng.randint(0, max((last - first).days, 0)))


def record_projects(walk, first: datetime.date, last: datetime.date) -> None:
    """The matter's 民生实事, recorded between `first` (it reached 督办协商) and `last`. A
    completed matter's are done (its last one not, when the topic was not solved); a matter
    still under way has its first one done and the others in hand."""
    topic, rng = walk.topic, walk.rng
    titles = _titles(topic)
    funds = _split(Decimal(topic.funds_wan), len(titles), rng, "0.01")
    people = _split(topic.beneficiaries, len(titles), rng, None)
    completed = topic.target == COMPLETED_STATE
    for i, title in enumerate(titles):
        recorded_on = _day(rng, first, min(first + datetime.timedelta(days=10), last))
        if completed:
            done = topic.solved or i < len(titles) - 1
        else:
            done = i == 0 and (len(titles) > 1 or rng.random() < 0.5)
        services.add_project(
            walk.matter,
            {
                "title": title,
                "recorded_on": recorded_on,
                "done": done,
                "done_on": _day(rng, recorded_on, last) if done else None,
                "funds_wan": funds[i],
                "beneficiaries": people[i],
            },
            by=walk.clerk,
        )


def record_outcome(walk) -> None:
    topic = walk.topic
    walk.matter = services.set_outcome(
        walk.matter,
        {"solved": topic.solved, "result_summary": topic.summary},
        by=walk.clerk,
    )
