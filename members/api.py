"""The register's API: /api/v1/members/, terms/, sectors/, special-committees/.

Scoping as on the pages (get_queryset starts from Member.objects.visible_to); sensitive values
are masked in every list and detail answer, as on the detail page, and the full values come only
from the audited `sensitive` action for holders of the register right.
"""

import django_filters
from django.db.models import ProtectedError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from cppcc.api_delete import SoftDeleteDestroyMixin
from cppcc.api_schema import CONFLICT, ERRORS, enum_field
from cppcc.roles import Role, has_role
from cppcc.scoping import ScopedChoicesMixin, ScopedModelSerializer, ScopedSerializer
from cppcc.versioning import VersionSerializerMixin
from cppcc.workflow import ConflictError

from . import selectors, services, workflow
from .filters import MemberFilter, SessionFilter
from .masking import mask_id_number, mask_mobile, sensitive_values
from .models import (
    AttendanceStatus,
    CommitteeSession,
    LeaveRequest,
    LeaveStatus,
    Member,
    Sector,
    SessionAttendance,
    SessionAudience,
    SessionKind,
    SpecialCommittee,
    Term,
)
from .selectors import can_manage_sessions, can_view_sensitive
from .validators import normalize_id_number, normalize_mobile

# --- serializers -------------------------------------------------------------------------------


class TermSerializer(ScopedModelSerializer):
    class Meta:
        model = Term
        fields = ["id", "name", "start_year", "end_year", "is_current"]

    def validate(self, attrs):
        start = attrs.get("start_year", getattr(self.instance, "start_year", None))
        end = attrs.get("end_year", getattr(self.instance, "end_year", None))
        if start and end and end < start:
            raise serializers.ValidationError({"end_year": _("截止年份不能早于起始年份。")})
        if attrs.get("is_current"):
            others = Term.objects.filter(is_current=True)
            if self.instance:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                raise serializers.ValidationError(
                    {"is_current": _("已有本届届次，请先取消原本届标记。")}
                )
        return attrs


class SectorSerializer(ScopedModelSerializer):
    class Meta:
        model = Sector
        fields = ["id", "name", "order", "is_active"]


class SpecialCommitteeSerializer(ScopedModelSerializer):
    class Meta:
        model = SpecialCommittee
        fields = ["id", "name", "short_name", "order", "is_active"]


