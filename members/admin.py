from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from cppcc.files import ScopedFileInput
from cppcc.uploads import UploadCheckAdminMixin

from . import services
from .masking import mask_id_number, mask_mobile
from .models import (
    DutyEntry,
    Member,
    MemberChangeRequest,
    PointsRule,
    Sector,
    SensitiveAccess,
    SpecialCommittee,
    Term,
)


@admin.register(Term)
class TermAdmin(SimpleHistoryAdmin):
    list_display = ["name", "start_year", "end_year", "is_current"]


@admin.register(Sector)
class SectorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(SpecialCommittee)
class SpecialCommitteeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "order", "is_active"]
    list_editable = ["order", "is_active"]


@admin.register(Member)
class MemberAdmin(UploadCheckAdminMixin, SimpleHistoryAdmin):
    formfield_overrides = {models.ImageField: {"widget": ScopedFileInput}}
    list_display = ["name", "sector", "party", "post", "masked_id", "masked_mobile", "status"]
    list_filter = ["status", "post", "party", "sector"]
    search_fields = ["name", "name_pinyin", "name_initials"]
    list_select_related = ["sector"]
    autocomplete_fields = []
    readonly_fields = ["status", "left_on", "left_reason"]

    @admin.display(description=_("身份证号"))
    def masked_id(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description=_("手机号码"))
    def masked_mobile(self, obj):
        return mask_mobile(obj.mobile)

    def save_model(self, request, obj, form, change):
        # Through the service so the pinyin keys and the active-ID rule hold here too.
        services.save_member(obj, by=request.user)

    def has_delete_permission(self, request, obj=None):
        # A member who leaves is kept with their history (members.workflow.member_leave).
        return False


@admin.register(SensitiveAccess)
class SensitiveAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "member", "fields", "ip"]
    list_select_related = ["user", "member"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(MemberChangeRequest)
class MemberChangeRequestAdmin(SimpleHistoryAdmin):
    list_display = ["member", "status", "submitted_at", "reviewed_by", "reviewed_at"]
    list_filter = ["status"]
    readonly_fields = [
        "member",
        "changes",
        "status",
        "submitted_by",
        "reviewed_by",
        "reviewed_at",
        "review_note",
    ]


@admin.register(PointsRule)
class PointsRuleAdmin(admin.ModelAdmin):
    """Read-only here: a change must reprice the ledger, which the rules page
    (members:duty_rules, members.duty.save_points_rule) does."""

    list_display = ["kind", "points", "yearly_cap", "effective_from", "note", "created_by"]
    list_filter = ["kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DutyEntry)
class DutyEntryAdmin(admin.ModelAdmin):
    """Derived rows (members.duty.rebuild): shown, never edited."""

    list_display = ["member", "kind", "date", "points", "title"]
    list_filter = ["year", "kind"]
    search_fields = ["member__name", "title"]
    list_select_related = ["member"]
    raw_id_fields = ["member"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
