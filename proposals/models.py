import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cppcc.models import HistoryIPAddress
from cppcc.roles import Role, has_role, is_countywide
from cppcc.softdelete import SoftDeleteModel, live_manager
from cppcc.versioning import VersionedModel
from members.models import CommitteeSession, Member, Term


class UnitKind(models.TextChoices):
    GOVERNMENT = "government", _("政府部门")
    PARTY = "party", _("党群部门")
    OTHER = "other", _("其他")


class HandlingUnit(models.Model):
    """承办单位: a government department that handles what is assigned to it.

    Consultation matters (and, later, proposals) are assigned to units; the login of role
    承办单位 links here (cppcc.User.handling_unit).
    """

    name = models.CharField(_("单位名称"), max_length=60, unique=True)
    kind = models.CharField(
        _("单位类型"), max_length=20, choices=UnitKind.choices, default=UnitKind.GOVERNMENT
    )
    contact_person = models.CharField(_("联系人"), max_length=30, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProposalCategory(models.TextChoices):
    ECONOMY = "economy", _("经济")
    POLITICS = "politics", _("政治")
    CULTURE = "culture", _("文化")
    SOCIETY = "society", _("社会")
    ECOLOGY = "ecology", _("生态")
    OTHER = "other", _("其他")


class ProposalKind(models.TextChoices):
    INDIVIDUAL = "individual", _("个人提案")
    JOINT = "joint", _("联名提案")
    COLLECTIVE = "collective", _("集体提案")


class ProposalStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    REGISTERED = "registered", _("已立案")
    NOT_REGISTERED = "not_registered", _("不予立案")
    MERGED = "merged", _("已并案")
    ASSIGNED = "assigned", _("已交办")
    REPLIED = "replied", _("已答复")
    CLOSED = "closed", _("已办结")


# Statuses a registered proposal can be in: it has its serial, and a member may read it when
# its proposer agreed to publication.
REGISTERED_OR_LATER = (
    ProposalStatus.REGISTERED,
    ProposalStatus.ASSIGNED,
    ProposalStatus.REPLIED,
    ProposalStatus.CLOSED,
)


class NotRegisteredReason(models.TextChoices):
    """The usual grounds for 不予立案 in county committees' proposal rules."""

    OUT_OF_SCOPE = "out_of_scope", _("不属于政协提案范围")
    LEGAL_PROCEDURE = "legal_procedure", _("涉及诉讼、仲裁、纪检监察等法定程序")
    PRIVATE_MATTER = "private_matter", _("反映个人或少数人私事")
    NO_SUGGESTION = "no_suggestion", _("内容空泛，无具体建议")
    ALREADY_SOLVED = "already_solved", _("所提问题已经解决或正在解决")
    INTERNAL_AFFAIRS = "internal_affairs", _("属于党派团体内部事务")
    SECRET = "secret", _("涉及国家秘密")
    OTHER = "other", _("其他")


class ConvertedTo(models.TextChoices):
    NONE = "", _("未转")
    OPINION = "opinion", _("转为社情民意信息")
    LETTER = "letter", _("转为来信处理")


def current_year() -> int:
    return timezone.localdate().year


class ProposalQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ProposalQuerySet":
        """The one access rule for proposals; every page and API list starts here.

        Admin, office and leaders: every proposal. A member: their own (as lead proposer or as
        a co-signer who has confirmed or is still invited to), the ones theirs were merged
        into, and the registered ones whose proposer agreed to publication. A handling unit: the proposals assigned to it (a unit
        whose give-back was granted no longer sees it). Town clerks: none, proposals are the
        county office's business."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_countywide(user):
            return self
        rule = Q(pk__in=[])
        if has_role(user, Role.MEMBER) and user.member_id:
            signed = ProposalCosigner.objects.filter(member_id=user.member_id).exclude(
                status=CosignStatus.DROPPED
            )
            # A merged proposal follows its target: its proposer reads the target's replies.
            followed = Proposal.objects.filter(
                lead_proposer_id=user.member_id, merged_into__isnull=False
            ).values("merged_into_id")
            rule |= (
                Q(lead_proposer_id=user.member_id)
                | Q(pk__in=signed.values("proposal_id"))
                | Q(pk__in=followed)
                | Q(agrees_to_publish=True, status__in=REGISTERED_OR_LATER)
            )
        if has_role(user, Role.UNIT) and user.handling_unit_id:
            assigned = (
                ProposalUnit.objects.filter(unit_id=user.handling_unit_id)
                .exclude(status=AssignmentStatus.GIVEN_BACK)
                .values("proposal_id")
            )
            rule |= Q(pk__in=assigned)
        return self.filter(rule)

    def registered(self) -> "ProposalQuerySet":
        return self.filter(status__in=REGISTERED_OR_LATER)


class Proposal(SoftDeleteModel, VersionedModel):
    """提案: a member's, several members' or a group's written proposal to a plenary session
    (or between sessions), from draft to the proposer's rating of each unit's reply.

    State changes only through proposals.workflow (status, serial, dates) and
    proposals.services (key / excellent). A "一镇一事" matter may come from one
    (consultations.Matter.proposal), which shows its `number`."""

    term = models.ForeignKey(
        Term, verbose_name=_("届次"), on_delete=models.PROTECT, related_name="proposals"
    )
    # Null: filed between sessions (闭会期间), numbered in a series of its own within the term.
    session = models.ForeignKey(
        CommitteeSession,
        verbose_name=_("会议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    year = models.PositiveSmallIntegerField(_("年度"), default=current_year)
    category = models.CharField(
        _("类别"), max_length=10, choices=ProposalCategory.choices, blank=True
    )
    title = models.CharField(_("案由"), max_length=200)
    reasons = models.TextField(_("理由"), blank=True)
    suggestions = models.TextField(_("建议"), blank=True)
    kind = models.CharField(
        _("提案类型"), max_length=10, choices=ProposalKind.choices, default=ProposalKind.INDIVIDUAL
    )
    # Null for a collective proposal (its contact person speaks for it).
    lead_proposer = models.ForeignKey(
        Member,
        verbose_name=_("领衔提案人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_proposals",
    )
    collective_source = models.CharField(
        _("提案单位"),
        max_length=100,
        blank=True,
        help_text=_("集体提案的党派、界别、专委会或委员工作室"),
    )
    contact_person = models.CharField(_("联系人"), max_length=30, blank=True)
    agrees_to_publish = models.BooleanField(_("同意公开"), default=False)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=ProposalStatus.choices,
        default=ProposalStatus.DRAFT,
        db_index=True,
    )
    # 第N号 within term + session, given by workflow.proposal_register, never reused.
    serial = models.PositiveIntegerField(_("序号"), null=True, blank=True, editable=False)
    # The number as shown (kept for the matter link): "57" for a session's 第57号, "闭会3" for the
    # third registered between sessions.
    number = models.CharField(_("案号"), max_length=30, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入提案"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_proposals",
    )
    not_registered_reason = models.CharField(
        _("不予立案理由"), max_length=20, choices=NotRegisteredReason.choices, blank=True
    )
    converted_to = models.CharField(
        _("转办方式"), max_length=10, choices=ConvertedTo.choices, blank=True, default=""
    )
    is_key = models.BooleanField(_("重点提案"), default=False)
    supervising_leader = models.CharField(_("督办领导"), max_length=60, blank=True)
    is_excellent = models.BooleanField(_("优秀提案"), default=False)
    # Co-signers confirm by this day; those who have not drop off when the office reviews.
    cosign_deadline = models.DateField(_("联名确认截止"), null=True, blank=True)
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    registered_at = models.DateTimeField(_("立案时间"), null=True, blank=True)
    assigned_at = models.DateTimeField(_("交办时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now, editable=False)

    objects = live_manager(ProposalQuerySet)
    all_objects = ProposalQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("提案")
        verbose_name_plural = _("提案")
        ordering = ["-year", "serial", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "session", "serial"],
                condition=Q(session__isnull=False, serial__isnull=False),
                name="unique_proposal_serial_per_session",
                violation_error_message=_("本次会议已有相同序号的提案。"),
            ),
            models.UniqueConstraint(
                fields=["term", "serial"],
                condition=Q(session__isnull=True, serial__isnull=False),
                name="unique_proposal_serial_between_sessions",
                violation_error_message=_("本届闭会期间已有相同序号的提案。"),
            ),
            models.CheckConstraint(
                condition=Q(serial__isnull=True) | Q(serial__gte=1), name="proposal_serial_positive"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=REGISTERED_OR_LATER) | Q(serial__isnull=False),
                name="registered_proposal_has_serial",
            ),
            models.CheckConstraint(
                condition=(Q(status=ProposalStatus.MERGED) & Q(merged_into__isnull=False))
                | (~Q(status=ProposalStatus.MERGED) & Q(merged_into__isnull=True)),
                name="merged_proposal_has_target",
            ),
            models.CheckConstraint(
                condition=~Q(status=ProposalStatus.NOT_REGISTERED) | ~Q(not_registered_reason=""),
                name="not_registered_proposal_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(converted_to="") | Q(status=ProposalStatus.NOT_REGISTERED),
                name="only_not_registered_proposal_converted",
            ),
        ]
        indexes = [
            models.Index(fields=["term", "session", "status"]),
            # Figures by year and the years covered (reports.statistics).
            models.Index(fields=["year", "status"]),
            # Every assignment read through visible_to checks its proposal is not in the trash:
            # probing this small index lets PostgreSQL do that for a unit's hundreds of
            # assignments, where it otherwise reads every proposal (the unit's home, issue 13).
            models.Index(
                fields=["id"], condition=Q(deleted_at__isnull=True), name="proposal_live_idx"
            ),
            # The office list's order (proposals.selectors.proposal_list_queryset): its first
            # page reads 30 rows, not the whole latest year sorted.
            models.Index(
                fields=["-year", "session", "serial", "-id"],
                condition=Q(deleted_at__isnull=True),
                name="proposal_list_order_idx",
            ),
            # The list's count of key proposals: a few rows among tens of thousands.
            models.Index(
                fields=["id"],
                condition=Q(is_key=True, deleted_at__isnull=True),
                name="proposal_key_idx",
            ),
        ]

    def __str__(self) -> str:
        if self.number:
            return f"{self.year}年{self.display_number} {self.title}"
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("proposals:detail", args=[self.pk])

    def url_for(self, user) -> str:
        """The page of this proposal that `user` can open: handling units have their own page
        of an assignment, members their portal page, everyone else the office page. Used by
        the notifications, which go to all three."""
        from cppcc.roles import Role, has_role, is_countywide

        if is_countywide(user):
            return self.get_absolute_url()
        if has_role(user, Role.UNIT):
            return reverse("proposals:unit_proposal", args=[self.pk])
        if has_role(user, Role.MEMBER):
            return reverse("proposals:portal_proposal", args=[self.pk])
        return ""

    @property
    def is_first(self) -> bool:
        """ "1号提案": the first registered of its session."""
        return self.serial == 1 and self.session_id is not None

    @property
    def display_number(self) -> str:
        """第57号 in a session's series, 闭会期间第3号 between sessions ("" before 立案)."""
        if self.serial is not None and self.session_id is None:
            return str(_("闭会期间第%(n)d号") % {"n": self.serial})
        return str(_("第%(n)s号") % {"n": self.number}) if self.number else ""

    def proposers_label(self) -> str:
        if self.kind == ProposalKind.COLLECTIVE:
            return self.collective_source
        return str(self.lead_proposer or "")


class CosignStatus(models.TextChoices):
    INVITED = "invited", _("待确认")
    CONFIRMED = "confirmed", _("已确认")
    DROPPED = "dropped", _("未确认已退出")


class ProposalCosigner(models.Model):
    """联名提案人: invited when the proposal is submitted, confirms within
    CPPCC_COSIGN_DAYS days, or drops off when the office reviews it."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("提案"), on_delete=models.CASCADE, related_name="cosigners"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("委员"), on_delete=models.PROTECT, related_name="cosigned_proposals"
    )
    status = models.CharField(
        _("确认状态"), max_length=10, choices=CosignStatus.choices, default=CosignStatus.INVITED
    )
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    # Kept with status (a DB check holds them together) for the lists that only ask "still on it?"
    dropped = models.BooleanField(_("已退出"), default=False)

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("联名提案人")
        verbose_name_plural = _("联名提案人")
        ordering = ["proposal", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "member"],
                name="unique_cosigner_per_proposal",
                violation_error_message=_("该委员已在联名名单中。"),
            ),
            models.CheckConstraint(
                condition=(Q(status=CosignStatus.DROPPED) & Q(dropped=True))
                | (~Q(status=CosignStatus.DROPPED) & Q(dropped=False)),
                name="cosigner_dropped_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(status=CosignStatus.CONFIRMED) | Q(confirmed_at__isnull=False),
                name="confirmed_cosigner_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"


class ProposalFile(models.Model):
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("提案"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("文件"), upload_to="proposals/files/%Y/")
    # The name the file had when uploaded (Chinese kept); downloads use it, not the storage path.
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("提案附件")
        verbose_name_plural = _("提案附件")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name or self.file.name


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("办理中")
    GIVE_BACK_REQUESTED = "give_back_requested", _("申请退回")
    GIVEN_BACK = "given_back", _("已退回")
    REPLIED = "replied", _("答复待审")
    RELEASED = "released", _("答复已发布")
    RATED = "rated", _("已评价")
    REHANDLING = "rehandling", _("重办中")


# The unit owes a reply in these (the overdue job and the unit's to-do list read them).
AWAITING_REPLY = (
    AssignmentStatus.ASSIGNED,
    AssignmentStatus.GIVE_BACK_REQUESTED,
    AssignmentStatus.REHANDLING,
)


class ProposalUnitQuerySet(models.QuerySet):
    def active(self) -> "ProposalUnitQuerySet":
        """Assignments still held (a granted give-back leaves its row, for the history)."""
        return self.exclude(status=AssignmentStatus.GIVEN_BACK)

    def visible_to(self, user) -> "ProposalUnitQuerySet":
        """Assignments of the proposals the user may see; a unit's login only its own."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        # A proposal in the trash takes its assignments off every list and unit home.
        live = self.filter(proposal__deleted_at__isnull=True)
        if is_countywide(user):
            return live
        rule = Q(pk__in=[])
        if has_role(user, Role.UNIT) and user.handling_unit_id:
            rule |= Q(unit_id=user.handling_unit_id) & ~Q(status=AssignmentStatus.GIVEN_BACK)
        if has_role(user, Role.MEMBER) and user.member_id:
            rule |= Q(proposal__in=Proposal.objects.visible_to(user).values("pk"))
        return live.filter(rule)


class ProposalUnit(models.Model):
    """承办: one unit's part in a proposal (the lead unit or an assisting one), with its due date,
    its give-back request, its replies and the proposer's ratings."""

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("提案"), on_delete=models.CASCADE, related_name="assignments"
    )
    unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        related_name="proposal_assignments",
    )
    is_lead = models.BooleanField(_("主办单位"), default=False)
    due_on = models.DateField(_("答复期限"))
    status = models.CharField(
        _("办理状态"),
        max_length=20,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.ASSIGNED,
        db_index=True,
    )
    assigned_at = models.DateTimeField(_("交办时间"), default=timezone.now)
    give_back_reason = models.TextField(_("申请退回理由"), blank=True)
    give_back_refused_reason = models.TextField(_("不同意退回理由"), blank=True)
    given_back_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    rehandle_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    # The highest overdue threshold already notified for due_on (proposals.reminders); reset
    # whenever due_on changes.
    reminder_level = models.PositiveSmallIntegerField(_("已提醒级别"), default=0, editable=False)

    objects = ProposalUnitQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("提案承办")
        verbose_name_plural = _("提案承办")
        ordering = ["proposal", "-is_lead", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(is_lead=True) & ~Q(status=AssignmentStatus.GIVEN_BACK),
                name="one_lead_unit_per_proposal",
                violation_error_message=_("一件提案只能有一个主办单位。"),
            ),
            models.UniqueConstraint(
                fields=["proposal", "unit"],
                condition=~Q(status=AssignmentStatus.GIVEN_BACK),
                name="unit_assigned_once_per_proposal",
                violation_error_message=_("该单位已承办此提案。"),
            ),
            models.CheckConstraint(
                condition=~Q(status=AssignmentStatus.GIVE_BACK_REQUESTED) | ~Q(give_back_reason=""),
                name="give_back_request_has_reason",
            ),
        ]
        indexes = [models.Index(fields=["unit", "status"]), models.Index(fields=["due_on"])]

    def __str__(self) -> str:
        role = _("主办") if self.is_lead else _("协办")
        return f"{self.unit}（{role}）"

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.status in AWAITING_REPLY and self.due_on < today


