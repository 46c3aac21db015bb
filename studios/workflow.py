"""The states of a residents' problem (民生问题): open → in hand → solved, and back to in hand
when a solved problem turns out not to be (reopen, with a reason).

Every move goes through cppcc.workflow.transition, which locks the row, refuses a move from a
state the row is no longer in (so of two clerks clicking 已解决 at once only one wins; the other
gets ConflictError) and writes the Transition row the problem's history shows.
"""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from cppcc.workflow import WorkflowError, transition

from .models import Problem, ProblemStatus

# to-state → the states it may be reached from.
ALLOWED = {
    ProblemStatus.IN_HAND: (ProblemStatus.OPEN,),
    ProblemStatus.SOLVED: (ProblemStatus.OPEN, ProblemStatus.IN_HAND),
    "reopen": (ProblemStatus.SOLVED,),
}


def problem_take(problem: Problem, *, by, note: str = "") -> Problem:
    """A studio starts working on the problem (待办 → 办理中)."""
    return transition(
        problem,
        field="status",
        allowed_from=ALLOWED[ProblemStatus.IN_HAND],
        to=ProblemStatus.IN_HAND,
        by=by,
        note=note,
        conflict_message=_("该问题已不是待办状态，请刷新后重试。"),
    )


def problem_solve(
    problem: Problem, *, solved_on: datetime.date | None, resolution: str, by
) -> Problem:
    """Marks the problem solved; the date and how it was solved are required, because the yearly
    summary counts solved problems by date and quotes how."""
    resolution = (resolution or "").strip()
    if solved_on is None:
        raise WorkflowError(_("请填写解决日期。"))
    if not resolution:
        raise WorkflowError(_("请填写解决情况。"))
    if solved_on > timezone.localdate():
        raise WorkflowError(_("解决日期不能晚于今天。"))
    if solved_on < problem.raised_on:
        raise WorkflowError(_("解决日期不能早于反映日期。"))
    return transition(
        problem,
        field="status",
        allowed_from=ALLOWED[ProblemStatus.SOLVED],
        to=ProblemStatus.SOLVED,
        by=by,
        note=resolution,
        updates={"solved_on": solved_on, "resolution": resolution},
        conflict_message=_("该问题已被他人标记为已解决，请刷新后查看。"),
    )


def problem_reopen(problem: Problem, *, reason: str, by) -> Problem:
    """A solved problem that residents report again goes back in hand; the earlier resolution
    stays readable in the history and the Transition note."""
    reason = (reason or "").strip()
    if not reason:
        raise WorkflowError(_("请填写重新办理的原因。"))
    return transition(
        problem,
        field="status",
        allowed_from=ALLOWED["reopen"],
        to=ProblemStatus.IN_HAND,
        by=by,
        note=reason,
        updates={"solved_on": None, "resolution": ""},
        conflict_message=_("该问题不是已解决状态，请刷新后重试。"),
    )
