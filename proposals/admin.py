from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import HandlingUnit


@admin.register(HandlingUnit)
class HandlingUnitAdmin(SimpleHistoryAdmin):
    list_display = ["name", "contact_person", "contact_phone", "is_active"]
    search_fields = ["name"]
