"""The demo's "一镇一事" consultations: two years of annual matters in every town, walked
through the workflow. The county is loaded once for the module (members, studios, units, the
logins whose office clerk records the consultations, then the consultations) and rolled back at
its end; each test runs in its own savepoint inside it."""

import datetime

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from consultations import demo, selectors
from consultations.models import (
    STEPS,
    ConsultationMeeting,
    FollowUpTask,
    Matter,
    MatterStatus,
    MeetingAttendance,
    MeetingFile,
    MeetingKind,
)
from cppcc.models import Notification, Transition, User
from proposals.models import HandlingUnit, UnitKind
from studios.models import StudioKind, StudioMembership, Town

TODAY = timezone.localdate()
YEAR = TODAY.year


def quiet(line: str) -> None:
    pass


@pytest.fixture(scope="module")
def county(django_db_setup, django_db_blocker, tmp_path_factory):
    from cppcc import demo as cppcc_demo
    from members import demo as members_demo
    from proposals import demo as proposals_demo
    from studios import demo as studios_demo

    # The demo's meeting photos go to a throwaway media folder, which the module's tests read
    # (each test has its own MEDIA_ROOT otherwise: tests/conftest.py).
    media_root = tmp_path_factory.mktemp("demo-media")
    with (
        override_settings(MEDIA_ROOT=media_root),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        # A unit made before units had kinds: the loader gives it its kind.
        HandlingUnit.objects.create(name="团区委", kind=UnitKind.GOVERNMENT)
        members_demo.load(quiet)
        studios_demo.load(quiet)
        proposals_demo.load(quiet)
        cppcc_demo.load_users(quiet)
        studios_demo.load_logins(quiet)
        proposals_demo.load_logins(quiet)
        demo.load(quiet)
        yield media_root
        transaction.set_rollback(True)


def matter_moves():
    """{matter pk: [its step and status Transitions, in order]}"""
    moves: dict[int, list[Transition]] = {}
    rows = Transition.objects.filter(
        content_type=ContentType.objects.get_for_model(Matter)
    ).order_by("at", "id")
    for row in rows:
        moves.setdefault(int(row.object_id), []).append(row)
    return moves


def test_every_demo_town_has_an_annual_matter_this_year_and_last(county, db):
    towns = set(Town.objects.values_list("name", flat=True))
    assert towns == set(demo.TOPICS)
    for year in (YEAR, YEAR - 1):
        annual = Matter.objects.filter(year=year, is_annual_topic=True)
        assert set(annual.values_list("town__name", flat=True)) == towns
        assert annual.count() == len(towns)


def test_last_years_matters_are_mostly_completed_with_outcomes(county, db):
    last = Matter.objects.filter(year=YEAR - 1)
    done = last.filter(status=MatterStatus.COMPLETED)
    assert done.count() >= 0.9 * last.count()
    for matter in done:
        assert matter.outcome_missing() == [], matter
        totals = matter.project_totals()
        assert totals["funds_wan"] > 0 and totals["beneficiaries"] > 0
        assert matter.completed_at.year == YEAR - 1


def test_this_years_matters_span_the_steps_and_some_are_completed(county, db):
    this = Matter.objects.filter(year=YEAR)
    active_steps = set(this.filter(status=MatterStatus.ACTIVE).values_list("step", flat=True))
    assert len(active_steps) >= 5
    assert active_steps == set(STEPS)
    assert this.filter(status=MatterStatus.COMPLETED).count() >= 2


def test_every_completed_matter_has_six_forward_step_moves_by_a_user(county, db):
    moves = matter_moves()
    for matter in Matter.objects.filter(status=MatterStatus.COMPLETED):
        steps = [t for t in moves[matter.pk] if t.field == "step"]
        assert [(t.from_state, t.to_state) for t in steps] == list(
            zip(STEPS, STEPS[1:], strict=False)
        ), matter
        assert all(t.by_id is not None for t in moves[matter.pk])
        times = [t.at for t in moves[matter.pk]]
        assert times == sorted(times) and times[-1] == matter.completed_at


def test_every_step_a_matter_left_had_a_meeting_of_that_kind_held_by_then(county, db):
    step_kinds = set(MeetingKind.values) - {MeetingKind.REGULAR, MeetingKind.MICRO}
    held: dict[tuple[int, str], datetime.date] = {}
    for matter_id, kind, date in ConsultationMeeting.objects.filter(
        matter__isnull=False
    ).values_list("matter_id", "kind", "date"):
        key = (matter_id, kind)
        held[key] = min(date, held.get(key, date))
    checked = 0
    for matter_id, moves in matter_moves().items():
        for move in moves:
            # Completing is the status move, and it leaves 总结协商.
            left = move.from_state if move.field == "step" else MeetingKind.CLOSING
            if left in step_kinds:
                first = held.get((matter_id, left))
                assert first is not None, (matter_id, left)
                assert first <= timezone.localdate(move.at), (matter_id, left)
                checked += 1
    assert checked > 100


def test_the_board_has_stalled_and_overdue_matters_this_year(county, db):
    stalled = selectors.stalled_matters().filter(year=YEAR)
    overdue = [m for m in stalled if selectors.is_overdue(m)]
    by_days = [m for m in stalled if selectors.days_in_step(m) > 30]
    assert len(overdue) == 1
    assert 2 <= len(by_days) <= 3
    # The others moved within the stall days: the board is not all red.
    assert stalled.count() <= 4


def test_meetings_have_attendance_units_and_more_pre_than_on_site(county, db):
    held = ConsultationMeeting.objects.filter(date__lte=TODAY)
    pre = held.filter(kind=MeetingKind.PRE_MEETING).count()
    on_site = held.filter(kind=MeetingKind.ON_SITE).count()
    assert pre > 2 * on_site > 0
    assert held.filter(kind=MeetingKind.REGULAR).exists()
    assert held.filter(kind=MeetingKind.MICRO).exists()
    statuses = set(MeetingAttendance.objects.values_list("status", flat=True))
    assert statuses == {"present", "leave", "absent"}
    assert MeetingAttendance.objects.filter(status="present").count() > 0.75 * (
        MeetingAttendance.objects.count()
    )
    step_meetings = held.filter(matter__isnull=False)
    assert not step_meetings.filter(units__isnull=True).exists()
    assert not held.filter(attendances__isnull=True).exists()
    # Every attendee is a member of the meeting's town studio.
    towns_of: dict[int, set[int]] = {}
    for member_id, town_id in StudioMembership.objects.filter(
        studio__kind=StudioKind.TOWN
    ).values_list("member_id", "studio__town_id"):
        towns_of.setdefault(member_id, set()).add(town_id)
    for member_id, town_id in MeetingAttendance.objects.values_list(
        "member_id", "meeting__town_id"
    ):
        assert town_id in towns_of.get(member_id, set())


def test_units_have_kinds_and_existing_units_get_theirs(county, db):
    assert HandlingUnit.objects.get(name="团区委").kind == UnitKind.PARTY
    assert HandlingUnit.objects.get(name="区交通局").kind == UnitKind.GOVERNMENT
    assert HandlingUnit.objects.filter(kind=UnitKind.PARTY).count() >= 2


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"consultations", "cppcc", "proposals"}
    }


