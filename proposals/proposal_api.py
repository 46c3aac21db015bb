"""/api/v1/proposals/ (提案), routed through proposals.api.routes.

Lists start from Proposal.objects.visible_to like the pages (a member: their own and the
published ones; a unit's login: its assignments; leaders and the office: all; town clerks:
none) and take the list page's filters. `POST /proposals/` creates a draft; after that no
endpoint writes a proposal's state: each move is an action calling one function of
proposals.workflow. A move the workflow refuses because of the proposal's state (its guard is
not met, or someone else moved it first) answers 409 with the Chinese reason and the proposal
as it stands now; bad input answers 400, a proposal outside the person's scope 404, and a
visible proposal the person may not move 403.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cppcc.api_delete import SoftDeleteDestroyMixin
from cppcc.api_schema import ERRORS, DisplayField, enum_field
from cppcc.filters import IdFilter
from cppcc.roles import Role, can_edit_county, has_role
from cppcc.scoping import ScopedModelSerializer, ScopedSerializer
from cppcc.workflow import WorkflowError
from members.models import CommitteeSession, Member, Term

from . import selectors, services, workflow
from .filters import ProposalFilter
from .models import (
    AnswerType,
    AssignmentStatus,
    Communication,
    ConvertedTo,
    CosignStatus,
    HandlingUnit,
    NotRegisteredReason,
    Proposal,
    ProposalCategory,
    ProposalCosigner,
    ProposalKind,
    ProposalReply,
    ProposalStatus,
    ProposalUnit,
    Rating,
)

StatusField = enum_field(ProposalStatus.choices, "ProposalStatusEnum")
CategoryField = enum_field(ProposalCategory.choices, "ProposalCategoryEnum")
KindField = enum_field(ProposalKind.choices, "ProposalKindEnum")
AssignmentStatusField = enum_field(AssignmentStatus.choices, "ProposalAssignmentStatusEnum")
AnswerTypeField = enum_field(AnswerType.choices, "ProposalAnswerTypeEnum")
RatingField = enum_field(Rating.choices, "ProposalRatingEnum")
CommunicationField = enum_field(Communication.choices, "ProposalCommunicationEnum")
ReasonField = enum_field(NotRegisteredReason.choices, "ProposalRejectReasonEnum")
ConvertedField = enum_field(ConvertedTo.choices, "ProposalConvertedToEnum")
CosignStatusField = enum_field(CosignStatus.choices, "CosignStatusEnum")


class VisibleProposalField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Proposal.objects.visible_to(self.context["request"].user)


class VisibleMemberField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return Member.objects.visible_to(self.context["request"].user)


class CosignerField(serializers.PrimaryKeyRelatedField):
    """A co-signer is any serving member: a member filing a joint proposal names colleagues
    they cannot otherwise look up (Member.visible_to shows a member only themself). Only a
    member gets that wider list (as the portal's co-signer picker offers it); anyone else
    chooses among the members they see."""

    def get_queryset(self):
        user = self.context["request"].user
        if has_role(user, Role.MEMBER) and user.member_id:
            return Member.objects.active()
        return Member.objects.visible_to(user).active()


class ActiveUnitField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return selectors.units_visible_to(self.context["request"].user).filter(is_active=True)


class SessionField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return CommitteeSession.objects.visible_to(self.context["request"].user)


# --- reading ---------------------------------------------------------------------------------


class ProposalAssignmentSerializer(ScopedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    status = AssignmentStatusField(choices=AssignmentStatus.choices, read_only=True)
    status_display = DisplayField(source="get_status_display", read_only=True)

    class Meta:
        model = ProposalUnit
        fields = [
            "id",
            "unit",
            "unit_name",
            "is_lead",
            "due_on",
            "status",
            "status_display",
            "give_back_reason",
            "rehandle_count",
        ]


class ProposalReplySerializer(ScopedModelSerializer):
    unit_name = serializers.CharField(source="assignment.unit.name", read_only=True)
    answer_type = AnswerTypeField(choices=AnswerType.choices, read_only=True)
    answer_type_display = DisplayField(source="get_answer_type_display", read_only=True)

    class Meta:
        model = ProposalReply
        fields = [
            "id",
            "assignment",
            "unit_name",
            "answer_type",
            "answer_type_display",
            "text",
            "submitted_at",
            "released_at",
            "returned_at",
            "returned_reason",
        ]


class ProposalCosignerSerializer(ScopedModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    status = CosignStatusField(choices=CosignStatus.choices, read_only=True)
    status_display = DisplayField(source="get_status_display", read_only=True)

    class Meta:
        model = ProposalCosigner
        fields = ["id", "member", "member_name", "status", "status_display", "confirmed_at"]


class ProposalSerializer(ScopedModelSerializer):
    session_name = serializers.CharField(source="session.name", read_only=True, default=None)
    category = CategoryField(choices=ProposalCategory.choices, read_only=True)
    category_display = DisplayField(source="get_category_display", read_only=True)
    kind = KindField(choices=ProposalKind.choices, read_only=True)
    kind_display = DisplayField(source="get_kind_display", read_only=True)
    lead_proposer_name = serializers.CharField(
        source="lead_proposer.name", read_only=True, default=None
    )
    status = StatusField(choices=ProposalStatus.choices, read_only=True)
    status_display = DisplayField(source="get_status_display", read_only=True)
    display_number = serializers.CharField(read_only=True)
    assignments = ProposalAssignmentSerializer(source="held", many=True, read_only=True)

    class Meta:
        model = Proposal
        fields = [
            "id",
            "term",
            "session",
            "session_name",
            "year",
            "category",
            "category_display",
            "title",
            "reasons",
            "suggestions",
            "kind",
            "kind_display",
            "lead_proposer",
            "lead_proposer_name",
            "collective_source",
            "contact_person",
            "agrees_to_publish",
            "status",
            "status_display",
            "number",
            "display_number",
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
            "assignments",
        ]
        read_only_fields = fields


class ProposalDetailSerializer(ProposalSerializer):
    """A proposal with its co-signers and the replies the person may read (a proposer only
    released ones): these read further rows, so the list leaves them out."""

    cosigners = ProposalCosignerSerializer(many=True, read_only=True)
    replies = serializers.SerializerMethodField()

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "cosigners", "replies"]
        read_only_fields = fields

    @extend_schema_field(ProposalReplySerializer(many=True))
    def get_replies(self, obj) -> list[dict]:
        user = self.context["request"].user
        return ProposalReplySerializer(selectors.replies_for(user, obj), many=True).data


# --- writing: the draft and the moves ----------------------------------------------------------


class ProposalDraftSerializer(ScopedSerializer):
    term = serializers.PrimaryKeyRelatedField(queryset=Term.objects.all())
    session = SessionField(
        queryset=CommitteeSession.objects.all(), required=False, allow_null=True, default=None
    )
    category = CategoryField(choices=ProposalCategory.choices, required=False, default="")
    title = serializers.CharField(max_length=200)
    reasons = serializers.CharField(required=False, allow_blank=True, default="")
    suggestions = serializers.CharField(required=False, allow_blank=True, default="")
    kind = KindField(choices=ProposalKind.choices, required=False, default=ProposalKind.INDIVIDUAL)
    lead_proposer = VisibleMemberField(
        queryset=Member.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="机关代录时填写；委员本人提交时为本人",
    )
    collective_source = serializers.CharField(required=False, allow_blank=True, default="")
    contact_person = serializers.CharField(required=False, allow_blank=True, default="")
    agrees_to_publish = serializers.BooleanField(required=False, default=False)
    cosigners = CosignerField(
        queryset=Member.objects.all(), many=True, required=False, default=list
    )


class ProposalNoteSerializer(ScopedSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ProposalRejectSerializer(ProposalNoteSerializer):
    reason = ReasonField(choices=NotRegisteredReason.choices)
    converted_to = ConvertedField(choices=ConvertedTo.choices, required=False, default="")


class ProposalMergeSerializer(ProposalNoteSerializer):
    into = VisibleProposalField(queryset=Proposal.objects.all(), help_text="并入的已立案提案")


class ProposalAssignSerializer(ProposalNoteSerializer):
    lead_unit = ActiveUnitField(
        queryset=HandlingUnit.objects.all(), required=False, allow_null=True, default=None
    )
    assisting_units = ActiveUnitField(
        queryset=HandlingUnit.objects.all(), many=True, required=False, default=list
    )
    due_on = serializers.DateField(required=False, allow_null=True, default=None)


class ProposalAssignmentInputSerializer(ProposalNoteSerializer):
    assignment = serializers.IntegerField(
        required=False, help_text="承办记录 id；承办单位账号可省略（本单位的承办）"
    )


class ProposalGiveBackSerializer(ProposalAssignmentInputSerializer):
    reason = serializers.CharField()


class ProposalReplyInputSerializer(ProposalAssignmentInputSerializer):
    answer_type = AnswerTypeField(choices=AnswerType.choices)
    text = serializers.CharField()


class ProposalRateSerializer(ProposalAssignmentInputSerializer):
    rating = RatingField(choices=Rating.choices)
    communication = CommunicationField(choices=Communication.choices)


class ProposalReplyReviewSerializer(ProposalNoteSerializer):
    reply = serializers.IntegerField(help_text="待审核答复的 id")


class ProposalReturnReplySerializer(ProposalReplyReviewSerializer):
    reason = serializers.CharField()


class ProposalRefusalSerializer(ScopedSerializer):
    detail = serializers.CharField(help_text="拒绝的中文原因")
    code = serializers.CharField(help_text="guard：条件未满足；conflict：提案已被他人处理")
    status = StatusField(choices=ProposalStatus.choices, help_text="提案现在的状态")
    proposal = ProposalDetailSerializer(help_text="提案现在的样子")


REFUSED = {
    409: OpenApiResponse(
        response=ProposalRefusalSerializer,
        description="办理被拒绝：条件未满足，或提案已被他人处理（detail 为中文原因）",
    )
}


class ProposalApiFilter(ProposalFilter):
    """The list page's filters; the two ticks read true/false here as everywhere in the API."""

    unit = IdFilter(label=_("承办单位"), method="filter_unit")
    key = filters.BooleanFilter(label=_("重点提案"), method="filter_key")
    overdue = filters.BooleanFilter(label=_("答复逾期"), method="filter_overdue")

    def filter_key(self, qs, name, value):
        return qs if value is None else qs.filter(is_key=value)

    def filter_overdue(self, qs, name, value):
        if value is None:
            return qs
        late = selectors.overdue_proposals(qs)
        return late if value else qs.exclude(pk__in=late.values("pk"))


def _move_doc(summary: str, request):
    return extend_schema(
        summary=summary,
        request=request,
        responses={200: ProposalDetailSerializer, **ERRORS, **REFUSED},
    )


@extend_schema_view(
    list=extend_schema(
        summary="提案列表（按届次、会议、类别、状态、承办单位、重点、逾期、满意度筛选）",
    ),
    retrieve=extend_schema(
        summary="提案详情（含联名委员与可查看的答复）",
        responses={200: ProposalDetailSerializer, **ERRORS},
    ),
    create=extend_schema(
        summary="新建提案草稿（委员本人或机关）",
        request=ProposalDraftSerializer,
        responses={201: ProposalDetailSerializer, **ERRORS},
    ),
)
class ProposalViewSet(
    SoftDeleteDestroyMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    filterset_class = ProposalApiFilter
    search_fields = ["title", "number", "lead_proposer__name"]
    ordering_fields = ["year", "serial", "submitted_at", "id"]

    def get_permissions(self):
        # Members file drafts and units reply: who may move a proposal is decided after the
        # lookup, so a proposal outside the person's scope answers 404 before any 403.
        return [permissions.IsAuthenticated()]

    def get_queryset(self):
        return selectors.proposal_list_queryset(self.request.user)

    def get_serializer_class(self):
        return ProposalSerializer if self.action == "list" else ProposalDetailSerializer

    def _detail(self, pk: int) -> dict:
        proposal = (
            selectors.proposal_list_queryset(self.request.user)
            .prefetch_related("cosigners__member")
            .filter(pk=pk)
            .first()
        )
        if proposal is None:  # e.g. a unit that was just granted its give-back
            return {}
        return ProposalDetailSerializer(proposal, context=self.get_serializer_context()).data

    def create(self, request, *args, **kwargs):
        user = request.user
        office = can_edit_county(user)
        if not office and not (has_role(user, Role.MEMBER) and user.member_id):
            raise exceptions.PermissionDenied()
        payload = ProposalDraftSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        data = dict(payload.validated_data)
        cosigners = data.pop("cosigners")
        if not office:
            if data["kind"] == ProposalKind.COLLECTIVE:
                raise serializers.ValidationError({"kind": [_("集体提案请由政协机关录入。")]})
            data["lead_proposer"] = user.member
        if data["kind"] == ProposalKind.COLLECTIVE:
            data["lead_proposer"] = None
        session = data["session"]
        if session is not None and session.term_id != data["term"].pk:
            raise serializers.ValidationError({"session": [_("所选会议不属于该届次。")]})
        with transaction.atomic():
            proposal = Proposal(**data, created_by=user)
            proposal._history_user = user
            proposal.save()
            if cosigners:
                services.set_cosigners(proposal, cosigners, by=user)
        return Response(self._detail(proposal.pk), status=status.HTTP_201_CREATED)

    # --- moves ---

    def _refused(self, proposal: Proposal, exc: WorkflowError) -> Response:
        proposal.refresh_from_db(fields=["status"])
        return Response(
            {
                "detail": exc.message,
                "code": exc.code,
                "status": proposal.status,
                "proposal": self._detail(proposal.pk),
            },
            status=status.HTTP_409_CONFLICT,
        )

    def _move(self, request, payload_class, call):
        proposal = self.get_object()
        # Refused before the input is read: a 400 would tell a role that may not move the
        # proposal what the move expects.
        if not workflow.may_ask(self.action, proposal, request.user):
            raise exceptions.PermissionDenied()
        payload = payload_class(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        try:
            call(proposal, dict(payload.validated_data))
        except WorkflowError as exc:
            if exc.code not in ("conflict", "guard"):
                raise
            return self._refused(proposal, exc)
        return Response(self._detail(proposal.pk))

    def _assignment(self, proposal: Proposal, data: dict) -> ProposalUnit:
        held = ProposalUnit.objects.visible_to(self.request.user).filter(proposal=proposal)
        if data.get("assignment"):
            found = held.filter(pk=data["assignment"]).first()
        else:
            unit_id = getattr(self.request.user, "handling_unit_id", None)
            found = held.active().filter(unit_id=unit_id).first() if unit_id else None
        if found is None:
            raise serializers.ValidationError({"assignment": [_("请指定本提案的承办记录。")]})
        return found

    def _reply(self, proposal: Proposal, data: dict) -> ProposalReply:
        found = (
            ProposalReply.objects.filter(assignment__proposal=proposal, pk=data["reply"])
            .select_related("assignment")
            .first()
        )
        if found is None:
            raise serializers.ValidationError({"reply": [_("该提案没有这份答复。")]})
        return found

    @_move_doc("提交（草稿 → 已提交；联名提案邀请联名委员确认）", ProposalNoteSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        return self._move(
            request,
            ProposalNoteSerializer,
            lambda p, d: workflow.proposal_submit(p, by=request.user, note=d["note"]),
        )

    @_move_doc("确认联名（受邀的联名委员本人，截止日前）", ProposalNoteSerializer)
    @action(detail=True, methods=["post"])
    def cosign(self, request, pk=None):
        def call(proposal, data):
            mine = ProposalCosigner.objects.filter(
                proposal=proposal, member_id=getattr(request.user, "member_id", None)
            ).first()
            if mine is None:
                raise exceptions.PermissionDenied()
            return workflow.cosigner_confirm(mine, by=request.user, note=data["note"])

        return self._move(request, ProposalNoteSerializer, call)

    @_move_doc("立案（给出本次会议的下一个案号）", ProposalNoteSerializer)
    @action(detail=True, methods=["post"])
    def register(self, request, pk=None):
        return self._move(
            request,
            ProposalNoteSerializer,
            lambda p, d: workflow.proposal_register(p, by=request.user, note=d["note"]),
        )

    @_move_doc("不予立案（标准理由，可转社情民意或来信）", ProposalRejectSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._move(
            request,
            ProposalRejectSerializer,
            lambda p, d: workflow.proposal_reject(p, by=request.user, **d),
        )

    @_move_doc("并案（并入同届已立案的提案）", ProposalMergeSerializer)
    @action(detail=True, methods=["post"])
    def merge(self, request, pk=None):
        return self._move(
            request,
            ProposalMergeSerializer,
            lambda p, d: workflow.proposal_merge(p, by=request.user, **d),
        )

    @_move_doc("交办（主办、协办单位与答复期限，默认三个月）", ProposalAssignSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        return self._move(
            request,
            ProposalAssignSerializer,
            lambda p, d: workflow.proposal_assign(p, by=request.user, **d),
        )

    @_move_doc("申请退回（承办单位，须写明理由）", ProposalGiveBackSerializer)
    @action(detail=True, methods=["post"], url_path="give-back")
    def give_back(self, request, pk=None):
        return self._move(
            request,
            ProposalGiveBackSerializer,
            lambda p, d: workflow.give_back_request(
                self._assignment(p, d), reason=d["reason"], by=request.user, note=d["note"]
            ),
        )

    @_move_doc("同意退回（机关）", ProposalAssignmentInputSerializer)
    @action(detail=True, methods=["post"], url_path="give-back-grant")
    def give_back_grant(self, request, pk=None):
        return self._move(
            request,
            ProposalAssignmentInputSerializer,
            lambda p, d: workflow.give_back_grant(
                self._assignment(p, d), by=request.user, note=d["note"]
            ),
        )

    @_move_doc("不同意退回（机关，须写明理由）", ProposalGiveBackSerializer)
    @action(detail=True, methods=["post"], url_path="give-back-refuse")
    def give_back_refuse(self, request, pk=None):
        return self._move(
            request,
            ProposalGiveBackSerializer,
            lambda p, d: workflow.give_back_refuse(
                self._assignment(p, d), reason=d["reason"], by=request.user, note=d["note"]
            ),
        )

    @_move_doc(
        "答复（承办单位：答复类型与内容，机关审核后提案人可见）", ProposalReplyInputSerializer
    )
    @action(detail=True, methods=["post"])
    def reply(self, request, pk=None):
        return self._move(
            request,
            ProposalReplyInputSerializer,
            lambda p, d: workflow.reply_submit(
                self._assignment(p, d),
                answer_type=d["answer_type"],
                text=d["text"],
                by=request.user,
                note=d["note"],
            ),
        )

    @_move_doc("发布答复（机关审核通过）", ProposalReplyReviewSerializer)
    @action(detail=True, methods=["post"], url_path="release-reply")
    def release_reply(self, request, pk=None):
        return self._move(
            request,
            ProposalReplyReviewSerializer,
            lambda p, d: workflow.reply_release(self._reply(p, d), by=request.user, note=d["note"]),
        )

    @_move_doc("退回答复（机关，须写明理由）", ProposalReturnReplySerializer)
    @action(detail=True, methods=["post"], url_path="return-reply")
    def return_reply(self, request, pk=None):
        return self._move(
            request,
            ProposalReturnReplySerializer,
            lambda p, d: workflow.reply_return(
                self._reply(p, d), reason=d["reason"], by=request.user, note=d["note"]
            ),
        )

    @_move_doc("评价答复（提案人：满意 / 基本满意 / 不满意；不满意则重办）", ProposalRateSerializer)
    @action(detail=True, methods=["post"])
    def rate(self, request, pk=None):
        return self._move(
            request,
            ProposalRateSerializer,
            lambda p, d: workflow.proposal_rate(
                self._assignment(p, d),
                rating=d["rating"],
                communication=d["communication"],
                note=d["note"],
                by=request.user,
            ),
        )

    @_move_doc("办结（机关：各单位答复均已评价且无不满意）", ProposalNoteSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        return self._move(
            request,
            ProposalNoteSerializer,
            lambda p, d: workflow.proposal_close(p, by=request.user, note=d["note"]),
        )
