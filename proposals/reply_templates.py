"""Reply templates (答复模板): the standard wording of a unit's answer, per answer type.

A template holds placeholders in braces ({案号} {案由} {提案人} {承办单位} {日期}); the unit's
proposal page renders one into the reply textarea with the proposal's values filled in, and the
unit edits it before sending. Placeholders left in a text (typed by hand, or kept on purpose in
a bulk reply, where one text answers several proposals) are filled again for each proposal
when the reply is sent, so every reply record reads as if written for its own proposal.

Plain replacement, not str.format: a reply's own braces and percent signs stay as typed.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AnswerType, HandlingUnit, Proposal

PLACEHOLDERS = ("案号", "案由", "提案人", "承办单位", "日期")

TEMPLATES: dict[str, str] = {
    AnswerType.SOLVED: _(
        "{提案人}委员：\n"
        "您提出的《{案由}》（{案号}）收悉，感谢您对我县发展的关心和支持。"
        "经认真研究，现将办理情况答复如下：\n"
        "一、基本情况\n"
        "二、采纳和落实情况：您提出的建议已被采纳，具体措施为……\n"
        "三、下一步工作\n"
        "再次感谢您的关心和支持，欢迎继续提出宝贵意见。\n"
        "{承办单位}\n{日期}"
    ),
    AnswerType.PLANNED: _(
        "{提案人}委员：\n"
        "您提出的《{案由}》（{案号}）收悉，感谢您对我县发展的关心和支持。"
        "经认真研究，现将办理情况答复如下：\n"
        "一、基本情况\n"
        "二、您提出的建议具有较强的针对性，我单位已将其列入工作计划，拟于……年内逐步解决，"
        "具体安排为……\n"
        "三、目前存在的困难\n"
        "我们将及时向您通报进展，欢迎继续提出宝贵意见。\n"
        "{承办单位}\n{日期}"
    ),
    AnswerType.REFERENCE: _(
        "{提案人}委员：\n"
        "您提出的《{案由}》（{案号}）收悉，感谢您对我县发展的关心和支持。"
        "经认真研究，现将有关情况说明如下：\n"
        "一、基本情况\n"
        "二、受……等条件限制，您提出的建议目前暂不具备实施条件，我单位将留作工作参考，"
        "待条件成熟时研究推进。\n"
        "再次感谢您的理解和支持。\n"
        "{承办单位}\n{日期}"
    ),
}


def values_for(
    proposal: Proposal, unit: HandlingUnit, today: datetime.date | None = None
) -> dict[str, str]:
    """What each placeholder stands for in a reply of `unit` to `proposal`."""
    today = today or timezone.localdate()
    return {
        "案号": proposal.display_number or str(_("未编号")),
        "案由": proposal.title,
        "提案人": proposal.proposers_label() or str(_("提案人")),
        "承办单位": unit.name,
        "日期": f"{today.year}年{today.month}月{today.day}日",
    }


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with every known placeholder replaced; unknown braces are left alone."""
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def render(
    answer_type: str,
    proposal: Proposal,
    unit: HandlingUnit,
    today: datetime.date | None = None,
) -> str:
    """The template of `answer_type` filled in for this proposal and unit ("" for an unknown
    type)."""
    template = TEMPLATES.get(answer_type)
    if template is None:
        return ""
    return fill(str(template), values_for(proposal, unit, today))
