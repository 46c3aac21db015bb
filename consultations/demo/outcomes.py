"""The results the demo's matters report when they reach 总结协商 (funds, residents who
benefit, solved or not, a summary in the seeds' words), which completing a matter needs."""

from decimal import Decimal

from .. import services


def record_outcome(walk) -> None:
    topic = walk.topic
    walk.matter = services.set_outcome(
        walk.matter,
        {
            "funds_wan": Decimal(topic.funds_wan),
            "beneficiaries": topic.beneficiaries,
            "solved": topic.solved,
            "result_summary": topic.summary,
        },
        by=walk.clerk,
    )
