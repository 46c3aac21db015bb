"""What the studios' records add to the duty ledger (members.duty): activities attended, duty
days served, honorary village-head postings and contacts with non-Party members.
Registered from StudiosConfig.ready()."""

import datetime

from django.urls import reverse
from django.utils.translation import gettext as _

from members.duty import Fact, Scope, Source, Touch, Watch, key_of, members_touch, source_key
from members.models import DutyKind

from .models import (
    Activity,
    ActivityAttendance,
    Attendance,
    ContactPair,
    ContactRecord,
    DutyShift,
    HonoraryVillageHead,
)


def activity_facts(scope: Scope) -> list[Fact]:
    """Members present at a studio activity held by today, dated the activity's day."""
    rows = scope.filter(
        ActivityAttendance.objects.filter(
            status=Attendance.PRESENT,
            activity__date__lte=scope.today,
            activity__deleted_at__isnull=True,
        ),
        "member_id",
        "activity__date",
    ).values_list("member_id", "activity_id", "activity__date", "activity__title")
    return [
        Fact(
            member_id,
            DutyKind.STUDIO_ACTIVITY,
            day,
            key_of(Activity, activity_id),
            _("参加工作室活动：%(title)s") % {"title": title},
            reverse("studios:activity_detail", args=[activity_id]),
        )
        for member_id, activity_id, day, title in rows
    ]


def shift_facts(scope: Scope) -> list[Fact]:
    """Duty days at a studio dated today or earlier (a rota's future days are not yet done)."""
    rows = scope.filter(
        DutyShift.objects.filter(date__lte=scope.today), "member_id", "date"
    ).values_list("member_id", "pk", "date", "studio_id", "studio__name")
    return [
        Fact(
            member_id,
            DutyKind.DUTY_DAY,
            day,
            key_of(DutyShift, pk),
            _("驻站值日：%(studio)s") % {"studio": studio},
            reverse("studios:duty", args=[studio_id]),
        )
        for member_id, pk, day, studio_id, studio in rows
    ]


def honorary_facts(scope: Scope) -> list[Fact]:
    """One entry per posting per year it covers up to today, dated the later of its start and
    1 January of that year."""
    qs = HonoraryVillageHead.objects.filter(start_on__lte=scope.today)
    if scope.member_ids is not None:
        qs = qs.filter(member_id__in=sorted(scope.member_ids))
    if scope.years is not None:
        first, last = min(scope.years), max(scope.years)
        qs = qs.filter(start_on__lte=datetime.date(last, 12, 31)).exclude(
            end_on__lt=datetime.date(first, 1, 1)
        )
    rows = qs.values_list("pk", "member_id", "start_on", "end_on", "village__name")
    facts = []
    for pk, member_id, start_on, end_on, village in rows:
        last_year = min(end_on or scope.today, scope.today).year
        for year in range(start_on.year, last_year + 1):
            if scope.years is not None and year not in scope.years:
                continue
            facts.append(
                Fact(
                    member_id,
                    DutyKind.HONORARY_HEAD,
                    max(start_on, datetime.date(year, 1, 1)),
                    # One posting gives an entry per year: the year keeps the key unique.
                    f"{key_of(HonoraryVillageHead, pk)}/{year}",
                    _("担任%(village)s名誉村主任（%(year)d年度）")
                    % {"village": village, "year": year},
                )
            )
    return facts


def contact_facts(scope: Scope) -> list[Fact]:
    """Each contact record counts for the pair's Party member, dated the contact's day."""
    rows = scope.filter(
        ContactRecord.objects.filter(date__lte=scope.today), "pair__party_member_id", "date"
    ).values_list("pair__party_member_id", "pk", "date", "pair__non_party_member__name")
    return [
        Fact(
            member_id,
            DutyKind.CONTACT_RECORD,
            day,
            key_of(ContactRecord, pk),
            _("联系党外委员：%(name)s") % {"name": name},
            reverse("studios:contacts"),
        )
        for member_id, pk, day, name in rows
    ]


def _activity_touch(activity: Activity, deleted: bool) -> Touch:
    key = source_key(activity)
    # Moved to the trash: its entries go as if it were deleted (restore is a save, below).
    if deleted or activity.deleted_at is not None:
        return Touch(sources=(key,))
    pk = activity.pk

    def attendees():
        members = ActivityAttendance.objects.filter(activity_id=pk).values_list("member_id")
        return [(m, None) for (m,) in members]

    return Touch(sources=(key,), later=(attendees,))


def _contact_touch(record: ContactRecord, deleted: bool) -> Touch:
    key = source_key(record)
    if deleted:
        return Touch(sources=(key,))
    pair_id = record.pair_id

    def party_member():
        pairs = ContactPair.objects.filter(pk=pair_id).values_list("party_member_id", flat=True)
        return [(m, None) for m in pairs]

    return Touch(sources=(key,), later=(party_member,))


def _pair_touch(pair: ContactPair, deleted: bool) -> Touch:
    keys = ()
    if not deleted:
        keys = tuple(key_of(ContactRecord, pk) for pk in pair.records.values_list("pk", flat=True))
    return Touch(sources=keys, pairs=((pair.party_member_id, None),))


SOURCES = (
    Source(
        "studios.activities",
        activity_facts,
        (Watch(ActivityAttendance, members_touch), Watch(Activity, _activity_touch)),
    ),
    Source("studios.duty_shifts", shift_facts, (Watch(DutyShift, members_touch),)),
    Source("studios.honorary_heads", honorary_facts, (Watch(HonoraryVillageHead, members_touch),)),
    Source(
        "studios.contacts",
        contact_facts,
        (Watch(ContactRecord, _contact_touch), Watch(ContactPair, _pair_touch)),
    ),
)
