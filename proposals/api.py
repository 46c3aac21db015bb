from rest_framework import serializers, viewsets

from .models import HandlingUnit


class HandlingUnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = HandlingUnit
        fields = ["id", "name", "contact_person", "contact_phone", "is_active"]


class HandlingUnitViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = HandlingUnitSerializer
    search_fields = ["name"]
    filterset_fields = ["is_active"]

    def get_queryset(self):
        from .selectors import units_visible_to

        return units_visible_to(self.request.user)


routes = [("handling-units", HandlingUnitViewSet, "handling-unit")]
