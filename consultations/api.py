"""The consultations API: "一镇一事" matters and their consultation meetings under /api/v1/.

Lists start from `visible_to` like the pages. Every write goes through consultations.services,
and a step moves only through consultations.workflow (advance / send-back): no endpoint sets a
matter's step. A move the workflow refuses (its guard is not met, or someone else moved the
matter first) answers 409 with the Chinese reason and the matter as it stands now; other rule
breaks answer 400, a record outside the person's scope 404, and a visible record the person
may not change 403.
"""

from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cppcc.api import NestedListPagination
from cppcc.api_delete import SoftDeleteDestroyMixin
from cppcc.api_schema import ERRORS, DisplayField, enum_field, prefetched_rows
from cppcc.filters import IdFilter, YearFilter
from cppcc.models import Transition
from cppcc.scoping import ScopedChoicesMixin, ScopedModelSerializer, ScopedSerializer
from cppcc.versioning import VersionSerializerMixin
from cppcc.workflow import ConflictError, WorkflowError
from members.models import Member
from proposals.models import HandlingUnit, Proposal
from proposals.selectors import units_visible_to
from studios.api import (
    AttendanceInputSerializer,
    AttendanceStatusField,
    PageCountsMixin,
    attendance_marks,
    attendance_row,
)
from studios.models import Attendance, Town
from studios.selectors import attach_prefetched_attendance_counts, can_edit_town_records

from . import selectors, services, workflow
from .models import (
    COMPLETED_STATE,
    STEPS,
    ConsultationMeeting,
    FollowUpTask,
    LivelihoodProject,
    Matter,
    MatterStatus,
    MatterUnit,
    MeetingAttendance,
    MeetingKind,
    Step,
    UnitProgress,
    UnitRole,
    state_label,
)

StepField = enum_field(Step.choices, "MatterStepEnum")
MatterStatusField = enum_field(MatterStatus.choices, "MatterStatusEnum")
UnitRoleField = enum_field(UnitRole.choices, "MatterUnitRoleEnum")
MeetingKindField = enum_field(MeetingKind.choices, "MeetingKindEnum")
StateField = enum_field(
    [*Step.choices, (COMPLETED_STATE, MatterStatus.COMPLETED.label)], "MatterStateEnum"
)


# --- fields that only offer what the person sees ---------------------------------------------


class VisibleTownField(serializers.PrimaryKeyRelatedField):
    """A town the person sees; any other id is a 400 on the field."""

    def get_queryset(self):
        return Town.objects.visible_to(self.context["request"].user)


class VisibleMatterField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Matter.objects.visible_to(self.context["request"].user)


class VisibleUnitField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return units_visible_to(self.context["request"].user)


# --- matters ---------------------------------------------------------------------------------


