"""The admin is for the system administrator's corrections; step moves are not editable here
(the step and status fields are read-only), they go through consultations.workflow."""

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from cppcc.files import ScopedFileInput
from cppcc.uploads import UploadCheckAdminMixin

from .models import (
    ConsultationMeeting,
    FollowUpTask,
    Matter,
    MatterUnit,
    MeetingAttendance,
    MeetingFile,
    UnitProgress,
)


class MatterUnitInline(admin.TabularInline):
    model = MatterUnit
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Matter)
class MatterAdmin(SimpleHistoryAdmin):
    list_display = ["title", "town", "year", "step", "status", "is_annual_topic", "deadline"]
    list_filter = ["year", "step", "status", "is_annual_topic", "town"]
    search_fields = ["title", "registration_no", "town__name"]
    autocomplete_fields = ["proposers", "proposal"]
    readonly_fields = [
        "step",
        "status",
        "step_entered_at",
        "completed_at",
        "registered_by",
        "created_by",
    ]
    inlines = [MatterUnitInline]


class AttendanceInline(admin.TabularInline):
    model = MeetingAttendance
    extra = 0
    autocomplete_fields = ["member"]


class TaskInline(admin.TabularInline):
    model = FollowUpTask
    extra = 0


class FileInline(UploadCheckAdminMixin, admin.TabularInline):
    model = MeetingFile
    extra = 0
    formfield_overrides = {models.FileField: {"widget": ScopedFileInput}}


@admin.register(ConsultationMeeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["date", "kind", "town", "matter", "place"]
    list_filter = ["kind", "town"]
    date_hierarchy = "date"
    search_fields = ["topic", "place", "matter__title"]
    autocomplete_fields = ["matter", "units"]
    inlines = [AttendanceInline, TaskInline, FileInline]


@admin.register(UnitProgress)
class UnitProgressAdmin(SimpleHistoryAdmin):
    list_display = ["matter", "unit", "written_at", "written_by"]
    list_filter = ["unit"]
    search_fields = ["matter__title", "body"]
