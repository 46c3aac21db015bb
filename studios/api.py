"""The studios API: towns, studios, Party groups, activities and problems under /api/v1/.

Lists start from `visible_to` like the pages; writes go through studios.services and
studios.workflow, and a town clerk may write only their own town's records (checked on the
object's town with selectors.require_edit). Errors become 400/403/404/409 in cppcc.api_errors.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cppcc.api import NestedListPagination
from cppcc.api_delete import SoftDeleteDestroyMixin
from cppcc.api_schema import CONFLICT, ERRORS, DisplayField, enum_field, prefetched_rows
from cppcc.filters import IdFilter, YearFilter
from cppcc.roles import can_edit_county
from cppcc.scoping import ScopedChoicesMixin, ScopedModelSerializer, ScopedSerializer
from cppcc.versioning import VersionSerializerMixin
from members.models import Member, Term

from . import selectors, services, workflow
from .models import (
    SIX_HAS_FIELDS,
    Activity,
    ActivityAttendance,
    ActivityKind,
    Attendance,
    MembershipRole,
    PartyGroup,
    Problem,
    ProblemStatus,
    Studio,
    StudioKind,
    StudioLevel,
    Town,
    Village,
)


class MemberBriefSerializer(ScopedModelSerializer):
    party_display = DisplayField(source="get_party_display", read_only=True)

    class Meta:
        model = Member
        fields = ["id", "name", "party", "party_display"]


def _writable_studio(user, studio) -> Studio:
    """The studio a new record goes into: one the person sees (else a 400 on `studio`) and may
    write to (else 403)."""
    visible = Studio.objects.visible_to(user).filter(pk=studio.pk).first()
    if visible is None:
        raise serializers.ValidationError({"studio": _("未找到该工作室。")})
    selectors.require_edit(user, visible.town_id)
    return visible


# --- towns -----------------------------------------------------------------------------------


class VillageSerializer(ScopedModelSerializer):
    class Meta:
        model = Village
        fields = ["id", "name", "kind", "has_consultation_room"]


class TownSerializer(ScopedModelSerializer):
    villages = VillageSerializer(many=True, read_only=True)
    united_front_officer = MemberBriefSerializer(read_only=True, allow_null=True)

    class Meta:
        model = Town
        fields = [
            "id",
            "name",
            "kind",
            "office_name",
            "office_address",
            "order",
            "united_front_officer",
            "villages",
        ]


class TownFilter(ScopedChoicesMixin, filters.FilterSet):
    class Meta:
        model = Town
        fields = ["kind"]


@extend_schema_view(
    list=extend_schema(summary="镇街列表"),
    retrieve=extend_schema(summary="镇街详情", responses={200: TownSerializer, **ERRORS}),
)
class TownViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TownSerializer
    filterset_class = TownFilter
    search_fields = ["name"]
    ordering_fields = ["order", "name"]

    def get_queryset(self):
        return (
            Town.objects.visible_to(self.request.user)
            .select_related("united_front_officer")
            .prefetch_related("villages")
            .order_by("order", "id")
        )


# --- studios ---------------------------------------------------------------------------------


class StudioSerializer(ScopedModelSerializer):
    town_name = serializers.CharField(source="town.name", read_only=True, default=None)
    member_count = serializers.IntegerField(read_only=True)
    core_count = serializers.IntegerField(read_only=True)
    linked_count = serializers.IntegerField(read_only=True)
    party_count = serializers.IntegerField(read_only=True)
    activities_this_year = serializers.IntegerField(read_only=True)
    open_problems = serializers.IntegerField(read_only=True)
    six_has_met = serializers.IntegerField(read_only=True)
    size_flag = serializers.SerializerMethodField()
    town = serializers.PrimaryKeyRelatedField(
        queryset=Town.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Studio
        fields = [
            "id",
            "name",
            "kind",
            "town",
            "town_name",
            "host_unit",
            "address",
            "level",
            "city_level_named_on",
            "founded_on",
            *SIX_HAS_FIELDS,
            "six_has_met",
            "member_count",
            "core_count",
            "linked_count",
            "party_count",
            "activities_this_year",
            "open_problems",
            "size_flag",
        ]
        # Uniqueness is checked by studios.services with its Chinese message.
        extra_kwargs = {"name": {"validators": []}}
        validators = []

    @extend_schema_field(serializers.ChoiceField(choices=["", "small", "large"]))
    def get_size_flag(self, obj) -> str:
        return selectors.size_flag(obj) if hasattr(obj, "member_count") else ""


class StudioFilter(ScopedChoicesMixin, filters.FilterSet):
    kind = filters.ChoiceFilter(choices=StudioKind.choices)
    level = filters.ChoiceFilter(choices=StudioLevel.choices)

    class Meta:
        model = Studio
        fields = ["kind", "town", "level"]


class AssignSerializer(ScopedSerializer):
    members = serializers.PrimaryKeyRelatedField(many=True, queryset=Member.objects.all())
    role = serializers.ChoiceField(choices=MembershipRole.choices)
    term = serializers.PrimaryKeyRelatedField(queryset=Term.objects.all())


class AssignResultSerializer(ScopedSerializer):
    changed = serializers.IntegerField()


class PageCountsMixin:
    """Per-row counts computed for the rows answered only: the page of a list (after the
    paginator's COUNT, which then runs on the plain filtered rows) or the one record of a
    detail. `counted(rows)` sets the attributes the serializer reads; consultations' meeting
    API uses it too."""

    def counted(self, rows) -> list:
        raise NotImplementedError

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return self.counted(page) if page is not None else None

    def get_object(self):
        return self.counted([super().get_object()])[0]

    def get_one(self, pk):
        """The record as the API answers it after a write, counts included."""
        return self.counted([self.get_queryset().get(pk=pk)])[0]


@extend_schema_view(
    list=extend_schema(summary="委员工作室列表（含成员、党员、本年活动、未解决问题统计）"),
    retrieve=extend_schema(summary="工作室详情", responses={200: StudioSerializer, **ERRORS}),
    create=extend_schema(summary="新建工作室（机关）", responses={201: StudioSerializer, **ERRORS}),
    update=extend_schema(summary="修改工作室", responses={200: StudioSerializer, **ERRORS}),
    partial_update=extend_schema(summary="修改工作室", responses={200: StudioSerializer, **ERRORS}),
)
class StudioViewSet(
    PageCountsMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    serializer_class = StudioSerializer
    filterset_class = StudioFilter
    search_fields = ["name", "host_unit", "town__name"]
    ordering_fields = ["name", "kind"]
    town_clerks_may_write = True

    def get_queryset(self):
        return (
            Studio.objects.visible_to(self.request.user)
            .select_related("town", "leader")
            .order_by("-kind", "town__order", "name")
        )

    def counted(self, rows):
        return selectors.attach_studio_counts(rows)

    def perform_create(self, serializer):
        if not can_edit_county(self.request.user):
            self.permission_denied(self.request)
        serializer.instance = services.create_studio(
            serializer.validated_data, by=self.request.user
        )

    def perform_update(self, serializer):
        studio = serializer.instance
        selectors.require_edit(self.request.user, studio.town_id)
        data = dict(serializer.validated_data)
        if not can_edit_county(self.request.user):
            # A town clerk keeps their studio's records but not what kind it is or where.
            for name in ("name", "kind", "town", "level", "city_level_named_on"):
                data.pop(name, None)
        services.update_studio(studio, data, by=self.request.user)
        serializer.instance = self.get_one(studio.pk)

    def create(self, request, *args, **kwargs):
        # Only the office makes studios: anyone else is refused before the input is read, so
        # the refusal teaches no field rules (tests/cppcc/test_api_limits.py).
        if not can_edit_county(request.user):
            self.permission_denied(request)
        response = super().create(request, *args, **kwargs)
        response.data = self.get_serializer(self.get_one(response.data["id"])).data
        return response

    @extend_schema(
        summary="批量分配委员到工作室（机关）",
        request=AssignSerializer,
        responses={200: AssignResultSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path="assign-members")
    def assign_members(self, request, pk=None):
        studio = self.get_object()
        if not can_edit_county(request.user):
            self.permission_denied(request)
        payload = AssignSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        n = services.assign_members(
            studio, data["members"], role=data["role"], term=data["term"], by=request.user
        )
        return Response({"changed": n})


# --- Party groups ----------------------------------------------------------------------------


class PartyGroupSerializer(ScopedModelSerializer):
    studio_name = serializers.CharField(source="studio.name", read_only=True)
    leader_detail = MemberBriefSerializer(source="leader", read_only=True)
    guiding_branch = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()
    leader = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all())
    studio = serializers.PrimaryKeyRelatedField(queryset=Studio.objects.all())

    class Meta:
        model = PartyGroup
        fields = [
            "id",
            "studio",
            "studio_name",
            "name",
            "leader",
            "leader_detail",
            "founded_on",
            "guiding_branch",
            "members",
        ]
        extra_kwargs = {"name": {"required": False}}
        validators = []

    @extend_schema_field({"type": "string", "nullable": True})
    def get_guiding_branch(self, obj) -> str | None:
        branch = obj.guiding_branch
        return branch.name if branch else None

    @extend_schema_field(MemberBriefSerializer(many=True))
    def get_members(self, obj):
        members = self.context.get("party_members", {}).get(obj.studio_id)
        if members is None:
            members = list(selectors.party_group_members(obj).order_by("name_pinyin"))
        return MemberBriefSerializer(members, many=True).data


class PartyGroupFilter(ScopedChoicesMixin, filters.FilterSet):
    town = IdFilter(field_name="studio__town")

    class Meta:
        model = PartyGroup
        fields = ["studio", "town"]


class PartyGroupUpdateSerializer(ScopedSerializer):
    leader = serializers.PrimaryKeyRelatedField(queryset=Member.objects.all())


@extend_schema_view(
    list=extend_schema(summary="党小组列表（组长、指导党支部、党员委员）"),
    retrieve=extend_schema(summary="党小组详情", responses={200: PartyGroupSerializer, **ERRORS}),
    create=extend_schema(summary="成立党小组", responses={201: PartyGroupSerializer, **ERRORS}),
    partial_update=extend_schema(
        summary="更换党小组组长",
        request=PartyGroupUpdateSerializer,
        responses={200: PartyGroupSerializer, **ERRORS},
    ),
)
class PartyGroupViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = PartyGroupSerializer
    filterset_class = PartyGroupFilter
    search_fields = ["name", "studio__name", "leader__name"]
    town_clerks_may_write = True
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        return selectors.party_groups_with_branch(
            PartyGroup.objects.visible_to(self.request.user)
        ).order_by("studio__town__order", "studio__name")

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["party_members"] = {}
        return context

    def list(self, request, *args, **kwargs):
        # Members of every listed group in one query instead of one per group.
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        groups = page if page is not None else list(self.filter_queryset(self.get_queryset()))
        context = self.get_serializer_context()
        context["party_members"] = _party_members_by_studio([g.studio_id for g in groups])
        data = PartyGroupSerializer(groups, many=True, context=context).data
        return self.get_paginated_response(data) if page is not None else Response(data)

    def perform_create(self, serializer):
        data = serializer.validated_data
        studio = _writable_studio(self.request.user, data["studio"])
        serializer.instance = services.create_party_group(
            studio,
            data["leader"],
            name=data.get("name", ""),
            founded_on=data.get("founded_on"),
            by=self.request.user,
        )

    def partial_update(self, request, *args, **kwargs):
        group = self.get_object()
        selectors.require_edit(request.user, group.studio.town_id)
        payload = PartyGroupUpdateSerializer(
            data=request.data, context=self.get_serializer_context()
        )
        payload.is_valid(raise_exception=True)
        services.change_party_group_leader(group, payload.validated_data["leader"], by=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=group.pk)).data)


def _party_members_by_studio(studio_ids):
    from members.models import PartyAffiliation

    from .models import StudioMembership

    result = {pk: [] for pk in studio_ids}
    rows = (
        StudioMembership.objects.filter(
            studio_id__in=studio_ids, end_on__isnull=True, member__party=PartyAffiliation.CPC
        )
        .select_related("member")
        .order_by("member__name_pinyin")
    )
    for row in rows:
        result[row.studio_id].append(row.member)
    return result


# --- activities ------------------------------------------------------------------------------


AttendanceStatusField = enum_field(Attendance.choices, "AttendanceStatusEnum")
ProblemStatusField = enum_field(ProblemStatus.choices, "ProblemStatusEnum")


class AttendanceSerializer(ScopedModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    status = AttendanceStatusField(choices=Attendance.choices, read_only=True)

    class Meta:
        model = ActivityAttendance
        fields = ["member", "member_name", "status"]


class AttendanceInputSerializer(ScopedSerializer):
    member = serializers.IntegerField()
    status = AttendanceStatusField(choices=Attendance.choices, default=Attendance.PRESENT)


def attendance_row(row) -> dict:
    """AttendanceSerializer's answer for one row, written directly (cppcc.api_schema)."""
    return {"member": row.member_id, "member_name": row.member.name, "status": row.status}


AttendanceRows = prefetched_rows(AttendanceSerializer, attendance_row)


class ActivitySerializer(VersionSerializerMixin, ScopedModelSerializer):
    studio_name = serializers.CharField(source="studio.name", read_only=True)
    attendance = AttendanceRows(source="attendances")
    attendance_input = AttendanceInputSerializer(many=True, write_only=True, required=False)
    present_count = serializers.IntegerField(read_only=True)
    leave_count = serializers.IntegerField(read_only=True)
    absent_count = serializers.IntegerField(read_only=True)
    studio = serializers.PrimaryKeyRelatedField(queryset=Studio.objects.all())

    class Meta:
        model = Activity
        fields = [
            "id",
            "studio",
            "studio_name",
            "kind",
            "title",
            "date",
            "place",
            "other_participants",
            "residents_reached",
            "sales_wan",
            "summary",
            "present_count",
            "leave_count",
            "absent_count",
            "attendance",
            "attendance_input",
            "version",
        ]
        extra_kwargs = {"title": {"required": False}}


class ActivityFilter(ScopedChoicesMixin, filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ActivityKind.choices)
    town = IdFilter(field_name="studio__town")
    date_from = filters.DateFilter(field_name="date", lookup_expr="gte")
    date_to = filters.DateFilter(field_name="date", lookup_expr="lte")
    year = YearFilter(field_name="date", lookup_expr="year")

    class Meta:
        model = Activity
        fields = ["studio", "kind", "town", "date_from", "date_to", "year"]


def attendance_marks(rows) -> dict[int, str]:
    marks: dict[int, str] = {}
    for row in rows or []:
        if row["member"] in marks:
            raise serializers.ValidationError({"attendance_input": _("同一委员只能登记一次出勤。")})
        marks[row["member"]] = row["status"]
    return marks


@extend_schema_view(
    list=extend_schema(summary="工作室活动列表（含出勤及统计）"),
    retrieve=extend_schema(summary="活动详情", responses={200: ActivitySerializer, **ERRORS}),
    create=extend_schema(summary="录入活动及出勤", responses={201: ActivitySerializer, **ERRORS}),
    update=extend_schema(
        summary="修改活动（给出出勤则整体替换）", responses={200: ActivitySerializer, **ERRORS}
    ),
    partial_update=extend_schema(summary="修改活动", responses={200: ActivitySerializer, **ERRORS}),
)
class ActivityViewSet(
    SoftDeleteDestroyMixin,
    PageCountsMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    pagination_class = NestedListPagination
    search_fields = ["title", "place", "studio__name"]
    ordering_fields = ["date", "residents_reached", "sales_wan"]
    town_clerks_may_write = True

    def get_queryset(self):
        return (
            Activity.objects.visible_to(self.request.user)
            .select_related("studio")
            .prefetch_related(_prefetch_attendance())
            .order_by("-date", "-id")
        )

    def counted(self, rows):
        # The answer carries each activity's attendance rows (prefetched): counted from them.
        return selectors.attach_prefetched_attendance_counts(rows)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        studio = _writable_studio(self.request.user, data.pop("studio"))
        marks = attendance_marks(data.pop("attendance_input", []))
        serializer.instance = services.record_activity(studio, data, marks, by=self.request.user)

    def perform_update(self, serializer):
        activity = serializer.instance
        selectors.require_edit(self.request.user, activity.studio.town_id)
        data = dict(serializer.validated_data)
        if "studio" in data and data.pop("studio").pk != activity.studio_id:
            raise serializers.ValidationError({"studio": _("活动不能改到其他工作室。")})
        marks = (
            attendance_marks(data.pop("attendance_input")) if "attendance_input" in data else None
        )
        services.update_activity(
            activity, data, marks, by=self.request.user, version=data.pop("version")
        )

    def _respond(self, pk, code):
        return Response(self.get_serializer(self.get_one(pk)).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            self.perform_create(serializer)
        return self._respond(serializer.instance.pk, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        super().update(request, *args, **kwargs)
        return self._respond(self.get_object().pk, status.HTTP_200_OK)


def _prefetch_attendance():
    from django.db.models import Prefetch

    return Prefetch(
        "attendances",
        queryset=ActivityAttendance.objects.select_related("member").order_by(
            "status", "member_id"
        ),
    )


# --- problems --------------------------------------------------------------------------------


class ProblemSerializer(ScopedModelSerializer):
    studio_name = serializers.CharField(source="studio.name", read_only=True)
    status = ProblemStatusField(choices=ProblemStatus.choices, read_only=True)
    followers = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Member.objects.all(), required=False
    )
    studio = serializers.PrimaryKeyRelatedField(queryset=Studio.objects.all())
    village = serializers.PrimaryKeyRelatedField(
        queryset=Village.objects.all(), allow_null=True, required=False
    )

    class Meta:
        model = Problem
        fields = [
            "id",
            "studio",
            "studio_name",
            "title",
            "description",
            "raised_by",
            "raised_on",
            "village",
            "status",
            "solved_on",
            "resolution",
            "followers",
        ]
        read_only_fields = ["status", "solved_on", "resolution"]


class ProblemFilter(ScopedChoicesMixin, filters.FilterSet):
    status = filters.ChoiceFilter(choices=ProblemStatus.choices)
    town = IdFilter(field_name="studio__town")
    raised_from = filters.DateFilter(field_name="raised_on", lookup_expr="gte")
    raised_to = filters.DateFilter(field_name="raised_on", lookup_expr="lte")

    class Meta:
        model = Problem
        fields = ["studio", "status", "town", "raised_from", "raised_to"]


class SolveSerializer(ScopedSerializer):
    solved_on = serializers.DateField()
    resolution = serializers.CharField()


class ReopenSerializer(ScopedSerializer):
    reason = serializers.CharField()


@extend_schema_view(
    list=extend_schema(summary="民生问题列表"),
    retrieve=extend_schema(summary="民生问题详情", responses={200: ProblemSerializer, **ERRORS}),
    create=extend_schema(summary="登记民生问题", responses={201: ProblemSerializer, **ERRORS}),
    update=extend_schema(summary="修改民生问题", responses={200: ProblemSerializer, **ERRORS}),
    partial_update=extend_schema(
        summary="修改民生问题", responses={200: ProblemSerializer, **ERRORS}
    ),
)
class ProblemViewSet(
    mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet
):
    serializer_class = ProblemSerializer
    filterset_class = ProblemFilter
    search_fields = ["title", "description", "raised_by"]
    ordering_fields = ["raised_on", "solved_on"]
    town_clerks_may_write = True

    def get_queryset(self):
        return (
            Problem.objects.visible_to(self.request.user)
            .select_related("studio")
            .prefetch_related("followers")
            .order_by("-raised_on", "-id")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        studio = _writable_studio(self.request.user, data.pop("studio"))
        followers = data.pop("followers", [])
        serializer.instance = services.create_problem(studio, data, followers, by=self.request.user)

    def perform_update(self, serializer):
        problem = serializer.instance
        selectors.require_edit(self.request.user, problem.studio.town_id)
        data = dict(serializer.validated_data)
        if "studio" in data and data.pop("studio").pk != problem.studio_id:
            raise serializers.ValidationError({"studio": _("问题不能改到其他工作室。")})
        followers = data.pop("followers", None)
        serializer.instance = services.update_problem(
            problem, data, followers, by=self.request.user
        )

    def _move(self, request, move, payload_class=None):
        problem = self.get_object()
        selectors.require_edit(request.user, problem.studio.town_id)
        kwargs = {}
        if payload_class is not None:
            payload = payload_class(data=request.data, context=self.get_serializer_context())
            payload.is_valid(raise_exception=True)
            kwargs = payload.validated_data
        move(problem, by=request.user, **kwargs)
        return Response(self.get_serializer(self.get_queryset().get(pk=problem.pk)).data)

    @extend_schema(
        summary="标记为办理中",
        request=None,
        responses={200: ProblemSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def take(self, request, pk=None):
        return self._move(request, workflow.problem_take)

    @extend_schema(
        summary="标记为已解决",
        request=SolveSerializer,
        responses={200: ProblemSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def solve(self, request, pk=None):
        return self._move(request, workflow.problem_solve, SolveSerializer)

    @extend_schema(
        summary="重新办理",
        request=ReopenSerializer,
        responses={200: ProblemSerializer, **ERRORS, **CONFLICT},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request, pk=None):
        return self._move(request, workflow.problem_reopen, ReopenSerializer)


routes = [
    ("towns", TownViewSet, "town"),
    ("studios", StudioViewSet, "studio"),
    ("party-groups", PartyGroupViewSet, "party-group"),
    ("activities", ActivityViewSet, "activity"),
    ("problems", ProblemViewSet, "problem"),
]
