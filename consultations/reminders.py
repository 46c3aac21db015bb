"""Who is told about stalled matters and near deadlines, once each.

Safe to run twice a day or after a missed day: a stalled matter is reported once per stay in a
step (`stall_notified_at` is cleared by every move), a deadline once per deadline date
(`deadline_reminded_for` is cleared when the deadline changes).
"""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cppcc.notifications import notify

from . import selectors
from .models import Matter, MatterStatus, Step


def remind_stalled(now: datetime.datetime | None = None) -> int:
    """Tells each stalled matter's town clerks (or, for a town without a clerk login, nobody but
    the board's flag). Returns how many matters were reported."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    reported = 0
    due = (
        selectors.stalled_matters(now)
        .filter(stall_notified_at__isnull=True)
        .select_related("town")
        .order_by("pk")
    )
    for matter in due:
        with transaction.atomic():
            # Claim the matter first: of two runs at once, only one sends.
            claimed = Matter.objects.filter(
                pk=matter.pk, stall_notified_at__isnull=True, status=MatterStatus.ACTIVE
            ).update(stall_notified_at=now)
            if not claimed:
                continue
            days = selectors.days_in_step(matter, now)
            if selectors.is_overdue(matter, today):
                why = _("已超过办理期限 %(deadline)s") % {"deadline": matter.deadline}
            else:
                why = _("已在“%(step)s”环节停留 %(days)d 天") % {
                    "step": Step(matter.step).label,
                    "days": days,
                }
            for clerk in selectors.town_clerks(matter.town_id):
                notify(
                    clerk,
                    _("议题进展滞后：%(title)s") % {"title": matter.title},
                    _("%(town)s议题“%(title)s”%(why)s，请及时推进。")
                    % {"town": matter.town, "title": matter.title, "why": why},
                    matter.get_absolute_url(),
                )
            reported += 1
    return reported


def remind_deadlines(now: datetime.datetime | None = None) -> int:
    """Warns the units of matters whose deadline falls within the warning window."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + datetime.timedelta(days=selectors.deadline_warn_days())
    due = (
        Matter.objects.filter(
            status=MatterStatus.ACTIVE, deadline__gte=today, deadline__lte=horizon
        )
        .exclude(step__in=[Step.PROPOSED, Step.REGISTERED])
        .select_related("town")
        .order_by("pk")
    )
    reminded = 0
    for matter in due:
        if matter.deadline_reminded_for == matter.deadline:
            continue
        with transaction.atomic():
            claimed = (
                Matter.objects.filter(pk=matter.pk, deadline=matter.deadline)
                .exclude(deadline_reminded_for=matter.deadline)
                .update(deadline_reminded_for=matter.deadline)
            )
            if not claimed:
                continue
            users = selectors.unit_logins(matter)
            left = (matter.deadline - today).days
            for user in users:
                notify(
                    user,
                    _("议题即将到期：%(title)s") % {"title": matter.title},
                    _("%(town)s议题“%(title)s”的办理期限为 %(deadline)s，还剩 %(left)d 天。")
                    % {
                        "town": matter.town,
                        "title": matter.title,
                        "deadline": matter.deadline,
                        "left": left,
                    },
                    matter.get_absolute_url(),
                )
            reminded += 1
    return reminded
