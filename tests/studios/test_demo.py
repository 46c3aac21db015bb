import time

import pytest
from django.db.models import Count, Q

from members.models import Member
from studios import demo, selectors
from studios.models import Activity, PartyGroup, Problem, Studio, StudioKind, StudioMembership, Town


@pytest.mark.django_db
def test_demo_builds_the_county_and_a_second_run_changes_nothing():
    from members import demo as members_demo

    members_demo.load(lambda line: None)
    started = time.monotonic()
    demo.load(lambda line: None)
    assert time.monotonic() - started < 60

    assert Town.objects.count() == 20
    assert Town.objects.order_by("order").first().name == "古南街道"
    assert Studio.objects.filter(kind=StudioKind.TOWN).count() == 20
    # Seed 000: every town studio seats 5–12 members; with 365 members the rest wait unplaced.
    sizes = list(
        Studio.objects.filter(kind=StudioKind.TOWN)
        .annotate(n=Count("memberships", filter=Q(memberships__end_on__isnull=True)))
        .values_list("n", flat=True)
    )
    assert all(5 <= n <= 12 for n in sizes), sizes
    assert selectors.unassigned_members().count() == Member.objects.active().count() - sum(sizes)
    dongxi = Studio.objects.get(name="东溪镇委员工作室")
    current = StudioMembership.objects.filter(studio=dongxi, end_on__isnull=True)
    assert current.count() == 12 and current.filter(member__party="cpc").count() == 5
    assert dongxi.problems.filter(status="solved").count() == 23
    media = Studio.objects.get(name="媒体委员工作室")
    assert media.memberships.filter(role="core").count() == 8
    assert media.memberships.filter(role="linked").count() == 22
    for group in PartyGroup.objects.filter(studio__kind=StudioKind.TOWN).select_related(
        "studio__town"
    ):
        assert group.leader_id == group.studio.town.united_front_officer_id
        assert group.leader.party == "cpc"

    counts = [
        m.objects.count()
        for m in (Town, Studio, StudioMembership, Activity, Problem, PartyGroup, Member)
    ]
    demo.load(lambda line: None)
    assert counts == [
        m.objects.count()
        for m in (Town, Studio, StudioMembership, Activity, Problem, PartyGroup, Member)
    ]
