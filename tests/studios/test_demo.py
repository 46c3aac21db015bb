import time

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from members.models import Member
from studios import demo, selectors
from studios.models import (
    Activity,
    ActivityFile,
    PartyGroup,
    Problem,
    Studio,
    StudioKind,
    StudioMembership,
    Town,
)


@pytest.mark.django_db
def test_demo_builds_the_county_and_a_second_run_changes_nothing(settings, tmp_path):
    from members import demo as members_demo

    settings.MEDIA_ROOT = tmp_path  # the demo's activity photos

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

    # Issue 9: each town's united-front officer is a Party member working in that town, placed
    # in its studio, and leads its Party group.
    for town in Town.objects.select_related("united_front_officer"):
        officer = town.united_front_officer
        assert officer is not None, town.name
        assert officer.party == "cpc" and officer.status == "active"
        assert officer.employer.startswith(town.name), (town.name, officer.employer)
        assert "统战委员" in officer.job_title
        assert selectors.is_current_member(town.studios.get(kind=StudioKind.TOWN), officer)
        assert PartyGroup.objects.get(studio__town=town, studio__kind="town").leader == officer
    officers = list(Town.objects.values_list("united_front_officer", flat=True))
    assert len(set(officers)) == len(officers)

    # Photos drawn in code, with their Chinese names, on held activities.
    photos = ActivityFile.objects.filter(is_photo=True).select_related("activity")
    names = {f.original_name for f in photos}
    assert {"茶园夜话现场.jpg", "助农直播间.jpg"} <= names and len(names) == photos.count() >= 4
    for f in photos:
        assert f.activity.date <= timezone.localdate()
        with f.file.open("rb") as fh:
            assert fh.read(3) == b"\xff\xd8\xff"  # a JPEG

    models = (Town, Studio, StudioMembership, Activity, ActivityFile, Problem, PartyGroup, Member)
    counts = [m.objects.count() for m in models]
    officer_rows = list(Member.objects.filter(pk__in=officers).values_list("employer", "job_title"))
    demo.load(lambda line: None)
    assert counts == [m.objects.count() for m in models]
    assert officer_rows == list(
        Member.objects.filter(pk__in=officers).values_list("employer", "job_title")
    )
