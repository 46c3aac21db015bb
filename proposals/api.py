"""The proposals API: /api/v1/handling-units/ (承办单位).

Reads are scoped by selectors.units_visible_to (a unit's login sees only its own unit, members
none); office staff keep the list of units, and the default permission lets only them write.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from cppcc.api_schema import ERRORS, DisplayField, enum_field
from cppcc.scoping import ScopedChoicesMixin, ScopedModelSerializer

from .models import HandlingUnit, UnitKind
from .selectors import units_visible_to

UnitKindField = enum_field(UnitKind.choices, "HandlingUnitKindEnum")


class HandlingUnitSerializer(ScopedModelSerializer):
    kind = UnitKindField(choices=UnitKind.choices, required=False)
    kind_display = DisplayField(source="get_kind_display", read_only=True)

    class Meta:
        model = HandlingUnit
        fields = [
            "id",
            "name",
            "kind",
            "kind_display",
            "contact_person",
            "contact_phone",
            "is_active",
        ]
        # Uniqueness is checked in validate_name, with a Chinese message naming the unit.
        extra_kwargs = {"name": {"validators": []}}

    def validate_name(self, value: str) -> str:
        value = value.strip()
        if not value:
            raise serializers.ValidationError(_("请填写单位名称。"))
        others = HandlingUnit.objects.filter(name=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if others.exists():
            raise serializers.ValidationError(_("已有名为“%(name)s”的承办单位。") % {"name": value})
        return value

    def save(self, **kwargs):
        try:
            with transaction.atomic():
                return super().save(**kwargs)
        except IntegrityError as exc:
            # Two clerks adding the same unit at the same moment: the second is told as above.
            name = self.validated_data.get("name", "")
            raise serializers.ValidationError(
                {"name": [_("已有名为“%(name)s”的承办单位。") % {"name": name}]}
            ) from exc


class HandlingUnitFilter(ScopedChoicesMixin, filters.FilterSet):
    kind = filters.ChoiceFilter(choices=UnitKind.choices)

    class Meta:
        model = HandlingUnit
        fields = ["kind", "is_active"]


@extend_schema_view(
    list=extend_schema(summary="承办单位列表（承办单位账号只看到本单位）"),
    retrieve=extend_schema(
        summary="承办单位详情", responses={200: HandlingUnitSerializer, **ERRORS}
    ),
    create=extend_schema(
        summary="新增承办单位（机关）", responses={201: HandlingUnitSerializer, **ERRORS}
    ),
    partial_update=extend_schema(
        summary="修改承办单位（机关）", responses={200: HandlingUnitSerializer, **ERRORS}
    ),
)
class HandlingUnitViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    serializer_class = HandlingUnitSerializer
    filterset_class = HandlingUnitFilter
    search_fields = ["name", "contact_person"]
    ordering_fields = ["name", "kind"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return units_visible_to(self.request.user).order_by("name", "id")


# Public-opinion reports (社情民意) live in their own module beside the proposals'.
from .opinion_api import OpinionReportViewSet  # noqa: E402
from .proposal_api import ProposalViewSet  # noqa: E402

routes = [
    ("handling-units", HandlingUnitViewSet, "handling-unit"),
    ("proposals", ProposalViewSet, "proposal"),
    ("opinion-reports", OpinionReportViewSet, "opinion-report"),
]