class AnswerType(models.TextChoices):
    SOLVED = "solved", _("解决或采纳")
    PLANNED = "planned", _("列入计划拟解决")
    REFERENCE = "reference", _("留作参考")


class ProposalReply(models.Model):
    """答复: a unit's answer, seen by the proposer only after the office releases it. A
    returned or re-handled reply is kept; the unit writes a new one."""

    assignment = models.ForeignKey(
        ProposalUnit, verbose_name=_("承办"), on_delete=models.CASCADE, related_name="replies"
    )
    answer_type = models.CharField(_("答复类型"), max_length=10, choices=AnswerType.choices)
    text = models.TextField(_("答复内容"))
    file = models.FileField(_("答复文件"), upload_to="proposals/replies/%Y/", blank=True)
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    submitted_at = models.DateTimeField(_("答复时间"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    released_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    returned_reason = models.TextField(_("退回理由"), blank=True)

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("提案答复")
        verbose_name_plural = _("提案答复")
        ordering = ["assignment", "submitted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assignment"],
                condition=Q(released_at__isnull=True, returned_at__isnull=True),
                name="one_pending_reply_per_assignment",
                violation_error_message=_("该单位已有一份待审核的答复。"),
            ),
            models.CheckConstraint(
                condition=Q(released_at__isnull=True) | Q(returned_at__isnull=True),
                name="reply_released_or_returned_not_both",
            ),
            models.CheckConstraint(
                condition=Q(returned_at__isnull=True) | ~Q(returned_reason=""),
                name="returned_reply_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assignment.unit} · {self.get_answer_type_display()}"

    @property
    def is_pending(self) -> bool:
        return self.released_at is None and self.returned_at is None


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASICALLY = "basically", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Communication(models.TextChoices):
    """How the unit talked with the proposer while handling it."""

    IN_PERSON = "in_person", _("当面沟通")
    PHONE = "phone", _("电话沟通")
    WRITTEN = "written", _("书面沟通")
    NONE = "none", _("未沟通")


class ProposalRating(models.Model):
    """测评: the proposer's rating of one released reply. 不满意 sends the unit back to work."""

    assignment = models.ForeignKey(
        ProposalUnit, verbose_name=_("承办"), on_delete=models.CASCADE, related_name="ratings"
    )
    reply = models.OneToOneField(
        ProposalReply, verbose_name=_("答复"), on_delete=models.CASCADE, related_name="rating"
    )
    rating = models.CharField(_("满意度"), max_length=12, choices=Rating.choices)
    communication = models.CharField(_("沟通情况"), max_length=10, choices=Communication.choices)
    note = models.TextField(_("意见"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), default=timezone.now)
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("答复评价")
        verbose_name_plural = _("答复评价")
        ordering = ["assignment", "rated_at", "id"]

    def __str__(self) -> str:
        return f"{self.assignment.unit} · {self.get_rating_display()}"


class SupervisionMeeting(models.Model):
    """督办会: a meeting at which the supervising leader of a key proposal (重点提案) checks on
    its handling with the units. Recorded by the office, with its real date, through
    proposals.services.record_supervision_meeting."""

    proposal = models.ForeignKey(
        Proposal,
        verbose_name=_("提案"),
        on_delete=models.CASCADE,
        related_name="supervision_meetings",
    )
    held_on = models.DateField(_("督办日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    leader = models.CharField(_("督办领导"), max_length=60)
    units = models.ManyToManyField(
        HandlingUnit, verbose_name=_("参加单位"), blank=True, related_name="supervision_meetings"
    )
    summary = models.TextField(_("督办情况"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("重点提案督办会")
        verbose_name_plural = _("重点提案督办会")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.held_on:%Y-%m-%d} {self.leader}"


# --- public-opinion information (社情民意) ---
# Owned by the opinion-report flow (proposals/opinion_workflow.py); the Proposal flow above
# does not depend on anything below.


class OpinionStatus(models.TextChoices):
    SUBMITTED = "submitted", _("已提交")
    EDITED = "edited", _("已编辑")
    FORWARDED = "forwarded", _("已报送")
    ADOPTED = "adopted", _("已采用")
    NOT_ADOPTED = "not_adopted", _("未采用")


OPINION_STATUS_CSS = {
    OpinionStatus.SUBMITTED: "text-bg-secondary",
    OpinionStatus.EDITED: "text-bg-info",
    OpinionStatus.FORWARDED: "text-bg-primary",
    OpinionStatus.ADOPTED: "text-bg-success",
    OpinionStatus.NOT_ADOPTED: "text-bg-light border",
}


class AdoptionLevel(models.TextChoices):
    """Who adopted a report (and the level of a leader's instruction); lowest first."""

    DISTRICT = "district", _("区")
    CITY = "city", _("市")
    PROVINCE = "province", _("省")
    NATIONAL = "national", _("全国")


class OpinionReportQuerySet(models.QuerySet):
    def visible_to(self, user) -> "OpinionReportQuerySet":
        """The one access rule for opinion reports; every page and API list starts here.

        Admin, office and leaders: all. A town clerk: the reports of their town's studios. A
        member: the reports they are an author of. Handling units and anyone else: none."""
        from cppcc.roles import clerk_town_id

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_countywide(user):
            return self
        town_id = clerk_town_id(user)
        if town_id is not None:
            return self.filter(studio__town_id=town_id)
        if has_role(user, Role.MEMBER) and user.member_id:
            # A subquery, not a join: a report is one row however many authors it has.
            mine = OpinionReport.members.through.objects.filter(member_id=user.member_id)
            return self.filter(pk__in=mine.values("opinionreport_id"))
        return self.none()


class OpinionReport(models.Model):
    """社情民意信息: a short report of residents' concerns, from members or information officers.

    Its status moves only through proposals.opinion_workflow (each move a Transition row); the
    office's edited version is kept beside the original, which is never overwritten.
    """

    title = models.CharField(_("标题"), max_length=200)
    situation = models.TextField(_("情况"))
    suggestion = models.TextField(_("建议"))
    members = models.ManyToManyField(
        Member, verbose_name=_("委员作者"), related_name="opinion_reports", blank=True
    )
    officer_names = models.CharField(
        _("信息员"), max_length=100, blank=True, help_text=_("非委员的信息员姓名，多人用顿号分隔")
    )
    studio = models.ForeignKey(
        "studios.Studio",
        verbose_name=_("委员工作室"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinion_reports",
    )
    sector_group = models.CharField(_("界别 / 党派组别"), max_length=60, blank=True)
    submitted_on = models.DateField(_("提交日期"))
    status = models.CharField(
        _("状态"), max_length=20, choices=OpinionStatus.choices, default=OpinionStatus.SUBMITTED
    )
    edited_title = models.CharField(_("编辑后标题"), max_length=200, blank=True)
    edited_text = models.TextField(_("编辑稿"), blank=True)
    forwarded_to = models.CharField(_("报送单位"), max_length=100, blank=True)
    forwarded_on = models.DateField(_("报送日期"), null=True, blank=True)
    not_adopted_reason = models.CharField(_("未采用原因"), max_length=200, blank=True)
    # A proposal not registered (不予立案) may be turned into public-opinion information.
    source_proposal = models.ForeignKey(
        Proposal,
        verbose_name=_("转自提案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="opinion_reports",
    )
    created_by = models.ForeignKey(
        "cppcc.User",
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = OpinionReportQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("社情民意信息")
        verbose_name_plural = _("社情民意信息")
        ordering = ["-submitted_on", "-id"]
        indexes = [
            models.Index(fields=["status", "submitted_on"]),
            models.Index(fields=["submitted_on"]),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("proposals:opinion_detail", args=[self.pk])

    @property
    def shown_title(self) -> str:
        """The edited title once the office has edited the report, else the original."""
        return self.edited_title or self.title

    @property
    def status_css(self) -> str:
        """The Bootstrap badge of the status, for the list, the report page and the portal."""
        return OPINION_STATUS_CSS.get(self.status, "text-bg-secondary")


class OpinionAdoption(models.Model):
    """One level's adoption of a report (区 / 市 / 省 / 全国), with where it was printed."""

    report = models.ForeignKey(
        OpinionReport,
        verbose_name=_("社情民意信息"),
        on_delete=models.CASCADE,
        related_name="adoptions",
    )
    level = models.CharField(_("采用层级"), max_length=10, choices=AdoptionLevel.choices)
    adopted_on = models.DateField(_("采用日期"))
    source = models.CharField(
        _("采用载体"), max_length=100, help_text=_("如：市政协《社情民意》第12期")
    )
    recorded_by = models.ForeignKey(
        "cppcc.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("采用情况")
        verbose_name_plural = _("采用情况")
        ordering = ["adopted_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "level"],
                name="one_adoption_per_report_level",
                violation_error_message=_("该信息在此层级的采用已登记。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.source}"


class LeaderInstruction(models.Model):
    """批示: a leader's written instruction on a report."""

    report = models.ForeignKey(
        OpinionReport,
        verbose_name=_("社情民意信息"),
        on_delete=models.CASCADE,
        related_name="instructions",
    )
    level = models.CharField(_("批示层级"), max_length=10, choices=AdoptionLevel.choices)
    leader = models.CharField(_("批示领导"), max_length=60)
    text = models.TextField(_("批示内容"))
    instructed_on = models.DateField(_("批示日期"))
    recorded_by = models.ForeignKey(
        "cppcc.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        ordering = ["instructed_on", "id"]

    def __str__(self) -> str:
        return f"{self.leader}：{self.text[:20]}"
