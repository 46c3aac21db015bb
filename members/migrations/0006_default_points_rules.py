"""Seed the default 履职量化考核办法, effective 2000-01-01 so every recorded duty has a rule.

Points per entry, and the yearly cap (|points| a member may get from the kind in a year):
meetings weigh most and unexcused absence is deducted; repeatable everyday duties (consultation
meetings, studio activities, duty days, co-signing, opinion reports, contacts) are capped so that
volume alone cannot outrank quality; adoption scales with the level that adopted the report.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

NOTE = "默认办法（系统初始化）"
DEFAULT_RULES = [
    # kind, points, yearly cap
    ("plenary_present", "5", None),
    ("plenary_leave", "0", None),
    ("plenary_absent", "-5", None),
    ("standing_present", "3", None),
    ("standing_leave", "0", None),
    ("standing_absent", "-3", None),
    ("consultation_meeting", "2", "20"),
    ("studio_activity", "2", "20"),
    ("duty_day", "1", "12"),
    ("proposal_lead", "3", None),
    ("proposal_cosign", "1", "5"),
    ("proposal_registered", "2", None),
    ("proposal_key", "3", None),
    ("proposal_excellent", "5", None),
    ("opinion_submitted", "1", "10"),
    ("opinion_adopted_district", "2", None),
    ("opinion_adopted_city", "4", None),
    ("opinion_adopted_province", "6", None),
    ("opinion_adopted_national", "10", None),
    ("opinion_instruction", "5", None),
    ("honorary_head", "5", None),
    ("contact_record", "1", "6"),
]
EFFECTIVE_FROM = date(2000, 1, 1)


def seed(apps, schema_editor):
    PointsRule = apps.get_model("members", "PointsRule")
    for kind, points, cap in DEFAULT_RULES:
        PointsRule.objects.get_or_create(
            kind=kind,
            effective_from=EFFECTIVE_FROM,
            defaults={
                "points": Decimal(points),
                "yearly_cap": Decimal(cap) if cap else None,
                "note": NOTE,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("members", "PointsRule").objects.filter(
        effective_from=EFFECTIVE_FROM, note=NOTE
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("members", "0005_duty_ledger")]

    operations = [migrations.RunPython(seed, unseed)]
