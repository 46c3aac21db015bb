import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from cppcc.workflow import WorkflowError
from studios import selectors, services
from studios.models import Activity, ActivityAttendance, ActivityKind, Attendance

DAY = datetime.date(2026, 5, 20)


def _data(**extra):
    return {
        "kind": ActivityKind.TEA_TALK,
        "title": "茶园夜话",
        "date": DAY,
        "residents_reached": 40,
        **extra,
    }


def test_attendance_totals_count_present_leave_and_absent(
    gunan_studio, member_a, gunan_members, office_user
):
    marks = {member_a.pk: Attendance.PRESENT}
    marks.update({m.pk: Attendance.PRESENT for m in gunan_members[:3]})
    marks[gunan_members[3].pk] = Attendance.LEAVE
    marks[gunan_members[4].pk] = Attendance.ABSENT

    activity = services.record_activity(gunan_studio, _data(), marks, by=office_user)

    assert selectors.attendance_totals(activity) == {"present": 4, "leave": 1, "absent": 1}
    annotated = selectors.with_attendance_counts(Activity.objects.filter(pk=activity.pk)).get()
    assert (annotated.present_count, annotated.leave_count, annotated.absent_count) == (4, 1, 1)
    assert activity.attendances.first().history.exists()


def test_attendance_of_a_non_member_is_rejected_and_nothing_is_written(
    gunan_studio, member_a, member_b, office_user
):
    with pytest.raises(WorkflowError, match="李东溪"):
        services.record_activity(
            gunan_studio,
            _data(),
            {member_a.pk: Attendance.PRESENT, member_b.pk: Attendance.PRESENT},
            by=office_user,
        )
    assert not Activity.objects.exists()
    assert not ActivityAttendance.objects.exists()


def test_live_stream_sales_require_a_figure(gunan_studio, member_a, office_user):
    with pytest.raises(WorkflowError, match="销售额"):
        services.record_activity(
            gunan_studio, _data(kind=ActivityKind.LIVESTREAM), {}, by=office_user
        )
    activity = services.record_activity(
        gunan_studio,
        _data(kind=ActivityKind.LIVESTREAM, sales_wan=Decimal("4.30")),
        {},
        by=office_user,
    )
    assert activity.sales_wan == Decimal("4.30")


def test_sales_are_refused_on_other_kinds(gunan_studio, office_user):
    with pytest.raises(WorkflowError, match="只有直播带货"):
        services.record_activity(gunan_studio, _data(sales_wan=Decimal("1")), {}, by=office_user)


def test_planned_activity_takes_no_attendance(gunan_studio, member_a, office_user):
    ahead = datetime.date.today() + datetime.timedelta(days=7)
    with pytest.raises(WorkflowError, match="尚未举行"):
        services.record_activity(
            gunan_studio, _data(date=ahead), {member_a.pk: Attendance.PRESENT}, by=office_user
        )
    assert services.record_activity(
        gunan_studio, _data(date=ahead, kind=ActivityKind.LIVESTREAM), {}, by=office_user
    ).pk


def test_files_are_attached_and_photos_recognised(gunan_studio, office_user, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    files = [
        SimpleUploadedFile("现场.jpg", b"\xff\xd8\xff"),
        SimpleUploadedFile("纪要.pdf", b"%PDF"),
    ]
    activity = services.record_activity(gunan_studio, _data(), {}, files, by=office_user)
    assert sorted(activity.files.values_list("is_photo", flat=True)) == [False, True]


def test_update_replaces_attendance(gunan_studio, member_a, gunan_members, office_user):
    activity = services.record_activity(
        gunan_studio,
        _data(),
        {member_a.pk: Attendance.PRESENT, gunan_members[0].pk: Attendance.PRESENT},
        by=office_user,
    )
    services.update_activity(
        activity,
        {"title": "院坝会"},
        {member_a.pk: Attendance.LEAVE, gunan_members[1].pk: Attendance.ABSENT},
        by=office_user,
    )
    activity.refresh_from_db()
    assert activity.title == "院坝会"
    assert dict(activity.attendances.values_list("member_id", "status")) == {
        member_a.pk: Attendance.LEAVE,
        gunan_members[1].pk: Attendance.ABSENT,
    }
