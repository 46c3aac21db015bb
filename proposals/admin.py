from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cppcc.uploads import UploadCheckAdminMixin

from .models import (
    HandlingUnit,
    Proposal,
    ProposalCosigner,
    ProposalFile,
    ProposalRating,
    ProposalReply,
    ProposalUnit,
)


@admin.register(HandlingUnit)
class HandlingUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "contact_person", "contact_phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


class CosignerInline(admin.TabularInline):
    model = ProposalCosigner
    extra = 0
    autocomplete_fields = ["member"]
    # Confirmation and drop-off are moves (proposals.workflow), not edits.
    readonly_fields = ["status", "confirmed_at", "dropped"]


class FileInline(UploadCheckAdminMixin, admin.TabularInline):
    model = ProposalFile
    extra = 0


class AssignmentInline(admin.TabularInline):
    model = ProposalUnit
    extra = 0
    can_delete = False
    fields = ["unit", "is_lead", "due_on", "status", "rehandle_count", "give_back_reason"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False  # assigned through proposals.workflow.proposal_assign


@admin.register(Proposal)
class ProposalAdmin(SimpleHistoryAdmin):
    list_display = ["year", "number", "title", "kind", "lead_proposer", "status", "is_key"]
    list_filter = ["status", "kind", "category", "term", "session", "is_key", "is_excellent"]
    search_fields = ["number", "title", "lead_proposer__name", "collective_source"]
    autocomplete_fields = ["lead_proposer"]
    list_select_related = ["lead_proposer"]
    # The flow's fields change only through proposals.workflow and services (each move a
    # Transition row); the admin corrects text, never states.
    readonly_fields = [
        "status",
        "serial",
        "number",
        "merged_into",
        "not_registered_reason",
        "converted_to",
        "is_key",
        "supervising_leader",
        "is_excellent",
        "cosign_deadline",
        "submitted_at",
        "registered_at",
        "assigned_at",
        "closed_at",
        "created_by",
    ]
    inlines = [CosignerInline, FileInline, AssignmentInline]


class ReplyInline(UploadCheckAdminMixin, admin.StackedInline):
    model = ProposalReply
    extra = 0
    can_delete = False
    readonly_fields = ["submitted_at", "submitted_by", "released_at", "returned_at"]

    def has_add_permission(self, request, obj=None):
        return False  # replies come through proposals.workflow.reply_submit


@admin.register(ProposalUnit)
class ProposalUnitAdmin(SimpleHistoryAdmin):
    list_display = ["proposal", "unit", "is_lead", "due_on", "status"]
    list_filter = ["status", "is_lead"]
    search_fields = ["proposal__title", "proposal__number", "unit__name"]
    list_select_related = ["proposal", "unit"]
    readonly_fields = ["proposal", "unit", "is_lead", "status", "given_back_at", "rehandle_count"]
    inlines = [ReplyInline]


@admin.register(ProposalRating)
class ProposalRatingAdmin(SimpleHistoryAdmin):
    list_display = ["assignment", "rating", "communication", "rated_at", "rated_by"]
    list_filter = ["rating", "communication"]
    list_select_related = ["assignment__unit", "assignment__proposal", "rated_by"]
    readonly_fields = ["assignment", "reply", "rating", "rated_at", "rated_by"]
