"""API of the yearly summary: POST /api/v1/summaries/ starts a compilation (202 with the rows it
covers); GET /api/v1/summaries/<id>/ reads status, progress, figures and file links. Scoped as
the pages are (reports.models.YearlySummaryQuerySet.visible_to)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.response import Response

from cppcc.api_schema import ERRORS, DisplayField, enum_field
from studios.models import Studio, Town

from . import summary
from .models import SummaryScope, SummaryStatus, YearlySummary
from .summary_views import FILE_KINDS, may_start, may_view


class SummaryAccess(permissions.IsAuthenticated):
    """Reads: county roles and town clerks; starting: office, admin and town clerks."""

    message = _("您没有查看或编制年度履职成绩单的权限。")

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS:
            return may_view(request.user)
        return may_start(request.user)


class SummarySerializer(serializers.ModelSerializer):
    scope = enum_field(SummaryScope.choices, "SummaryScopeEnum")(
        choices=SummaryScope.choices, read_only=True
    )
    status = enum_field(SummaryStatus.choices, "SummaryStatusEnum")(
        choices=SummaryStatus.choices, read_only=True
    )
    scope_name = serializers.CharField(read_only=True)
    status_display = DisplayField(source="get_status_display", read_only=True)
    files = serializers.SerializerMethodField()

    class Meta:
        model = YearlySummary
        fields = [
            "id",
            "year",
            "scope",
            "scope_name",
            "town",
            "studio",
            "status",
            "status_display",
            "progress",
            "stage",
            "period_end",
            "figures",
            "narrative",
            "files",
            "requested_at",
            "started_at",
            "finished_at",
            "error",
        ]
        read_only_fields = fields

    def get_files(self, obj) -> dict[str, str]:
        """Links of the Word, Excel and PDF files, once compiled."""
        request = self.context.get("request")
        links = {}
        for kind in FILE_KINDS:
            if getattr(obj, kind):
                url = reverse("reports:summary_file", args=[obj.pk, kind])
                links[kind] = request.build_absolute_uri(url) if request else url
        return links


@extend_schema_field(OpenApiTypes.INT)
class VisiblePk(serializers.PrimaryKeyRelatedField):
    def __init__(self, model, **kwargs):
        self.model = model
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(self.context["request"].user)


class StartSerializer(serializers.Serializer):
    year = serializers.IntegerField(
        error_messages={"invalid": _("年度须为整数，如 2025。"), "required": _("请填写年度。")}
    )
    scope = serializers.ChoiceField(
        choices=SummaryScope.choices,
        error_messages={"invalid_choice": _("范围须为 county、town 或 studio。")},
    )
    town = VisiblePk(
        Town,
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": _("镇街不存在或不在您的数据范围内。")},
    )
    studio = VisiblePk(
        Studio,
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": _("委员工作室不存在或不在您的数据范围内。")},
    )
    include_towns = serializers.BooleanField(required=False, default=False)
    include_studios = serializers.BooleanField(required=False, default=False)


@extend_schema_view(
    list=extend_schema(summary="年度履职成绩单列表（镇街工作人员只看到本镇街的）"),
    retrieve=extend_schema(
        summary="年度履职成绩单：状态、进度、数据和文件链接",
        responses={200: SummarySerializer, **ERRORS},
    ),
    create=extend_schema(
        summary="开始编制年度履职成绩单（可同时编制各镇街、各工作室）",
        description=(
            "返回 202 和本次涉及的成绩单（每个年度和范围一条）。"
            "已在排队或编制中的不会重复编制；再次编制会替换同一条记录的数据和文件。"
        ),
        request=StartSerializer,
        responses={202: SummarySerializer(many=True), **ERRORS},
    ),
)
class SummaryViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SummarySerializer
    permission_classes = [SummaryAccess]
    http_method_names = ["get", "post", "head", "options"]

    def get_queryset(self):
        return (
            YearlySummary.objects.visible_to(self.request.user)
            .select_related("town", "studio")
            .order_by("-year", "scope_key")
        )

    def create(self, request, *args, **kwargs):
        start = StartSerializer(data=request.data, context={"request": request})
        start.is_valid(raise_exception=True)
        data = start.validated_data
        try:
            rows = summary.start(
                request.user,
                data["year"],
                data["scope"],
                town=data.get("town"),
                studio=data.get("studio"),
                include_towns=data["include_towns"],
                include_studios=data["include_studios"],
            )
        except summary.SummaryError as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        body = SummarySerializer(rows, many=True, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED)


routes = [("summaries", SummaryViewSet, "summary")]