class MatterUnitSerializer(ScopedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    role = UnitRoleField(choices=UnitRole.choices, read_only=True)
    role_display = DisplayField(source="get_role_display", read_only=True)

    class Meta:
        model = MatterUnit
        fields = ["unit", "unit_name", "role", "role_display"]


# Fields only the workflow and the step actions write, and where to write them instead: a PATCH
# naming one is refused rather than silently ignored, so no client believes it moved a step.
WRITTEN_ELSEWHERE = {
    **dict.fromkeys(
        (
            "step",
            "status",
            "step_entered_at",
            "completed_at",
            "registered_on",
            "registration_no",
            "registered_by",
        ),
        _("议题的环节只能通过“推进”（advance）或“退回”（send-back）改变，不能直接修改。"),
    ),
    **dict.fromkeys(
        ("units", "task", "deadline", "assigned_on"),
        _("交办信息请通过 assignment 接口填写。"),
    ),
    **dict.fromkeys(services.OUTCOME_FIELDS, _("办理成效请通过 outcome 接口填写。")),
    **dict.fromkeys(
        ("funds_wan", "beneficiaries", "projects", "project_totals"),
        _("协调资金和受益群众是议题民生实事的合计，请通过 livelihood-projects 接口录入实事。"),
    ),
}


class MatterSerializer(VersionSerializerMixin, ScopedModelSerializer):
    town = VisibleTownField(queryset=Town.objects.all())
    town_name = serializers.CharField(source="town.name", read_only=True)
    year = serializers.IntegerField(required=False)
    proposers = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Member.objects.all(), required=False
    )
    proposer_names = serializers.SerializerMethodField()
    proposal = serializers.PrimaryKeyRelatedField(
        queryset=Proposal.objects.all(), allow_null=True, required=False
    )
    proposal_title = serializers.CharField(
        source="proposal.title", read_only=True, default=None, allow_null=True
    )
    step = StepField(choices=Step.choices, read_only=True)
    step_display = DisplayField(source="get_step_display", read_only=True)
    status = MatterStatusField(choices=MatterStatus.choices, read_only=True)
    status_display = DisplayField(source="get_status_display", read_only=True)
    days_in_step = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    stalled = serializers.SerializerMethodField()
    registered_by_name = serializers.SerializerMethodField()
    units = MatterUnitSerializer(source="unit_assignments", many=True, read_only=True)
    next_step = serializers.SerializerMethodField()
    next_step_display = serializers.SerializerMethodField()
    proposed_on = serializers.DateField(
        write_only=True,
        required=False,
        allow_null=True,
        help_text="新建时可填：议题实际提出的日期（补录往年议题时）；立案日期不能早于它",
    )
    project_count = serializers.IntegerField(read_only=True, help_text="民生实事项数")
    project_done = serializers.IntegerField(read_only=True, help_text="已办成的民生实事项数")

    class Meta:
        model = Matter
        fields = [
            "id",
            "town",
            "town_name",
            "year",
            "title",
            "background",
            "proposers",
            "proposer_names",
            "proposal",
            "proposal_title",
            "is_annual_topic",
            "step",
            "step_display",
            "status",
            "status_display",
            "step_entered_at",
            "days_in_step",
            "overdue",
            "stalled",
            "registered_on",
            "registration_no",
            "registered_by",
            "registered_by_name",
            "units",
            "task",
            "deadline",
            "assigned_on",
            "solved",
            "result_summary",
            "project_count",
            "project_done",
            "completed_at",
            "next_step",
            "next_step_display",
            "proposed_on",
            "version",
        ]
        read_only_fields = [
            "step_entered_at",
            "registered_on",
            "registration_no",
            "registered_by",
            "task",
            "deadline",
            "assigned_on",
            "solved",
            "result_summary",
            "completed_at",
        ]
        # The one-annual-topic rule is checked by consultations.services with its Chinese message.
        validators = []

    def validate(self, attrs):
        for name, message in WRITTEN_ELSEWHERE.items():
            if name in self.initial_data:
                raise serializers.ValidationError({name: [message]})
        if self.instance is not None and "proposed_on" in self.initial_data:
            raise serializers.ValidationError(
                {"proposed_on": [_("提出日期只能在新建议题时填写。")]}
            )
        return attrs

    def get_proposer_names(self, obj) -> list[str]:
        return [m.name for m in obj.proposers.all()]

    def get_days_in_step(self, obj) -> int:
        return selectors.days_in_step(obj)

    def get_overdue(self, obj) -> bool:
        return selectors.is_overdue(obj)

    def get_stalled(self, obj) -> bool:
        return selectors.is_stalled(obj)

    @extend_schema_field(OpenApiTypes.STR)
    def get_registered_by_name(self, obj) -> str | None:
        return str(obj.registered_by) if obj.registered_by_id else None

    @extend_schema_field(
        StateField(
            choices=[*STEPS, COMPLETED_STATE],
            allow_null=True,
            help_text="下一步推进到的环节；总结协商之后为 completed（办结）；已办结为 null",
        )
    )
    def get_next_step(self, obj) -> str | None:
        if obj.is_completed:
            return None
        return workflow.next_step(obj.step) or COMPLETED_STATE

    @extend_schema_field(OpenApiTypes.STR)
    def get_next_step_display(self, obj) -> str | None:
        state = self.get_next_step(obj)
        return state_label(state) if state else None


