from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cppcc.models import HistoryIPAddress
from cppcc.roles import Role, clerk_town_id, has_role, is_countywide
from cppcc.softdelete import SoftDeleteModel, live_manager
from cppcc.versioning import VersionedModel

from .validators import validate_id_number, validate_mobile


class Term(models.Model):
    name = models.CharField(_("届次"), max_length=30, unique=True, help_text=_("如：第十五届"))
    start_year = models.PositiveSmallIntegerField(_("起始年份"))
    end_year = models.PositiveSmallIntegerField(_("截止年份"))
    is_current = models.BooleanField(_("本届"), default=False)

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("届次")
        verbose_name_plural = _("届次")
        ordering = ["-start_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_term"
            ),
            models.CheckConstraint(
                condition=Q(end_year__gte=models.F("start_year")), name="term_years_ordered"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SessionKind(models.TextChoices):
    PLENARY = "plenary", _("全体会议")
    STANDING = "standing", _("常委会议")
    CHAIR = "chair", _("主席会议")


class SessionAudience(models.TextChoices):
    ALL = "all", _("全体委员")
    STANDING = "standing", _("常委")
    CHAIR = "chair", _("主席会议成员")


class CommitteeSessionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "CommitteeSessionQuerySet":
        """Office, admin and leaders: every session. A member: the sessions of the terms they
        serve (their own attendance is scoped separately). Town clerks and units: none."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_countywide(user):
            return self
        if has_role(user, Role.MEMBER) and user.member_id:
            return self.filter(term__members=user.member_id)
        return self.none()


class CommitteeSession(models.Model):
    """会议: a term's plenary session (第十五届第三次会议), a standing-committee meeting or a
    chairpersons' meeting. Proposals are filed to a plenary session (or between sessions) and
    plenary attendance counts toward duty records."""

    term = models.ForeignKey(
        Term, verbose_name=_("届次"), on_delete=models.PROTECT, related_name="sessions"
    )
    kind = models.CharField(_("会议类型"), max_length=10, choices=SessionKind.choices)
    name = models.CharField(_("会议名称"), max_length=60, help_text=_("如：第十五届第三次会议"))
    # The 第N次 of its kind within the term; plenary sessions number their proposals by it.
    ordinal = models.PositiveSmallIntegerField(_("次序"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    audience = models.CharField(
        _("应出席"), max_length=10, choices=SessionAudience.choices, default=SessionAudience.ALL
    )
    # Proposals to this session are accepted between these dates (plenary sessions only).
    proposals_open_on = models.DateField(_("提案征集开始"), null=True, blank=True)
    proposals_close_on = models.DateField(_("提案征集截止"), null=True, blank=True)

    objects = CommitteeSessionQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-starts_on", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["term", "kind", "ordinal"],
                name="one_session_per_ordinal",
                violation_error_message=_("本届已有同类型、同次序的会议。"),
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="session_dates_ordered",
                violation_error_message=_("结束日期不能早于开始日期。"),
            ),
            models.CheckConstraint(
                condition=Q(proposals_open_on__isnull=True)
                | Q(proposals_close_on__isnull=True)
                | Q(proposals_close_on__gte=models.F("proposals_open_on")),
                name="session_proposal_window_ordered",
                violation_error_message=_("提案征集截止日期不能早于开始日期。"),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:session_detail", args=[self.pk])

    @property
    def has_started(self) -> bool:
        """Leave may be asked for only before this; attendance is recorded only after."""
        from django.utils import timezone

        return self.starts_on <= timezone.localdate()


class AttendanceStatus(models.TextChoices):
    # The same codes as studios.Attendance, so every attendance sheet and figure reads alike.
    PRESENT = "present", _("出席")
    LEAVE = "leave", _("请假")
    ABSENT = "absent", _("缺席")


class SessionAttendanceQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SessionAttendanceQuerySet":
        """Office, admin and leaders: every row; a member: only their own; anyone else: none."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_countywide(user):
            return self
        if has_role(user, Role.MEMBER) and user.member_id:
            return self.filter(member_id=user.member_id)
        return self.none()


class SessionAttendance(models.Model):
    """Whether an expected member attended a session; written only through
    members.services.save_session_attendance."""

    session = models.ForeignKey(
        CommitteeSession,
        verbose_name=_("会议"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    member = models.ForeignKey(
        "Member",
        verbose_name=_("委员"),
        on_delete=models.PROTECT,
        related_name="session_attendances",
    )
    status = models.CharField(
        _("出勤"),
        max_length=10,
        choices=AttendanceStatus.choices,
        default=AttendanceStatus.PRESENT,
    )
    leave_reason = models.CharField(_("请假事由"), max_length=200, blank=True)

    objects = SessionAttendanceQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("会议出勤")
        verbose_name_plural = _("会议出勤")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"],
                name="one_session_attendance_per_member",
                violation_error_message=_("同一委员在同一会议只能登记一次出勤。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.session} · {self.member} · {self.get_status_display()}"


class LeaveStatus(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REFUSED = "refused", _("未批准")


# A member has at most one request that still counts (waiting or granted) per session; after a
# refusal they may ask again.
OPEN_LEAVE = (LeaveStatus.PENDING, LeaveStatus.APPROVED)


class LeaveRequestQuerySet(models.QuerySet):
    def visible_to(self, user) -> "LeaveRequestQuerySet":
        """Office, admin and leaders: all; a member: their own; anyone else: none."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_countywide(user):
            return self
        if has_role(user, Role.MEMBER) and user.member_id:
            return self.filter(member_id=user.member_id)
        return self.none()


class LeaveRequest(models.Model):
    """A member's 请假 for a session, filed before it starts and decided by the office
    (members.workflow: leave_request_file / _approve / _refuse)."""

    session = models.ForeignKey(
        CommitteeSession,
        verbose_name=_("会议"),
        on_delete=models.CASCADE,
        related_name="leave_requests",
    )
    member = models.ForeignKey(
        "Member",
        verbose_name=_("委员"),
        on_delete=models.PROTECT,
        related_name="leave_requests",
    )
    reason = models.CharField(_("请假事由"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=10, choices=LeaveStatus.choices, default=LeaveStatus.PENDING
    )
    filed_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)

    objects = LeaveRequestQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("请假申请")
        verbose_name_plural = _("请假申请")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"],
                condition=Q(status__in=["pending", "approved"]),
                name="one_open_leave_request_per_member",
                violation_error_message=_("您已提交过该会议的请假申请。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.session} · {self.get_status_display()}"


class Sector(models.Model):
    """界别: an editable table, loaded with the usual list (members.services.DEFAULT_SECTORS)."""

    name = models.CharField(_("界别名称"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("界别")
        verbose_name_plural = _("界别")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class SpecialCommittee(models.Model):
    """专委会: an editable table."""

    name = models.CharField(_("专委会名称"), max_length=50, unique=True)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)
    is_active = models.BooleanField(_("启用"), default=True)

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("专委会")
        verbose_name_plural = _("专委会")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class PartyAffiliation(models.TextChoices):
    CPC = "cpc", _("中共党员")
    RCCK = "rcck", _("民革党员")
    CDL = "cdl", _("民盟盟员")
    CNDCA = "cndca", _("民建会员")
    CAPD = "capd", _("民进会员")
    CPWDP = "cpwdp", _("农工党党员")
    CZGP = "czgp", _("致公党党员")
    JS = "js", _("九三学社社员")
    TDSGL = "tdsgl", _("台盟盟员")
    NON_PARTY = "non_party", _("无党派人士")
    MASSES = "masses", _("群众")


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Post(models.TextChoices):
    CHAIR = "chair", _("主席")
    VICE_CHAIR = "vice_chair", _("副主席")
    SECRETARY_GENERAL = "secretary_general", _("秘书长")
    STANDING = "standing", _("常委")
    MEMBER = "member", _("委员")


# The standing committee (常委会): the chair, vice-chairs and secretary-general sit on it with the
# 常委; a session whose audience is "standing" expects these posts.
STANDING_COMMITTEE_POSTS = (Post.CHAIR, Post.VICE_CHAIR, Post.SECRETARY_GENERAL, Post.STANDING)
# The chairpersons' meeting (主席会议): the chair, the vice-chairs and the secretary-general.
CHAIRPERSONS_POSTS = (Post.CHAIR, Post.VICE_CHAIR, Post.SECRETARY_GENERAL)
# Who a session expects, by its audience; an audience not named here expects every member.
AUDIENCE_POSTS = {
    SessionAudience.STANDING: STANDING_COMMITTEE_POSTS,
    SessionAudience.CHAIR: CHAIRPERSONS_POSTS,
}


class Level(models.TextChoices):
    DISTRICT = "district", _("区政协委员")
    CITY = "city", _("区政协委员、市政协委员")


class MemberStatus(models.TextChoices):
    ACTIVE = "active", _("在任")
    LEFT = "left", _("退出")


class MemberQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=MemberStatus.ACTIVE)

    def visible_to(self, user) -> "MemberQuerySet":
        """The one access rule for members; every page and API list starts here.

        Admin, office and leaders: every member. A town clerk: the members of their town's
        studios (current memberships). A member: only themself. Handling units: none."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_countywide(user):
            return self
        town_id = clerk_town_id(user)
        if town_id is not None:
            # A subquery, not a join, so a member in two of the town's studios is one row.
            # _base_manager: the trash (all_objects.visible_to) lists the town's deleted members.
            in_town = Member._base_manager.filter(
                studio_memberships__studio__town_id=town_id,
                studio_memberships__end_on__isnull=True,
            ).values("pk")
            return self.filter(pk__in=in_town)
        if has_role(user, Role.MEMBER) and user.member_id:
            return self.filter(pk=user.member_id)
        return self.none()


class Member(SoftDeleteModel, VersionedModel):
    name = models.CharField(_("姓名"), max_length=30)
    # Sort and search keys, kept by members.services (pypinyin with a surname override map).
    name_pinyin = models.CharField(
        _("姓名拼音"), max_length=120, blank=True, db_index=True, editable=False
    )
    name_initials = models.CharField(
        _("拼音首字母"), max_length=20, blank=True, db_index=True, editable=False
    )
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    id_number = models.CharField(
        _("身份证号"), max_length=18, blank=True, validators=[validate_id_number]
    )
    mobile = models.CharField(
        _("手机号码"), max_length=20, blank=True, validators=[validate_mobile]
    )
    employer = models.CharField(_("工作单位"), max_length=100, blank=True)
    job_title = models.CharField(_("职务"), max_length=100, blank=True)
    expertise = models.CharField(_("专业特长"), max_length=200, blank=True)
    sector = models.ForeignKey(
        Sector, verbose_name=_("界别"), on_delete=models.PROTECT, related_name="members"
    )
    party = models.CharField(_("政治面貌"), max_length=20, choices=PartyAffiliation.choices)
    special_committee = models.ForeignKey(
        SpecialCommittee,
        verbose_name=_("专委会"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="members",
    )
    post = models.CharField(_("政协职务"), max_length=20, choices=Post.choices, default=Post.MEMBER)
    level = models.CharField(
        _("委员层级"), max_length=10, choices=Level.choices, default=Level.DISTRICT
    )
    terms = models.ManyToManyField(
        Term, verbose_name=_("任职届次"), related_name="members", blank=True
    )
    wishes = models.TextField(_("履职意愿"), blank=True)
    photo = models.ImageField(_("照片"), upload_to="members/photos/", blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=MemberStatus.choices, default=MemberStatus.ACTIVE
    )
    left_on = models.DateField(_("退出日期"), null=True, blank=True)
    left_reason = models.CharField(_("退出原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = live_manager(MemberQuerySet)
    all_objects = MemberQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress], excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("委员")
        verbose_name_plural = _("委员")
        ordering = ["name_pinyin", "id"]
        permissions = [("view_member_sensitive", _("可查看委员身份证号、手机号、出生日期全文"))]
        constraints = [
            # A member who left keeps their record; the number may then return on a new record,
            # as it may when the record is in the trash (restoring it then is refused).
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(status="active", deleted_at__isnull=True) & ~Q(id_number=""),
                name="unique_id_number_among_active",
                violation_error_message=_("在任委员中已有相同身份证号。"),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "sector"]),
            models.Index(fields=["status", "party"]),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:detail", args=[self.pk])

    def get_photo_url(self) -> str:
        # The scoped view (members.views.member_photo), never MEDIA_URL; the admin's
        # cppcc.files.ScopedFileInput looks for get_<field>_url.
        return reverse("members:photo", args=[self.pk])

    @property
    def is_party_member(self) -> bool:
        return self.party == PartyAffiliation.CPC


class SensitiveAccess(models.Model):
    """A person opened the full ID number, mobile or birth date of a member (audited)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="sensitive_accesses")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    fields = models.CharField(_("查看字段"), max_length=100)
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("敏感信息查看记录")
        verbose_name_plural = _("敏感信息查看记录")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.user} · {self.member} · {self.fields}"


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("已退回")


class MemberChangeRequest(models.Model):
    """A member's correction of their own contact details or wishes, applied after staff review."""

    # The fields a member may ask to change; anything else is refused by the form and service.
    EDITABLE_FIELDS = ("mobile", "employer", "job_title", "expertise", "wishes")

    member = models.ForeignKey(
        Member, verbose_name=_("委员"), on_delete=models.CASCADE, related_name="change_requests"
    )
    changes = models.JSONField(_("申请修改内容"))
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=ChangeRequestStatus.choices,
        default=ChangeRequestStatus.PENDING,
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审核人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    review_note = models.CharField(_("审核意见"), max_length=200, blank=True)

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("委员信息修改申请")
        verbose_name_plural = _("委员信息修改申请")
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"


class DutyKind(models.TextChoices):
    # Values are fixed: the ledger, the points rules and other apps' figures store them.
    PLENARY_PRESENT = "plenary_present", _("出席全体会议")
    PLENARY_LEAVE = "plenary_leave", _("全体会议请假")
    PLENARY_ABSENT = "plenary_absent", _("全体会议无故缺席")
    STANDING_PRESENT = "standing_present", _("出席常委会议")
    STANDING_LEAVE = "standing_leave", _("常委会议请假")
    STANDING_ABSENT = "standing_absent", _("常委会议无故缺席")
    CONSULTATION_MEETING = "consultation_meeting", _("参加协商会议")
    STUDIO_ACTIVITY = "studio_activity", _("参加工作室活动")
    DUTY_DAY = "duty_day", _("驻站值日")
    PROPOSAL_LEAD = "proposal_lead", _("领衔提案")
    PROPOSAL_COSIGN = "proposal_cosign", _("联名提案")
    PROPOSAL_REGISTERED = "proposal_registered", _("提案立案")
    PROPOSAL_KEY = "proposal_key", _("重点提案")
    PROPOSAL_EXCELLENT = "proposal_excellent", _("优秀提案")
    OPINION_SUBMITTED = "opinion_submitted", _("报送社情民意")
    OPINION_ADOPTED_DISTRICT = "opinion_adopted_district", _("社情民意被区采用")
    OPINION_ADOPTED_CITY = "opinion_adopted_city", _("社情民意被市采用")
    OPINION_ADOPTED_PROVINCE = "opinion_adopted_province", _("社情民意被省采用")
    OPINION_ADOPTED_NATIONAL = "opinion_adopted_national", _("社情民意被全国采用")
    OPINION_INSTRUCTION = "opinion_instruction", _("社情民意获领导批示")
    HONORARY_HEAD = "honorary_head", _("担任名誉村主任")
    CONTACT_RECORD = "contact_record", _("联系党外委员")


class DutyCategory(models.TextChoices):
    # The axes of the member's radar chart.
    MEETINGS = "meetings", _("会议出勤")
    CONSULTATION = "consultation", _("协商议事")
    STUDIO = "studio", _("工作室履职")
    PROPOSALS = "proposals", _("提案工作")
    OPINIONS = "opinions", _("社情民意")
    VILLAGE = "village", _("名誉村主任")
    CONTACT = "contact", _("联系委员")


def _category_of(kind: str) -> str:
    prefixes = {
        "plenary_": DutyCategory.MEETINGS,
        "standing_": DutyCategory.MEETINGS,
        "consultation_": DutyCategory.CONSULTATION,
        "studio_": DutyCategory.STUDIO,
        "duty_day": DutyCategory.STUDIO,
        "proposal_": DutyCategory.PROPOSALS,
        "opinion_": DutyCategory.OPINIONS,
        "honorary_": DutyCategory.VILLAGE,
        "contact_": DutyCategory.CONTACT,
    }
    return next(str(cat) for prefix, cat in prefixes.items() if kind.startswith(prefix))


# Every DutyKind value -> its DutyCategory value (used by the radar chart and the rules page).
KIND_CATEGORY: dict[str, str] = {str(kind): _category_of(kind) for kind in DutyKind.values}


class PointsRule(models.Model):
    """履职量化考核办法: the points of one duty kind from a date on. The rule for an entry is the
    latest of its kind with effective_from on or before the entry's date; no rule: 0 points."""

    kind = models.CharField(_("履职类型"), max_length=40, choices=DutyKind.choices)
    points = models.DecimalField(
        _("每次积分"),
        max_digits=6,
        decimal_places=1,
        help_text=_("负数表示扣分"),
    )
    yearly_cap = models.DecimalField(
        _("年度上限"),
        max_digits=7,
        decimal_places=1,
        null=True,
        blank=True,
        help_text=_("委员一年内从该类型最多可得（或被扣）的分值；留空表示不设上限"),
    )
    effective_from = models.DateField(_("生效日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("积分规则")
        verbose_name_plural = _("积分规则")
        ordering = ["kind", "-effective_from"]
        unique_together = [("kind", "effective_from")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.points} · {self.effective_from}"


class DutyEntryQuerySet(models.QuerySet):
    def visible_to(self, user) -> "DutyEntryQuerySet":
        """The entries of the members the person may see (Member.objects.visible_to)."""
        return self.filter(member__in=Member.objects.visible_to(user).values("pk"))


class DutyEntry(models.Model):
    """履职档案: one duty a member performed, derived from its source record by members.duty
    (never typed in); rebuilt whenever the source or the points rules change."""

    member = models.ForeignKey(
        Member, verbose_name=_("委员"), on_delete=models.CASCADE, related_name="duty_entries"
    )
    kind = models.CharField(_("履职类型"), max_length=40, choices=DutyKind.choices)
    date = models.DateField(_("履职日期"))
    year = models.PositiveSmallIntegerField(_("年度"))
    # After the rule in force on `date` and the kind's yearly cap.
    points = models.DecimalField(_("积分"), max_digits=6, decimal_places=1)
    # "<app_label>.<model>:<pk>" of the source record.
    source = models.CharField(_("来源"), max_length=80)
    title = models.CharField(_("履职事项"), max_length=200)
    url = models.CharField(_("链接"), max_length=200, blank=True)

    objects = DutyEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("履职记录")
        verbose_name_plural = _("履职记录")
        ordering = ["-date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "kind", "source"], name="one_duty_entry_per_source"
            )
        ]
        indexes = [
            models.Index(fields=["year", "member"]),
            models.Index(fields=["year", "kind"]),
            # The office's "no points this year" flag (members.duty._flag_rules) reads only the
            # members with a positive entry: an index-only scan of these, not every entry of
            # the year from the heap (17 ms of the office home's 45 ms statement at S=10).
            models.Index(
                fields=["year", "member"],
                condition=models.Q(points__gt=0),
                name="dutyentry_scored_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} · {self.get_kind_display()} · {self.date}"
