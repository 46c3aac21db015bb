"""Admin for the superuser's repairs. Day-to-day entry goes through the studio pages, whose
services keep the rules; the admin shows history so a repair is still accounted for."""

from django.contrib import admin
from django.db import models
from simple_history.admin import SimpleHistoryAdmin

from cppcc.files import ScopedFileInput
from cppcc.uploads import UploadCheckAdminMixin

from .models import (
    Activity,
    ActivityAttendance,
    ActivityFile,
    ContactPair,
    ContactRecord,
    DutyShift,
    HonoraryVillageHead,
    PartyBranch,
    PartyGroup,
    Problem,
    Studio,
    StudioMembership,
    Town,
    Village,
)


class VillageInline(admin.TabularInline):
    model = Village
    extra = 0


@admin.register(Town)
class TownAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "united_front_officer", "order"]
    list_select_related = ["united_front_officer"]
    search_fields = ["name"]
    raw_id_fields = ["united_front_officer"]
    inlines = [VillageInline]


@admin.register(Village)
class VillageAdmin(SimpleHistoryAdmin):
    list_display = ["name", "town", "kind", "has_consultation_room"]
    list_filter = ["town", "kind", "has_consultation_room"]
    list_select_related = ["town"]
    search_fields = ["name"]


@admin.register(Studio)
class StudioAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "town", "level", "host_unit"]
    list_filter = ["kind", "level"]
    list_select_related = ["town"]
    search_fields = ["name", "host_unit"]
    raw_id_fields = ["leader"]


@admin.register(StudioMembership)
class StudioMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["member", "studio", "term", "role", "start_on", "end_on"]
    list_filter = ["role", "is_town_studio", "term"]
    list_select_related = ["member", "studio", "term"]
    search_fields = ["member__name", "studio__name"]
    raw_id_fields = ["member"]


@admin.register(PartyBranch)
class PartyBranchAdmin(SimpleHistoryAdmin):
    list_display = ["name", "special_committee", "secretary"]


@admin.register(PartyGroup)
class PartyGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "studio", "leader"]
    list_select_related = ["studio", "leader"]
    raw_id_fields = ["leader"]


class ContactRecordInline(admin.TabularInline):
    model = ContactRecord
    extra = 0


@admin.register(ContactPair)
class ContactPairAdmin(SimpleHistoryAdmin):
    list_display = ["party_member", "non_party_member", "term", "since"]
    list_select_related = ["party_member", "non_party_member", "term"]
    raw_id_fields = ["party_member", "non_party_member"]
    inlines = [ContactRecordInline]


class AttendanceInline(admin.TabularInline):
    model = ActivityAttendance
    extra = 0
    raw_id_fields = ["member"]


class FileInline(UploadCheckAdminMixin, admin.TabularInline):
    model = ActivityFile
    extra = 0
    formfield_overrides = {models.FileField: {"widget": ScopedFileInput}}


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ["title", "studio", "kind", "date", "residents_reached", "sales_wan"]
    list_filter = ["kind", "studio"]
    list_select_related = ["studio"]
    date_hierarchy = "date"
    search_fields = ["title"]
    inlines = [AttendanceInline, FileInline]


@admin.register(Problem)
class ProblemAdmin(SimpleHistoryAdmin):
    list_display = ["title", "studio", "status", "raised_on", "solved_on"]
    list_filter = ["status", "studio"]
    list_select_related = ["studio"]
    search_fields = ["title"]
    filter_horizontal = ["followers"]


@admin.register(DutyShift)
class DutyShiftAdmin(SimpleHistoryAdmin):
    list_display = ["date", "studio", "member"]
    list_select_related = ["studio", "member"]
    raw_id_fields = ["member"]


@admin.register(HonoraryVillageHead)
class HonoraryVillageHeadAdmin(SimpleHistoryAdmin):
    list_display = [
        "member",
        "village",
        "start_on",
        "end_on",
        "acres_developed",
        "income_raised_wan",
    ]
    list_select_related = ["member", "village", "village__town"]
    raw_id_fields = ["member"]