class LivelihoodProjectSerializer(ScopedModelSerializer):
    matter = VisibleMatterField(queryset=Matter.objects.all())
    recorded_on = serializers.DateField(
        required=False, help_text="实事数据的实际录入日期，不填为今天；全县资金、受益人数按它统计"
    )
    done_on = serializers.DateField(
        required=False, allow_null=True, help_text="已办成时必填；不晚于今天、不早于议题立案日期"
    )

    class Meta:
        model = LivelihoodProject
        fields = [
            "id",
            "matter",
            "title",
            "recorded_on",
            "done",
            "done_on",
            "funds_wan",
            "beneficiaries",
            "created_at",
        ]
        read_only_fields = ["created_at"]
        # Negative funds and the like are refused by consultations.services in Chinese.
        extra_kwargs = {"funds_wan": {"min_value": None}}


class ProjectTotalsSerializer(ScopedSerializer):
    count = serializers.IntegerField(help_text="民生实事项数")
    done = serializers.IntegerField(help_text="已办成项数")
    funds_wan = serializers.DecimalField(
        max_digits=12, decimal_places=2, help_text="协调资金合计（万元）"
    )
    beneficiaries = serializers.IntegerField(help_text="受益群众合计（人）")


class MatterDetailSerializer(MatterSerializer):
    """A matter with why its next move is refused, its 民生实事 and their totals, and the
    real day it entered each step: these read further rows, so lists leave them out and ask
    nothing per row."""

    blockers = serializers.SerializerMethodField()
    projects = LivelihoodProjectSerializer(many=True, read_only=True)
    project_totals = serializers.SerializerMethodField()
    step_dates = serializers.SerializerMethodField()

    class Meta(MatterSerializer.Meta):
        fields = [
            *MatterSerializer.Meta.fields,
            "blockers",
            "projects",
            "project_totals",
            "step_dates",
        ]

    def get_blockers(self, obj) -> list[str]:
        return [str(reason) for reason in workflow.blockers(obj)]

    @extend_schema_field(ProjectTotalsSerializer)
    def get_project_totals(self, obj) -> dict:
        return ProjectTotalsSerializer(obj.project_totals()).data

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "string", "format": "date"},
            "description": "各环节（及 completed）的实际进入日期",
        }
    )
    def get_step_dates(self, obj) -> dict:
        return {state: day.isoformat() for state, day in selectors.step_dates(obj).items()}


class RefusalSerializer(ScopedSerializer):
    detail = serializers.CharField(help_text="拒绝的中文原因")
    code = serializers.CharField(help_text="guard：条件未满足；conflict：议题已被他人处理")
    matter = MatterDetailSerializer(help_text="议题现在的状态")


REFUSED = {
    409: OpenApiResponse(
        response=RefusalSerializer,
        description="推进或退回被拒绝：条件未满足，或议题已被他人处理（detail 为中文原因）",
    )
}


class MatterFilter(ScopedChoicesMixin, filters.FilterSet):
    step = filters.ChoiceFilter(choices=Step.choices)
    status = filters.ChoiceFilter(choices=MatterStatus.choices)
    unit = IdFilter(method="filter_unit", label=_("承办单位"))
    stalled = filters.BooleanFilter(method="filter_stalled", label=_("滞留（久未推进或已超期）"))

    class Meta:
        model = Matter
        fields = ["town", "year", "step", "status", "is_annual_topic", "unit", "stalled"]

    def filter_unit(self, qs, name, value):
        return qs.filter(pk__in=MatterUnit.objects.filter(unit_id=value).values("matter_id"))

    def filter_stalled(self, qs, name, value):
        stalled = selectors.stalled_matters().values("pk")
        return qs.filter(pk__in=stalled) if value else qs.exclude(pk__in=stalled)


