"""/api/v1/opinion-reports/ (社情民意信息), routed through proposals.api.routes.

Lists start from OpinionReport.objects.visible_to like the pages. No endpoint writes a report's
fields directly: `submit/` creates one and each move is an action calling one function of
proposals.opinion_workflow. A move the workflow refuses because of the report's state (someone
else moved it first, or a level already recorded) answers 409 with the Chinese reason and the
report as it stands now; bad input answers 400, a report outside the person's scope 404, and a
visible report the person may not change 403.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cppcc.api_schema import ERRORS, DisplayField, enum_field
from cppcc.filters import IdFilter, YearFilter
from cppcc.scoping import ScopedChoicesMixin, ScopedModelSerializer, ScopedSerializer
from cppcc.workflow import WorkflowError
from members.models import Member
from studios.models import Studio

from . import opinion_workflow as workflow
from .models import (
    AdoptionLevel,
    LeaderInstruction,
    OpinionAdoption,
    OpinionReport,
    OpinionStatus,
)

OpinionStatusField = enum_field(OpinionStatus.choices, "OpinionStatusEnum")
AdoptionLevelField = enum_field(AdoptionLevel.choices, "OpinionLevelEnum")


class VisibleMemberField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Member.objects.visible_to(self.context["request"].user)


class VisibleStudioField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Studio.objects.visible_to(self.context["request"].user)


class OpinionAdoptionSerializer(ScopedModelSerializer):
    level = AdoptionLevelField(choices=AdoptionLevel.choices)
    level_display = DisplayField(source="get_level_display", read_only=True)

    class Meta:
        model = OpinionAdoption
        fields = ["id", "level", "level_display", "adopted_on", "source"]


class OpinionInstructionSerializer(ScopedModelSerializer):
    level = AdoptionLevelField(choices=AdoptionLevel.choices)
    level_display = DisplayField(source="get_level_display", read_only=True)

    class Meta:
        model = LeaderInstruction
        fields = ["id", "level", "level_display", "leader", "text", "instructed_on"]


class OpinionReportSerializer(ScopedModelSerializer):
    member_names = serializers.SerializerMethodField()
    studio_name = serializers.CharField(source="studio.name", read_only=True, default=None)
    status = OpinionStatusField(choices=OpinionStatus.choices, read_only=True)
    status_display = DisplayField(source="get_status_display", read_only=True)
    adoptions = OpinionAdoptionSerializer(many=True, read_only=True)
    instructions = OpinionInstructionSerializer(many=True, read_only=True)
    moves = serializers.SerializerMethodField()

    class Meta:
        model = OpinionReport
        fields = [
            "id",
            "title",
            "situation",
            "suggestion",
            "members",
            "member_names",
            "officer_names",
            "studio",
            "studio_name",
            "sector_group",
            "submitted_on",
            "status",
            "status_display",
            "edited_title",
            "edited_text",
            "forwarded_to",
            "forwarded_on",
            "not_adopted_reason",
            "adoptions",
            "instructions",
            "moves",
        ]
        read_only_fields = fields

    def get_member_names(self, obj) -> list[str]:
        return [m.name for m in obj.members.all()]

    def get_moves(self, obj) -> list[str]:
        """The actions the caller may take on the report now (edit, forward, adopt …)."""
        return workflow.moves_open(obj, self.context["request"].user)


class OpinionRefusalSerializer(ScopedSerializer):
    detail = serializers.CharField(help_text="拒绝的中文原因")
    code = serializers.CharField(help_text="guard：条件未满足；conflict：信息已被他人处理")
    report = OpinionReportSerializer(help_text="信息现在的状态")


REFUSED = {
    409: OpenApiResponse(
        response=OpinionRefusalSerializer,
        description="被拒绝：信息已被他人处理，或当前状态不允许（detail 为中文原因）",
    )
}


class OpinionSubmitSerializer(ScopedSerializer):
    title = serializers.CharField(max_length=200)
    situation = serializers.CharField()
    suggestion = serializers.CharField()
    members = VisibleMemberField(
        many=True,
        queryset=Member.objects.all(),
        required=False,
        help_text="委员作者；委员本人提交时自动列为作者",
    )
    officer_names = serializers.CharField(max_length=100, required=False, default="")
    studio = VisibleStudioField(queryset=Studio.objects.all(), required=False, allow_null=True)
    sector_group = serializers.CharField(max_length=60, required=False, default="")
    submitted_on = serializers.DateField(required=False, help_text="默认今天；可补录，不能晚于今天")


class OpinionStateInputSerializer(ScopedSerializer):
    expected_state = OpinionStatusField(
        choices=OpinionStatus.choices,
        required=False,
        help_text="客户端看到的状态；与实际不一致时答 409，避免重复提交",
    )


class OpinionEditSerializer(OpinionStateInputSerializer):
    edited_title = serializers.CharField(max_length=200)
    edited_text = serializers.CharField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class OpinionForwardSerializer(OpinionStateInputSerializer):
    forwarded_to = serializers.CharField(max_length=100)
    forwarded_on = serializers.DateField(required=False)


class OpinionAdoptSerializer(OpinionStateInputSerializer):
    level = AdoptionLevelField(choices=AdoptionLevel.choices)
    source = serializers.CharField(max_length=100)
    adopted_on = serializers.DateField(required=False)


class OpinionRejectSerializer(OpinionStateInputSerializer):
    reason = serializers.CharField(max_length=200)


class OpinionInstructSerializer(OpinionStateInputSerializer):
    level = AdoptionLevelField(choices=AdoptionLevel.choices)
    leader = serializers.CharField(max_length=60)
    text = serializers.CharField()
    instructed_on = serializers.DateField(required=False)


class OpinionReportFilter(ScopedChoicesMixin, filters.FilterSet):
    status = filters.ChoiceFilter(choices=OpinionStatus.choices)
    level = filters.ChoiceFilter(
        choices=AdoptionLevel.choices, field_name="adoptions__level", label=_("采用层级")
    )
    town = IdFilter(field_name="studio__town", label=_("镇街"))
    year = YearFilter(field_name="submitted_on", lookup_expr="year", label=_("年度"))
    date_from = filters.DateFilter(field_name="submitted_on", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="submitted_on", lookup_expr="lte")

    class Meta:
        model = OpinionReport
        fields = ["status", "level", "studio", "town", "year", "date_from", "date_to"]


@extend_schema_view(
    list=extend_schema(
        summary="社情民意信息列表",
        description="机关、领导看全部；镇街工作人员看本镇街工作室的信息；委员看本人作为作者的信息。",
    ),
    retrieve=extend_schema(
        summary="社情民意信息详情", responses={200: OpinionReportSerializer, **ERRORS}
    ),
)
class OpinionReportViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = OpinionReportSerializer
    filterset_class = OpinionReportFilter
    search_fields = ["title", "edited_title", "officer_names"]
    ordering_fields = ["submitted_on", "id"]

    def get_permissions(self):
        # Members submit their own; who may move a report is decided after the lookup, so a
        # report outside the person's scope answers 404 before any 403.
        if self.action == "submit" or self.detail:
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def get_queryset(self):
        return (
            OpinionReport.objects.visible_to(self.request.user)
            .select_related("studio")
            .prefetch_related(
                Prefetch("members", queryset=Member.objects.only("pk", "name").order_by("pk")),
                Prefetch("adoptions", queryset=OpinionAdoption.objects.order_by("adopted_on")),
                Prefetch(
                    "instructions", queryset=LeaderInstruction.objects.order_by("instructed_on")
                ),
            )
            .order_by("-submitted_on", "-id")
        )

    def _detail(self, pk: int) -> dict:
        return OpinionReportSerializer(
            OpinionReport.objects.filter(pk=pk)
            .select_related("studio")
            .prefetch_related("members", "adoptions", "instructions")
            .get(),
            context=self.get_serializer_context(),
        ).data

    @extend_schema(
        summary="提交社情民意信息（委员本人，或机关代为录入）",
        request=OpinionSubmitSerializer,
        responses={201: OpinionReportSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"])
    def submit(self, request):
        # Refused before the input is read, so a role that may not submit learns no field rules.
        if not workflow.may_submit(request.user):
            raise exceptions.PermissionDenied()
        payload = OpinionSubmitSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        report = workflow.report_submit(by=request.user, **payload.validated_data)
        return Response(self._detail(report.pk), status=status.HTTP_201_CREATED)

    def _move(self, request, move, payload_class):
        report = self.get_object()
        if not workflow.can_manage(request.user):
            raise exceptions.PermissionDenied()
        payload = payload_class(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        workflow.as_seen(report, data.pop("expected_state", None))
        try:
            move(report, by=request.user, **data)
        except WorkflowError as exc:
            if exc.code not in ("conflict", "guard"):
                raise
            return Response(
                {"detail": exc.message, "code": exc.code, "report": self._detail(report.pk)},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(self._detail(report.pk))

    @extend_schema(
        summary="编辑（机关；保留原稿）",
        request=OpinionEditSerializer,
        responses={200: OpinionReportSerializer, **ERRORS, **REFUSED},
    )
    @action(detail=True, methods=["post"])
    def edit(self, request, pk=None):
        return self._move(request, workflow.report_edit, OpinionEditSerializer)

    @extend_schema(
        summary="报送（报送单位、日期）",
        request=OpinionForwardSerializer,
        responses={200: OpinionReportSerializer, **ERRORS, **REFUSED},
    )
    @action(detail=True, methods=["post"])
    def forward(self, request, pk=None):
        return self._move(request, workflow.report_forward, OpinionForwardSerializer)

    @extend_schema(
        summary="登记采用（区 / 市 / 省 / 全国，每个层级一次）",
        request=OpinionAdoptSerializer,
        responses={200: OpinionReportSerializer, **ERRORS, **REFUSED},
    )
    @action(detail=True, methods=["post"])
    def adopt(self, request, pk=None):
        return self._move(request, workflow.report_adopt, OpinionAdoptSerializer)

    @extend_schema(
        summary="登记未采用（须填写原因）",
        request=OpinionRejectSerializer,
        responses={200: OpinionReportSerializer, **ERRORS, **REFUSED},
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._move(request, workflow.report_reject, OpinionRejectSerializer)

    @extend_schema(
        summary="登记领导批示",
        request=OpinionInstructSerializer,
        responses={200: OpinionReportSerializer, **ERRORS, **REFUSED},
    )
    @action(detail=True, methods=["post"])
    def instruct(self, request, pk=None):
        return self._move(request, workflow.instruction_add, OpinionInstructSerializer)
