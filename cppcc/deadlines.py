"""How a due date is coloured wherever a deadline is shown: the unit's home (matters,
follow-up tasks, proposals), the task list, the proposal page and the to-do lists. Each app
passes its own warning days (a matter's deadline, a proposal's reply)."""

import datetime

from django.utils import timezone

# A due state as a to-do line's level (cppcc.navigation.TodoItem): red, yellow, green.
TODO_LEVEL = {"overdue": "danger", "soon": "warning", "later": "success"}


def due_state(
    due: datetime.date | None,
    *,
    warn_days: int,
    done: bool = False,
    today: datetime.date | None = None,
) -> str:
    """ "done" once answered; "overdue" (red) past the date; "soon" (yellow) within `warn_days`;
    "later" (green); "" with no date. templates/includes/due.html draws them."""
    if done:
        return "done"
    if due is None:
        return ""
    today = today or timezone.localdate()
    if due < today:
        return "overdue"
    if (due - today).days <= warn_days:
        return "soon"
    return "later"