class StateInputSerializer(ScopedSerializer):
    expected_state = StateField(
        choices=[*STEPS, COMPLETED_STATE],
        required=False,
        help_text="客户端看到的议题当前环节（已办结为 completed）；与实际不一致时答 409，"
        "避免重复提交把议题连推两步",
    )


MOVE_DATE_HELP = (
    "推进的实际日期（补录往年议题时填写），如 2025-03-04；不填为今天。不能晚于今天，"
    "也不能早于议题进入当前环节的日期；环节条件按这一天检查（如交办日期、已召开的会议）"
)


class AdvanceSerializer(StateInputSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")
    on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=MOVE_DATE_HELP
    )
    registration_no = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=40,
        help_text="立案时可填的立案编号（补录往年议题时的原编号）；不填则自动编号",
    )


class SendBackSerializer(StateInputSerializer):
    reason = serializers.CharField()
    on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="退回的实际日期，不填为今天"
    )


class AssignmentSerializer(ScopedSerializer):
    lead_unit = VisibleUnitField(queryset=HandlingUnit.objects.all())
    assisting_units = VisibleUnitField(
        many=True, queryset=HandlingUnit.objects.all(), required=False
    )
    task = serializers.CharField(required=False, allow_blank=True, default="")
    deadline = serializers.DateField()
    assigned_on = serializers.DateField(required=False, allow_null=True, default=None)


class OutcomeSerializer(ScopedSerializer):
    solved = serializers.BooleanField(required=False, allow_null=True)
    result_summary = serializers.CharField(required=False, allow_blank=True)