def test_a_second_load_changes_no_row_counts(county, db):
    from proposals import demo as proposals_demo

    before = row_counts()
    proposals_demo.load(quiet)
    demo.load(quiet)
    assert row_counts() == before


def test_every_unit_notice_names_its_deadline(county, db):
    notices = Notification.objects.filter(title__startswith="新交办议题")
    assert notices.exists()
    for notice in Notification.objects.all():
        assert "None" not in notice.title and "None" not in notice.body, notice.body
    assert all("办理期限 20" in n.body for n in notices)


def test_the_unit_login_has_open_tasks_due_in_every_colour_and_one_done_with_a_note(county, db):
    unit = HandlingUnit.objects.get(name="区交通局")
    tasks = FollowUpTask.objects.filter(unit=unit)
    states = {
        selectors.due_state(t.due_on, done=t.done_on is not None) for t in tasks if not t.done_on
    }
    assert {"overdue", "soon", "later"} <= states
    done = tasks.filter(done_on__isnull=False).exclude(done_note="")
    assert done.exists()
    # Marked done by the unit's own login: its history row names it.
    login = User.objects.get(username="unit")
    assert done.first().history.filter(history_user=login).exists()


def test_a_few_meetings_have_chinese_named_photos(county, db):
    photos = MeetingFile.objects.filter(is_photo=True)
    assert 3 <= photos.count() <= 20
    with override_settings(MEDIA_ROOT=county):
        for photo in photos:
            assert photo.file.name.endswith(".jpg")
            with photo.file.open("rb") as f:
                assert f.read(2) == b"\xff\xd8"  # a JPEG
    assert any("协商" in (p.original_name or p.file.name) for p in photos)
