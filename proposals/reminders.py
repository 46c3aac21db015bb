"""Who is told about replies falling due or overdue, once per threshold.

Thresholds, per assignment and its due date (reminder_level records the highest sent):

    1 due soon      CPPCC_PROPOSAL_DUE_WARN_DAYS days or fewer before the due date: the unit
    2 overdue       the due date has passed: the unit and the office
    3 long overdue  CPPCC_PROPOSAL_LONG_OVERDUE_DAYS days past it: the unit and the office

Safe to run twice a day or after a missed day: each assignment is claimed with a conditional
update of its level before anyone is told, so of two runs only one sends; a run that finds an
assignment already past several thresholds sends only the highest. A new due date (重办) sets
the level back to 0.
"""

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import AWAITING_REPLY, ProposalUnit
from .workflow import office_logins, unit_logins

DUE_SOON, OVERDUE, LONG_OVERDUE = 1, 2, 3


def warn_days() -> int:
    return int(getattr(settings, "CPPCC_PROPOSAL_DUE_WARN_DAYS", 7))


def long_overdue_days() -> int:
    return int(getattr(settings, "CPPCC_PROPOSAL_LONG_OVERDUE_DAYS", 30))


def level_for(due_on: datetime.date, today: datetime.date) -> int:
    """The highest threshold an assignment due on `due_on` has reached today (0: none)."""
    late = (today - due_on).days
    if late >= long_overdue_days():
        return LONG_OVERDUE
    if late > 0:
        return OVERDUE
    if -late <= warn_days():
        return DUE_SOON
    return 0


def remind_replies(now: datetime.datetime | None = None) -> dict[str, int]:
    """Tells units (and, once overdue, the office) about replies due; returns how many
    assignments were reported at each threshold."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + datetime.timedelta(days=warn_days())
    counts = {"due_soon": 0, "overdue": 0, "long_overdue": 0}
    candidates = (
        ProposalUnit.objects.filter(
            status__in=AWAITING_REPLY, due_on__lte=horizon, reminder_level__lt=LONG_OVERDUE
        )
        .select_related("proposal", "unit")
        .order_by("pk")
    )
    office = None
    for assignment in candidates:
        level = level_for(assignment.due_on, today)
        if level <= assignment.reminder_level:
            continue
        with transaction.atomic():
            # Claim first: of two runs at once only one sends; a changed due date or status
            # (replied meanwhile) claims nothing.
            claimed = ProposalUnit.objects.filter(
                pk=assignment.pk,
                due_on=assignment.due_on,
                status__in=AWAITING_REPLY,
                reminder_level__lt=level,
            ).update(reminder_level=level)
            if not claimed:
                continue
            proposal = assignment.proposal
            values = {
                "title": proposal.title,
                "number": proposal.number,
                "unit": assignment.unit.name,
                "due": assignment.due_on,
                "days": abs((today - assignment.due_on).days),
            }
            url = proposal.get_absolute_url()
            if level == DUE_SOON:
                title = _("提案答复即将到期：%(title)s")
                body = _("第%(number)s号提案“%(title)s”的答复期限为 %(due)s，还剩 %(days)s 天。")
                key = "due_soon"
            else:
                title = _("提案答复已逾期：%(title)s")
                body = _(
                    "%(unit)s承办的第%(number)s号提案“%(title)s”答复期限为 %(due)s，"
                    "已逾期 %(days)s 天。"
                )
                key = "overdue" if level == OVERDUE else "long_overdue"
            from cppcc.notifications import notify

            for user in unit_logins([assignment.unit_id]):
                notify(user, title, body, url, values=values)
            if level > DUE_SOON:
                if office is None:
                    office = list(office_logins())
                for user in office:
                    notify(user, title, body, url, values=values)
            counts[key] += 1
    return counts