class ProgressSerializer(ScopedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    written_by_name = serializers.SerializerMethodField()

    class Meta:
        model = UnitProgress
        fields = ["id", "matter", "unit", "unit_name", "body", "written_by_name", "written_at"]
        read_only_fields = ["matter", "unit", "written_at"]

    @extend_schema_field(OpenApiTypes.STR)
    def get_written_by_name(self, obj) -> str | None:
        return str(obj.written_by) if obj.written_by_id else None


class TransitionSerializer(ScopedModelSerializer):
    from_display = serializers.SerializerMethodField()
    to_display = serializers.SerializerMethodField()
    by_name = serializers.SerializerMethodField()

    class Meta:
        model = Transition
        fields = [
            "id",
            "field",
            "from_state",
            "from_display",
            "to_state",
            "to_display",
            "by",
            "by_name",
            "at",
            "note",
        ]

    @staticmethod
    def _label(obj, value: str) -> str:
        choices = Step if obj.field == "step" else MatterStatus
        return str(choices(value).label) if value in choices.values else value

    def get_from_display(self, obj) -> str:
        return self._label(obj, obj.from_state)

    def get_to_display(self, obj) -> str:
        return self._label(obj, obj.to_state)

    @extend_schema_field(OpenApiTypes.STR)
    def get_by_name(self, obj) -> str | None:
        return str(obj.by) if obj.by_id else None


class ScopedDetailMixin:
    """Who may change a matter or a meeting depends on its town (and progress on its units), so
    detail requests only need a login here and are checked after the lookup: a record outside
    the person's scope answers 404 before any 403."""

    def get_permissions(self):
        if self.detail:
            return [permissions.IsAuthenticated()]
        return super().get_permissions()


@extend_schema_view(
    list=extend_schema(
        summary="协商议题列表（不含 blockers，详情中给出）",
        description="按镇街、年度、环节、状态、年度议题、承办单位、是否滞留筛选；按议题名称搜索。",
    ),
    retrieve=extend_schema(
        summary="协商议题详情（含下一步及其未满足的条件）",
        responses={200: MatterDetailSerializer, **ERRORS},
    ),
    create=extend_schema(
        summary="新建协商议题（委员提案环节）",
        request=MatterSerializer,
        responses={201: MatterDetailSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="修改议题内容（环节、交办、成效另有接口）",
        request=MatterSerializer,
        responses={200: MatterDetailSerializer, **ERRORS},
    ),
)
class MatterViewSet(SoftDeleteDestroyMixin, ScopedDetailMixin, viewsets.ReadOnlyModelViewSet):
    filterset_class = MatterFilter
    search_fields = ["title"]
    ordering_fields = ["year", "step_entered_at", "deadline", "id"]
    town_clerks_may_write = True

    def get_queryset(self):
        matters = Matter.objects.visible_to(self.request.user)
        if self.action != "list":
            # Only the detail shows the projects: a list would fetch them for nothing.
            matters = matters.prefetch_related("projects")
        return (
            matters.with_project_counts()
            .select_related("town", "proposal", "registered_by")
            .prefetch_related(
                Prefetch("proposers", queryset=Member.objects.order_by("name_pinyin", "pk")),
                # The lead unit first ("lead" sorts after "assisting").
                Prefetch(
                    "unit_assignments",
                    queryset=MatterUnit.objects.select_related("unit").order_by(
                        "-role", "unit__name"
                    ),
                ),
            )
            .order_by("-year", "town__order", "id")
        )

    def get_serializer_class(self):
        return MatterSerializer if self.action == "list" else MatterDetailSerializer

    def _detail(self, pk: int) -> dict:
        return MatterDetailSerializer(
            self.get_queryset().get(pk=pk), context=self.get_serializer_context()
        ).data

    def _require_manager(self, matter: Matter) -> None:
        if not selectors.can_manage_matter(self.request.user, matter):
            raise exceptions.PermissionDenied()

    def create(self, request, *args, **kwargs):
        payload = MatterSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        town = data.pop("town")
        proposers = data.pop("proposers", [])
        matter = services.create_matter(town, data, proposers, by=request.user)
        return Response(self._detail(matter.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        matter = self.get_object()
        self._require_manager(matter)
        payload = MatterSerializer(
            matter, data=request.data, partial=True, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if "town" in data and data.pop("town").pk != matter.town_id:
            raise serializers.ValidationError({"town": [_("议题的镇街不能修改。")]})
        if "year" in data and data.pop("year") != matter.year:
            raise serializers.ValidationError({"year": [_("议题的年度不能修改。")]})
        proposers = data.pop("proposers", None)
        services.update_matter(
            matter, data, proposers, by=request.user, version=data.pop("version")
        )
        return Response(self._detail(matter.pk))

    # --- step moves ---

    def _refused(self, pk: int, exc: WorkflowError) -> Response:
        return Response(
            {"detail": exc.message, "code": exc.code, "matter": self._detail(pk)},
            status=status.HTTP_409_CONFLICT,
        )

    def _move(self, request, move, payload_class):
        matter = self.get_object()
        self._require_manager(matter)
        payload = payload_class(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        expected = data.pop("expected_state", None)
        if expected:
            workflow.as_seen(matter, expected)
        try:
            move(matter, by=request.user, **data)
        except ConflictError as exc:
            return self._refused(matter.pk, exc)
        except WorkflowError as exc:
            if exc.code != "guard":
                raise
            return self._refused(matter.pk, exc)
        return Response(self._detail(matter.pk))

    @extend_schema(
        summary="推进到下一环节（总结协商之后为办结）",
        description="只能向前一步，且须满足所离开环节的条件；不满足或议题已被他人处理时答 409。"
        '补录往年议题时给出实际日期 on（如 {"on": "2025-03-04"}）：条件按这一天检查，'
        "并记为议题进入下一环节的日期；日期在将来或早于进入当前环节的日期时答 400。",
        request=AdvanceSerializer,
        responses={200: MatterDetailSerializer, **ERRORS, **REFUSED},
    )
    @action(detail=True, methods=["post"])
    def advance(self, request, pk=None):
        return self._move(request, workflow.matter_advance, AdvanceSerializer)

    @extend_schema(
        summary="退回上一环节（须填写原因；已办结的议题退回到总结协商）",
        request=SendBackSerializer,
        responses={200: MatterDetailSerializer, **ERRORS, **REFUSED},
    )
    @action(detail=True, methods=["post"], url_path="send-back")
    def send_back(self, request, pk=None):
        return self._move(request, workflow.matter_send_back, SendBackSerializer)

    # --- step records ---

    @extend_schema(
        summary="登记政府交办：牵头单位、协办单位、交办任务、办理期限",
        request=AssignmentSerializer,
        responses={200: MatterDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def assignment(self, request, pk=None):
        matter = self.get_object()
        self._require_manager(matter)
        payload = AssignmentSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        services.set_assignment(matter, **payload.validated_data, by=request.user)
        return Response(self._detail(matter.pk))

    @extend_schema(
        summary="填写办理成效（督办协商起）：是否解决、成效（资金、受益人数为民生实事合计）",
        request=OutcomeSerializer,
        responses={200: MatterDetailSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        matter = self.get_object()
        self._require_manager(matter)
        payload = OutcomeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.set_outcome(matter, payload.validated_data, by=request.user)
        return Response(self._detail(matter.pk))

    @extend_schema(
        methods=["GET"],
        summary="承办单位报送的办理进展",
        request=None,
        responses={200: ProgressSerializer(many=True), **ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="报送办理进展（交办给本单位的议题，承办单位账号）",
        request=ProgressSerializer,
        responses={201: ProgressSerializer, **ERRORS},
    )
    @action(detail=True, methods=["get", "post"], filter_backends=[], pagination_class=None)
    def progress(self, request, pk=None):
        matter = self.get_object()
        if request.method == "GET":
            rows = (
                UnitProgress.objects.visible_to(request.user)
                .filter(matter=matter)
                .select_related("unit", "written_by")
            )
            return Response(ProgressSerializer(rows, many=True).data)
        if not selectors.can_report_progress(request.user, matter):
            raise exceptions.PermissionDenied()
        payload = ProgressSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        progress = services.record_progress(matter, payload.validated_data["body"], by=request.user)
        return Response(ProgressSerializer(progress).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="环节变更记录（从、到、操作人、时间、说明）",
        request=None,
        responses={200: TransitionSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=None)
    def history(self, request, pk=None):
        matter = self.get_object()
        return Response(TransitionSerializer(selectors.matter_moves(matter), many=True).data)


# --- meetings --------------------------------------------------------------------------------


class MeetingAttendanceSerializer(ScopedModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    status = AttendanceStatusField(choices=Attendance.choices, read_only=True)

    class Meta:
        model = MeetingAttendance
        fields = ["member", "member_name", "status"]


# Written directly, as the activities' rows (cppcc.api_schema.prefetched_rows).
MeetingAttendanceRows = prefetched_rows(MeetingAttendanceSerializer, attendance_row)


class FollowUpTaskSerializer(ScopedModelSerializer):
    unit = VisibleUnitField(queryset=HandlingUnit.objects.all(), allow_null=True, required=False)
    unit_name = serializers.CharField(source="unit.name", read_only=True, default=None)

    class Meta:
        model = FollowUpTask
        fields = ["id", "description", "unit", "unit_name", "owner", "due_on", "done_on"]
        read_only_fields = ["done_on"]


class MeetingSerializer(VersionSerializerMixin, ScopedModelSerializer):
    town = VisibleTownField(queryset=Town.objects.all(), required=False)
    town_name = serializers.CharField(source="town.name", read_only=True)
    matter = VisibleMatterField(queryset=Matter.objects.all(), allow_null=True, required=False)
    matter_title = serializers.CharField(source="matter.title", read_only=True, default=None)
    kind = MeetingKindField(choices=MeetingKind.choices)
    kind_display = DisplayField(source="get_kind_display", read_only=True)
    units = VisibleUnitField(many=True, queryset=HandlingUnit.objects.all(), required=False)
    unit_names = serializers.SerializerMethodField()
    present_count = serializers.IntegerField(read_only=True)
    leave_count = serializers.IntegerField(read_only=True)
    absent_count = serializers.IntegerField(read_only=True)
    attendance = MeetingAttendanceRows(source="attendances")
    attendance_input = AttendanceInputSerializer(many=True, write_only=True, required=False)
    tasks = FollowUpTaskSerializer(many=True, required=False)

    class Meta:
        model = ConsultationMeeting
        fields = [
            "id",
            "version",
            "town",
            "town_name",
            "matter",
            "matter_title",
            "kind",
            "kind_display",
            "topic",
            "date",
            "place",
            "units",
            "unit_names",
            "officials_count",
            "residents_count",
            "agreed",
            "present_count",
            "leave_count",
            "absent_count",
            "attendance",
            "attendance_input",
            "tasks",
        ]

    def get_unit_names(self, obj) -> list[str]:
        return [u.name for u in obj.units.all()]


class MeetingFilter(ScopedChoicesMixin, filters.FilterSet):
    kind = filters.ChoiceFilter(choices=MeetingKind.choices)
    year = YearFilter(field_name="date", lookup_expr="year")
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")

    class Meta:
        model = ConsultationMeeting
        fields = ["town", "matter", "kind", "year", "date_from", "date_to"]


@extend_schema_view(
    list=extend_schema(summary="协商会议列表（含出勤统计、参加单位、后续任务）"),
    retrieve=extend_schema(summary="协商会议详情", responses={200: MeetingSerializer, **ERRORS}),
    create=extend_schema(
        summary="录入协商会议及出勤、参加单位、后续任务",
        description="议题的环节会议（议前、现场、督办、总结协商）给出 matter，且不能超前于议题"
        "当前环节；协商工作例会、小微协商给出 town。",
        responses={201: MeetingSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="修改协商会议（给出出勤则整体替换；tasks 为新增的后续任务）",
        responses={200: MeetingSerializer, **ERRORS},
    ),
)
class MeetingViewSet(
    SoftDeleteDestroyMixin, PageCountsMixin, ScopedDetailMixin, viewsets.ReadOnlyModelViewSet
):
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter
    pagination_class = NestedListPagination
    search_fields = ["topic", "place", "matter__title"]
    ordering_fields = ["date"]
    town_clerks_may_write = True

    def get_queryset(self):
        return (
            ConsultationMeeting.objects.visible_to(self.request.user)
            .select_related("town", "matter")
            .prefetch_related(
                Prefetch("units", queryset=HandlingUnit.objects.order_by("name")),
                Prefetch(
                    "attendances",
                    # Of the member only the name is answered: their other thirty columns
                    # made up most of the time spent building these rows.
                    queryset=MeetingAttendance.objects.select_related("member")
                    .only("meeting_id", "member_id", "status", "member__name")
                    .order_by("status", "member__name_pinyin", "member_id"),
                ),
                Prefetch("tasks", queryset=FollowUpTask.objects.select_related("unit")),
            )
            .order_by("-date", "-id")
        )

    def counted(self, rows):
        # The answer carries each meeting's attendance rows (prefetched): counted from them.
        return attach_prefetched_attendance_counts(rows)

    def _respond(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        meeting = self.get_one(pk)
        return Response(self.get_serializer(meeting).data, status=code)

    def create(self, request, *args, **kwargs):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        matter = data.pop("matter", None)
        town = data.pop("town", None)
        if matter is not None and town is not None and town.pk != matter.town_id:
            raise serializers.ValidationError({"town": [_("会议的镇街须与议题所属镇街一致。")]})
        attendance = attendance_marks(data.pop("attendance_input", []))
        units = data.pop("units", [])
        tasks = data.pop("tasks", [])
        meeting = services.record_meeting(
            data,
            matter=matter,
            town=town,
            attendance=attendance,
            units=units,
            tasks=tasks,
            by=request.user,
        )
        return self._respond(meeting.pk, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        meeting = self.get_object()
        if not can_edit_town_records(request.user, meeting.town_id):
            raise exceptions.PermissionDenied()
        payload = self.get_serializer(meeting, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        # What a meeting is (its kind, town and matter) stays: the matter's guards counted it.
        fixed = {"kind": meeting.kind, "town": meeting.town_id, "matter": meeting.matter_id}
        for name, current in fixed.items():
            if name in data and getattr(data[name], "pk", data[name]) != current:
                raise serializers.ValidationError(
                    {name: [_("会议的类型、镇街和所属议题不能修改。")]}
                )
            data.pop(name, None)
        attendance = (
            attendance_marks(data.pop("attendance_input")) if "attendance_input" in data else None
        )
        units = data.pop("units", None)
        new_tasks = data.pop("tasks", [])
        services.update_meeting(
            meeting,
            data,
            attendance=attendance,
            units=units,
            new_tasks=new_tasks,
            by=request.user,
            version=data.pop("version"),
        )
        return self._respond(meeting.pk)


# --- livelihood projects (民生实事) ------------------------------------------------------------


class LivelihoodProjectFilter(ScopedChoicesMixin, filters.FilterSet):
    year = YearFilter(field_name="matter__year", label=_("议题年度"))
    town = IdFilter(field_name="matter__town", label=_("镇街"))
    recorded_year = YearFilter(field_name="recorded_on", lookup_expr="year", label=_("录入年度"))

    class Meta:
        model = LivelihoodProject
        fields = ["matter", "done", "year", "town", "recorded_year"]


@extend_schema_view(
    list=extend_schema(summary="民生实事列表（按议题、是否办成、年度、镇街筛选）"),
    retrieve=extend_schema(
        summary="民生实事详情", responses={200: LivelihoodProjectSerializer, **ERRORS}
    ),
    create=extend_schema(
        summary="录入议题的民生实事（议题进入督办协商后）",
        description="议题尚未进入督办协商、已办成而未填办成日期、日期在将来或早于立案日期、"
        "资金为负数时答 400（detail 为中文原因）。",
        responses={201: LivelihoodProjectSerializer, **ERRORS},
    ),
    partial_update=extend_schema(
        summary="修改民生实事", responses={200: LivelihoodProjectSerializer, **ERRORS}
    ),
    destroy=extend_schema(
        summary="删除民生实事（已办结的议题须至少保留一项）", responses={204: None, **ERRORS}
    ),
)
class LivelihoodProjectViewSet(ScopedDetailMixin, viewsets.ModelViewSet):
    """A matter's 民生实事: seen by whoever sees the matter; written through
    consultations.services by whoever manages it (selectors.can_manage_matter)."""

    serializer_class = LivelihoodProjectSerializer
    filterset_class = LivelihoodProjectFilter
    search_fields = ["title", "matter__title"]
    ordering_fields = ["recorded_on", "done_on", "funds_wan", "beneficiaries", "id"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    town_clerks_may_write = True

    def get_queryset(self):
        return (
            LivelihoodProject.objects.visible_to(self.request.user)
            .select_related("matter")
            .order_by("matter_id", "recorded_on", "id")
        )

    def _check_manager(self, matter: Matter) -> None:
        if not selectors.can_manage_matter(self.request.user, matter):
            raise exceptions.PermissionDenied()

    def create(self, request, *args, **kwargs):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        matter = data.pop("matter")
        self._check_manager(matter)
        project = services.add_project(matter, data, by=request.user)
        return Response(self.get_serializer(project).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        project = self.get_object()
        self._check_manager(project.matter)
        payload = self.get_serializer(project, data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        if "matter" in data and data.pop("matter").pk != project.matter_id:
            raise serializers.ValidationError({"matter": [_("民生实事所属议题不能修改。")]})
        project = services.update_project(project, data, by=request.user)
        return Response(self.get_serializer(project).data)

    def destroy(self, request, *args, **kwargs):
        project = self.get_object()
        self._check_manager(project.matter)
        services.delete_project(project, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


routes = [
    ("matters", MatterViewSet, "matter"),
    ("meetings", MeetingViewSet, "meeting"),
    ("livelihood-projects", LivelihoodProjectViewSet, "livelihood-project"),
]