class MemberSerializer(VersionSerializerMixin, ScopedModelSerializer):
    """Writes take the full ID number, mobile and birth date; reads show only the masked forms."""

    id_number = serializers.CharField(
        write_only=True, required=False, allow_blank=True, max_length=18
    )
    mobile = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=20)
    birth_date = serializers.DateField(write_only=True, required=False, allow_null=True)
    id_number_masked = serializers.SerializerMethodField(help_text=_("身份证号（脱敏）"))
    mobile_masked = serializers.SerializerMethodField(help_text=_("手机号码（脱敏）"))
    birth_year = serializers.SerializerMethodField(help_text=_("出生年份"))
    sector_name = serializers.CharField(source="sector.name", read_only=True)
    special_committee_name = serializers.CharField(
        source="special_committee.name", read_only=True, default=None, allow_null=True
    )
    terms = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Term.objects.all(), required=False
    )

    class Meta:
        model = Member
        fields = [
            "id",
            "name",
            "name_pinyin",
            "name_initials",
            "gender",
            "ethnicity",
            "birth_date",
            "birth_year",
            "id_number",
            "id_number_masked",
            "mobile",
            "mobile_masked",
            "employer",
            "job_title",
            "expertise",
            "sector",
            "sector_name",
            "party",
            "special_committee",
            "special_committee_name",
            "post",
            "level",
            "terms",
            "wishes",
            "status",
            "left_on",
            "left_reason",
            "updated_at",
            "version",
        ]
        read_only_fields = [
            "name_pinyin",
            "name_initials",
            "status",
            "left_on",
            "left_reason",
            "updated_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_id_number_masked(self, obj) -> str:
        return mask_id_number(obj.id_number)

    @extend_schema_field(OpenApiTypes.STR)
    def get_mobile_masked(self, obj) -> str:
        return mask_mobile(obj.mobile)

    @extend_schema_field(OpenApiTypes.INT)
    def get_birth_year(self, obj) -> int | None:
        return obj.birth_date.year if obj.birth_date else None

    def validate_id_number(self, value):
        from django.core.exceptions import ValidationError

        from .validators import validate_id_number

        value = normalize_id_number(value)
        try:
            validate_id_number(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        if self.instance is None or self.instance.status == "active":
            try:
                services.check_id_number_free(value, getattr(self.instance, "pk", None))
            except ValidationError as exc:
                raise serializers.ValidationError(exc.message_dict["id_number"]) from exc
        return value

    def validate_mobile(self, value):
        from django.core.exceptions import ValidationError

        from .validators import validate_mobile

        value = normalize_mobile(value)
        try:
            validate_mobile(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc
        return value

    def validate(self, attrs):
        # Required as in the member form and the import template: a new member needs one, and
        # an update may leave it out but not blank it.
        if ("id_number" in attrs or self.instance is None) and not attrs.get("id_number"):
            raise serializers.ValidationError({"id_number": _("请填写身份证号。")})
        id_number = attrs.get("id_number", getattr(self.instance, "id_number", ""))
        birth = attrs.get("birth_date", getattr(self.instance, "birth_date", None))
        if id_number and birth and birth.strftime("%Y%m%d") != id_number[6:14]:
            raise serializers.ValidationError(
                {"birth_date": _("出生日期与身份证号中的出生日期不一致。")}
            )
        return attrs

    def create(self, validated_data):
        terms = validated_data.pop("terms", None)
        validated_data.pop("version", None)
        return services.create_member(
            by=self.context["request"].user, terms=terms, **validated_data
        )

    def update(self, instance, validated_data):
        terms = validated_data.pop("terms", None)
        return services.update_member(
            instance,
            by=self.context["request"].user,
            terms=terms,
            version=validated_data.pop("version"),
            **validated_data,
        )


class MemberSensitiveSerializer(ScopedSerializer):
    id_number = serializers.CharField()
    mobile = serializers.CharField()
    birth_date = serializers.CharField(help_text="YYYY-MM-DD")


class LeaveSerializer(ScopedSerializer):
    left_on = serializers.DateField(label=_("退出日期"))
    left_reason = serializers.CharField(label=_("退出原因"), max_length=200)


# --- filters -----------------------------------------------------------------------------------


class TermFilter(ScopedChoicesMixin, django_filters.FilterSet):
    class Meta:
        model = Term
        fields = ["is_current"]


class SectorFilter(ScopedChoicesMixin, django_filters.FilterSet):
    class Meta:
        model = Sector
        fields = ["is_active"]


class SpecialCommitteeFilter(ScopedChoicesMixin, django_filters.FilterSet):
    class Meta:
        model = SpecialCommittee
        fields = ["is_active"]


# --- viewsets ----------------------------------------------------------------------------------


class ProtectedDeleteMixin:
    """A table row still referenced (a sector with members …) answers 400 in Chinese, not 500."""

    def perform_destroy(self, instance):
        try:
            instance.delete()
        except ProtectedError as exc:
            raise serializers.ValidationError(
                {"detail": _("该记录仍被委员引用，不能删除；可改为停用。")}
            ) from exc


class TermViewSet(ProtectedDeleteMixin, viewsets.ModelViewSet):
    queryset = Term.objects.all()
    serializer_class = TermSerializer
    filterset_class = TermFilter
    search_fields = ["name"]
    ordering_fields = ["start_year", "name"]


class SectorViewSet(ProtectedDeleteMixin, viewsets.ModelViewSet):
    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    filterset_class = SectorFilter
    search_fields = ["name"]
    ordering_fields = ["order", "name"]


class SpecialCommitteeViewSet(ProtectedDeleteMixin, viewsets.ModelViewSet):
    queryset = SpecialCommittee.objects.all()
    serializer_class = SpecialCommitteeSerializer
    filterset_class = SpecialCommitteeFilter
    search_fields = ["name", "short_name"]
    ordering_fields = ["order", "name"]


@extend_schema_view(
    list=extend_schema(summary="委员列表"),
    retrieve=extend_schema(summary="委员详情"),
    create=extend_schema(summary="添加委员"),
    update=extend_schema(summary="修改委员"),
    partial_update=extend_schema(summary="修改委员（部分）"),
)
class MemberViewSet(SoftDeleteDestroyMixin, viewsets.ModelViewSet):
    """A member who leaves is kept (workflow: leave); DELETE is for a record entered in error
    and moves it to the 回收站, from where the office can restore it."""

    serializer_class = MemberSerializer
    filterset_class = MemberFilter
    search_fields = ["name", "name_pinyin", "name_initials"]
    ordering_fields = ["name_pinyin", "updated_at"]
    ordering = ["name_pinyin", "id"]
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (
            Member.objects.visible_to(self.request.user)
            .select_related("sector", "special_committee")
            .prefetch_related("terms")
        )

    @extend_schema(
        summary="查看完整敏感信息（记录查看日志）",
        description="每次调用记一条查看日志，所以用 POST（GET 答 405）；请求体为空。",
        request=None,
        responses={200: MemberSensitiveSerializer, 403: OpenApiResponse(description="无权查看")},
    )
    # POST: every call writes an audit row, and a GET must change nothing (prefetchers, caches
    # and crawlers repeat GETs freely).
    @action(detail=True, methods=["post"])
    def sensitive(self, request, pk=None):
        member = self.get_object()
        if not can_view_sensitive(request.user):
            raise PermissionDenied("您没有查看委员敏感信息的权限。")
        services.record_sensitive_access([member], user=request.user, request=request)
        response = Response(MemberSensitiveSerializer(sensitive_values(member, reveal=True)).data)
        response["Cache-Control"] = "no-store"
        return response

    @extend_schema(
        summary="办理退出",
        request=LeaveSerializer,
        responses={
            200: MemberSerializer,
            400: OpenApiResponse(description="校验失败"),
            409: OpenApiResponse(description="状态已变化"),
        },
    )
    @action(detail=True, methods=["post"])
    def leave(self, request, pk=None):
        member = self.get_object()
        data = LeaveSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        workflow.member_leave(
            member,
            on=data.validated_data["left_on"],
            reason=data.validated_data["left_reason"],
            by=request.user,
        )
        return Response(self.get_serializer(member).data, status=status.HTTP_200_OK)

    @extend_schema(
        summary="恢复在任",
        request=None,
        responses={
            200: MemberSerializer,
            400: OpenApiResponse(description="校验失败"),
            409: OpenApiResponse(description="状态已变化"),
        },
    )
    @action(detail=True, methods=["post"], url_path="return")
    def return_(self, request, pk=None):
        member = self.get_object()
        workflow.member_return(member, by=request.user)
        return Response(self.get_serializer(member).data)


# --- sessions (会议), their attendance and leave requests --------------------------------------

SessionKindField = enum_field(SessionKind.choices, "CommitteeSessionKindEnum")
SessionAudienceField = enum_field(SessionAudience.choices, "CommitteeSessionAudienceEnum")
SessionAttendanceStatusField = enum_field(
    AttendanceStatus.choices, "CommitteeSessionAttendanceStatusEnum"
)
LeaveStatusField = enum_field(LeaveStatus.choices, "SessionLeaveStatusEnum")


class SessionAttendanceSerializer(ScopedModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    status = SessionAttendanceStatusField(choices=AttendanceStatus.choices, read_only=True)

    class Meta:
        model = SessionAttendance
        fields = ["member", "member_name", "status", "leave_reason"]


class SessionAttendanceInputSerializer(ScopedSerializer):
    member = serializers.IntegerField()
    status = SessionAttendanceStatusField(
        choices=AttendanceStatus.choices, default=AttendanceStatus.PRESENT
    )
    leave_reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class SessionAttendanceWriteSerializer(ScopedSerializer):
    attendance = SessionAttendanceInputSerializer(
        many=True, help_text="整体替换：未列出的委员的出勤记录将被删除"
    )

    def validate_attendance(self, rows):
        seen = set()
        for row in rows:
            if row["member"] in seen:
                raise serializers.ValidationError(_("同一委员只能登记一次出勤。"))
            seen.add(row["member"])
        return rows


class CommitteeSessionSerializer(ScopedModelSerializer):
    """A session with its attendance figures (counted in the list's own query)."""

    term_name = serializers.CharField(source="term.name", read_only=True)
    kind = SessionKindField(choices=SessionKind.choices)
    audience = SessionAudienceField(choices=SessionAudience.choices, required=False)
    expected_count = serializers.IntegerField(read_only=True, help_text="应出席人数")
    present_count = serializers.IntegerField(read_only=True)
    leave_count = serializers.IntegerField(read_only=True)
    absent_count = serializers.IntegerField(read_only=True)
    pending_leave_count = serializers.IntegerField(read_only=True, help_text="待审批请假")

    class Meta:
        model = CommitteeSession
        fields = [
            "id",
            "term",
            "term_name",
            "kind",
            "name",
            "ordinal",
            "starts_on",
            "ends_on",
            "place",
            "audience",
            "proposals_open_on",
            "proposals_close_on",
            "expected_count",
            "present_count",
            "leave_count",
            "absent_count",
            "pending_leave_count",
        ]
        # services.check_session gives the Chinese field messages (validate below).
        validators = []

    def validate(self, attrs):
        # The session as it would be stored, checked by the same rules as the form.
        session = CommitteeSession(pk=getattr(self.instance, "pk", None))
        for name in services.SESSION_FIELDS:
            if name in attrs:
                value = attrs[name]
            elif self.instance is not None:
                value = getattr(self.instance, name)
            else:
                value = CommitteeSession._meta.get_field(name).get_default()
            setattr(session, name, value)
        services.check_session(session)
        return attrs

    def create(self, validated_data):
        session = CommitteeSession(**validated_data)
        return services.save_session(session, by=self.context["request"].user)

    def update(self, instance, validated_data):
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return services.save_session(instance, by=self.context["request"].user)


@extend_schema_view(
    list=extend_schema(summary="会议列表（含应到、出席、请假、缺席人数）"),
    retrieve=extend_schema(
        summary="会议详情", responses={200: CommitteeSessionSerializer, **ERRORS}
    ),
    create=extend_schema(summary="添加会议", responses={201: CommitteeSessionSerializer, **ERRORS}),
    update=extend_schema(summary="修改会议", responses={200: CommitteeSessionSerializer, **ERRORS}),
    partial_update=extend_schema(
        summary="修改会议（部分）", responses={200: CommitteeSessionSerializer, **ERRORS}
    ),
)
class CommitteeSessionViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """Sessions as on the pages: office, admin and leaders see all, a member the sessions of
    their terms, anyone else none. Writes (the default permission): admin and office."""

    serializer_class = CommitteeSessionSerializer
    filterset_class = SessionFilter
    search_fields = ["name", "place"]
    ordering_fields = ["starts_on", "ordinal"]
    ordering = ["-starts_on", "kind", "-ordinal"]

    def get_queryset(self):
        return selectors.with_attendance_counts(
            CommitteeSession.objects.visible_to(self.request.user).select_related("term")
        )

    @extend_schema(
        methods=["GET"],
        summary="会议出勤（委员只看到本人的记录）",
        request=None,
        responses={200: SessionAttendanceSerializer(many=True), **ERRORS},
    )
    @extend_schema(
        methods=["POST"],
        summary="登记会议出勤（整体替换；已批准请假的委员缺省带出请假事由）",
        request=SessionAttendanceWriteSerializer,
        responses={200: SessionAttendanceSerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get", "post"])
    def attendance(self, request, pk=None):
        session = self.get_object()
        if request.method == "POST":
            payload = SessionAttendanceWriteSerializer(
                data=request.data, context=self.get_serializer_context()
            )
            payload.is_valid(raise_exception=True)
            rows = payload.validated_data["attendance"]
            services.save_session_attendance(
                session,
                {row["member"]: row["status"] for row in rows},
                reasons={row["member"]: row.get("leave_reason", "") for row in rows},
                by=request.user,
            )
        qs = (
            SessionAttendance.objects.visible_to(request.user)
            .filter(session=session)
            .select_related("member")
            .order_by("member__name_pinyin", "member_id")
        )
        return Response(SessionAttendanceSerializer(qs, many=True).data)


class VisibleSessionField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return CommitteeSession.objects.visible_to(self.context["request"].user)


class SessionLeaveRequestSerializer(ScopedModelSerializer):
    session = VisibleSessionField()
    session_name = serializers.CharField(source="session.name", read_only=True)
    member_name = serializers.CharField(source="member.name", read_only=True)
    status = LeaveStatusField(choices=LeaveStatus.choices, read_only=True)
    decided_by_name = serializers.CharField(
        source="decided_by.display_name", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = LeaveRequest
        fields = [
            "id",
            "session",
            "session_name",
            "member",
            "member_name",
            "reason",
            "status",
            "filed_at",
            "decided_by_name",
            "decided_at",
            "decision_note",
        ]
        read_only_fields = ["member", "filed_at", "decided_at", "decision_note"]


class SessionLeaveDecisionSerializer(ScopedSerializer):
    note = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="审批意见（不批准时必填）"
    )


class SessionLeaveRefusalSerializer(ScopedSerializer):
    detail = serializers.CharField(help_text="拒绝的中文原因")
    code = serializers.CharField(help_text="conflict：该申请已被他人审批")
    leave_request = SessionLeaveRequestSerializer(help_text="申请现在的状态")


LEAVE_REFUSED = {
    409: OpenApiResponse(
        response=SessionLeaveRefusalSerializer, description="该申请已被审批（detail 为中文原因）"
    )
}


class LeaveRequestPermission(permissions.IsAuthenticated):
    """Members file their own requests; admin and office decide; everyone else reads what
    their scope shows (leaders all, others nothing)."""

    message = _("您没有执行该操作的权限。")

    def has_permission(self, request, view):
        if not super().has_permission(request, view):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        if view.action == "create":
            return has_role(request.user, Role.MEMBER) and request.user.member_id is not None
        return can_manage_sessions(request.user)


class LeaveRequestFilter(ScopedChoicesMixin, django_filters.FilterSet):
    class Meta:
        model = LeaveRequest
        fields = ["session", "status", "member"]


@extend_schema_view(
    list=extend_schema(summary="会议请假申请（委员只看到本人的）"),
    retrieve=extend_schema(
        summary="请假申请详情", responses={200: SessionLeaveRequestSerializer, **ERRORS}
    ),
    create=extend_schema(
        summary="委员提交请假申请（会议开始前）",
        responses={201: SessionLeaveRequestSerializer, **ERRORS, **CONFLICT},
    ),
)
class LeaveRequestViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = SessionLeaveRequestSerializer
    permission_classes = [LeaveRequestPermission]
    filterset_class = LeaveRequestFilter
    ordering_fields = ["filed_at"]
    ordering = ["-filed_at", "-id"]

    def get_queryset(self):
        return LeaveRequest.objects.visible_to(self.request.user).select_related(
            "session", "member", "decided_by"
        )

    def perform_create(self, serializer):
        member = Member.objects.get(pk=self.request.user.member_id)
        serializer.instance = workflow.leave_request_file(
            serializer.validated_data["session"],
            member,
            reason=serializer.validated_data["reason"],
            by=self.request.user,
        )

    def _decide(self, request, move):
        leave = self.get_object()
        payload = SessionLeaveDecisionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        try:
            move(leave, by=request.user, note=payload.validated_data.get("note", ""))
        except ConflictError as exc:
            now = self.get_queryset().get(pk=leave.pk)
            return Response(
                {
                    "detail": exc.message,
                    "code": exc.code,
                    "leave_request": self.get_serializer(now).data,
                },
                status=status.HTTP_409_CONFLICT,
            )
        return Response(self.get_serializer(self.get_queryset().get(pk=leave.pk)).data)

    @extend_schema(
        summary="批准请假",
        request=SessionLeaveDecisionSerializer,
        responses={200: SessionLeaveRequestSerializer, **ERRORS, **LEAVE_REFUSED},
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, workflow.leave_request_approve)

    @extend_schema(
        summary="不批准请假（须填写审批意见）",
        request=SessionLeaveDecisionSerializer,
        responses={200: SessionLeaveRequestSerializer, **ERRORS, **LEAVE_REFUSED},
    )
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        return self._decide(request, workflow.leave_request_refuse)


routes = [
    ("members", MemberViewSet, "member"),
    ("terms", TermViewSet, "term"),
    ("sectors", SectorViewSet, "sector"),
    ("special-committees", SpecialCommitteeViewSet, "special-committee"),
    ("committee-sessions", CommitteeSessionViewSet, "committee-session"),
    ("session-leave-requests", LeaveRequestViewSet, "session-leave-request"),
]
