from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import HandlingUnit, Proposal


@admin.register(HandlingUnit)
class HandlingUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "contact_person", "contact_phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]


@admin.register(Proposal)
class ProposalAdmin(SimpleHistoryAdmin):
    list_display = ["year", "number", "title", "lead_proposer", "submitted_on"]
    list_filter = ["year"]
    search_fields = ["number", "title", "lead_proposer__name"]
    autocomplete_fields = ["lead_proposer"]
