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
from members.models import Member, SpecialCommittee, Term


class TownKind(models.TextChoices):
    TOWN = "town", _("镇")
    STREET = "street", _("街道")


class ScopedQuerySet(models.QuerySet):
    """Town-scoped records, and the access rule they share. `town_path` names the lookup from
    the model to its Town; `member_q()` says which rows a member may see (by default: those of
    their current studios)."""

    town_path = "town"
    studio_path = "studio"

    def member_q(self, member_id: int) -> Q:
        return Q(
            **{
                f"{self.studio_path}__memberships__member_id": member_id,
                f"{self.studio_path}__memberships__end_on__isnull": True,
            }
        )

    def visible_to(self, user):
        """The access rule of every town-scoped record: county roles see all; a town clerk sees
        their town's rows; a member sees the rows of their own studios (or their own rows, as
        member_q says); anyone else sees nothing. A queryset that widens it for another role
        (consultations' handling units) calls super().visible_to for the rest.

        The subqueries read `_base_manager`, so that `all_objects.visible_to` (the trash) keeps
        deleted rows while `objects.visible_to` has already left them out."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_countywide(user):
            return self
        town_id = clerk_town_id(user)
        if town_id is not None:
            if "__" not in self.town_path:
                # The row's own column: a plain condition the planner reads through the town's
                # index. As `pk IN (subquery)` it scanned the whole table when another condition
                # was ORed in (a town's meetings: 9 ms instead of 1 at ten counties' scale).
                return self.filter(**{self.town_path: town_id})
            return self.filter(
                pk__in=self.model._base_manager.filter(**{self.town_path: town_id}).values("pk")
            )
        if has_role(user, Role.MEMBER) and user.member_id:
            return self.filter(
                pk__in=self.model._base_manager.filter(self.member_q(user.member_id)).values("pk")
            )
        return self.none()


class TownQuerySet(ScopedQuerySet):
    town_path = "pk"
    studio_path = "studios"


class Town(models.Model):
    name = models.CharField(_("镇街名称"), max_length=30, unique=True)
    kind = models.CharField(
        _("类型"), max_length=10, choices=TownKind.choices, default=TownKind.TOWN
    )
    office_name = models.CharField(_("政协工作办公室"), max_length=100, blank=True)
    office_address = models.CharField(_("办公室地址"), max_length=200, blank=True)
    united_front_officer = models.ForeignKey(
        Member,
        verbose_name=_("统战委员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="officer_of_towns",
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    objects = TownQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("镇街")
        verbose_name_plural = _("镇街")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class VillageKind(models.TextChoices):
    VILLAGE = "village", _("村")
    COMMUNITY = "community", _("社区")


class VillageQuerySet(ScopedQuerySet):
    town_path = "town"
    studio_path = "town__studios"


class Village(models.Model):
    town = models.ForeignKey(
        Town, verbose_name=_("所属镇街"), on_delete=models.PROTECT, related_name="villages"
    )
    name = models.CharField(_("村/社区名称"), max_length=30)
    kind = models.CharField(
        _("类型"), max_length=10, choices=VillageKind.choices, default=VillageKind.VILLAGE
    )
    has_consultation_room = models.BooleanField(_("设有协商议事室"), default=False)

    objects = VillageQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("村/社区")
        verbose_name_plural = _("村/社区")
        ordering = ["town__order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["town", "name"], name="unique_village_in_town")
        ]

    def __str__(self) -> str:
        return f"{self.town.name}{self.name}" if self.town_id else self.name


class StudioKind(models.TextChoices):
    TOWN = "town", _("镇街委员工作室")
    SECTOR = "sector", _("界别/行业委员工作室")


class StudioLevel(models.TextChoices):
    DISTRICT = "district", _("区级")
    CITY = "city", _("市级")


# The "六有" standard: (field suffix, label). Used by the model, forms, list and API.
SIX_HAS = (
    ("venue", _("有阵地")),
    ("sign", _("有标识")),
    ("rules", _("有制度")),
    ("process", _("有流程")),
    ("activities", _("有活动")),
    ("results", _("有成果")),
)
# The checklist's fields in form order (flag, then its evidence), for forms, services and the API.
SIX_HAS_FIELDS = tuple(
    name for key, _label in SIX_HAS for name in (f"has_{key}", f"{key}_evidence")
)


class StudioQuerySet(ScopedQuerySet):
    town_path = "town"

    def member_q(self, member_id: int) -> Q:
        return Q(memberships__member_id=member_id, memberships__end_on__isnull=True)


class Studio(models.Model):
    name = models.CharField(_("工作室名称"), max_length=60, unique=True)
    kind = models.CharField(
        _("类型"), max_length=10, choices=StudioKind.choices, default=StudioKind.TOWN
    )
    # A town studio belongs to its town; a sector studio may sit in a town or county-wide.
    town = models.ForeignKey(
        Town,
        verbose_name=_("所在镇街"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="studios",
    )
    host_unit = models.CharField(_("依托单位"), max_length=100, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    level = models.CharField(
        _("级别"), max_length=10, choices=StudioLevel.choices, default=StudioLevel.DISTRICT
    )
    city_level_named_on = models.DateField(_("命名市级工作室日期"), null=True, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    leader = models.ForeignKey(
        Member,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_studios",
    )
    has_venue = models.BooleanField(_("有阵地"), default=False)
    has_sign = models.BooleanField(_("有标识"), default=False)
    has_rules = models.BooleanField(_("有制度"), default=False)
    has_process = models.BooleanField(_("有流程"), default=False)
    has_activities = models.BooleanField(_("有活动"), default=False)
    has_results = models.BooleanField(_("有成果"), default=False)
    venue_evidence = models.CharField(_("阵地佐证"), max_length=200, blank=True)
    sign_evidence = models.CharField(_("标识佐证"), max_length=200, blank=True)
    rules_evidence = models.CharField(_("制度佐证"), max_length=200, blank=True)
    process_evidence = models.CharField(_("流程佐证"), max_length=200, blank=True)
    activities_evidence = models.CharField(_("活动佐证"), max_length=200, blank=True)
    results_evidence = models.CharField(_("成果佐证"), max_length=200, blank=True)

    objects = StudioQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("委员工作室")
        verbose_name_plural = _("委员工作室")
        ordering = ["kind", "town__order", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["town"], condition=Q(kind="town"), name="one_town_studio_per_town"
            ),
            models.CheckConstraint(
                condition=~Q(kind="town") | Q(town__isnull=False), name="town_studio_has_town"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("studios:detail", args=[self.pk])

    @property
    def six_has(self) -> list[tuple[str, bool, str]]:
        return [
            (label, getattr(self, f"has_{key}"), getattr(self, f"{key}_evidence"))
            for key, label in SIX_HAS
        ]

    @property
    def six_has_met(self) -> int:
        return sum(1 for key, _label in SIX_HAS if getattr(self, f"has_{key}"))


class MembershipRole(models.TextChoices):
    MEMBER = "member", _("驻室委员")
    CORE = "core", _("核心委员")
    LINKED = "linked", _("联动委员")


class MembershipQuerySet(ScopedQuerySet):
    town_path = "studio__town"

    def member_q(self, member_id: int) -> Q:
        return Q(member_id=member_id)

    def current(self):
        return self.filter(end_on__isnull=True)


class StudioMembership(models.Model):
    member = models.ForeignKey(
        Member, verbose_name=_("委员"), on_delete=models.PROTECT, related_name="studio_memberships"
    )
    studio = models.ForeignKey(
        Studio, verbose_name=_("工作室"), on_delete=models.PROTECT, related_name="memberships"
    )
    term = models.ForeignKey(
        Term, verbose_name=_("届次"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(
        _("角色"), max_length=10, choices=MembershipRole.choices, default=MembershipRole.MEMBER
    )
    # Copied from the studio by studios.services so the database can hold the rule
    # "one current town studio per member per term" as a partial unique constraint.
    is_town_studio = models.BooleanField(default=False, editable=False)
    start_on = models.DateField(_("起始日期"))
    end_on = models.DateField(_("截止日期"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("工作室成员")
        verbose_name_plural = _("工作室成员")
        ordering = ["studio", "role", "member__name_pinyin"]
        constraints = [
            models.UniqueConstraint(
                fields=["member", "term"],
                condition=Q(is_town_studio=True, end_on__isnull=True),
                name="one_town_studio_per_member_per_term",
                violation_error_message=_("该委员本届已在一个镇街委员工作室。"),
            ),
            models.UniqueConstraint(
                fields=["member", "studio"],
                condition=Q(end_on__isnull=True),
                name="one_current_membership_per_studio",
            ),
            # Backs studios.services: a town studio's members are 驻室委员, a sector studio's are
            # core or linked, so is_town_studio can never disagree with the role it was set with.
            models.CheckConstraint(
                condition=Q(is_town_studio=True, role="member")
                | Q(is_town_studio=False, role__in=["core", "linked"]),
                name="membership_role_matches_studio_kind",
            ),
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="membership_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.studio} · {self.member}"


class PartyBranch(models.Model):
    """专委会功能型党支部: one per special committee."""

    special_committee = models.OneToOneField(
        SpecialCommittee,
        verbose_name=_("专委会"),
        on_delete=models.PROTECT,
        related_name="party_branch",
    )
    name = models.CharField(_("党支部名称"), max_length=60, unique=True)
    secretary = models.CharField(_("支部书记"), max_length=30, blank=True)

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("专委会功能型党支部")
        verbose_name_plural = _("专委会功能型党支部")
        ordering = ["special_committee__order"]

    def __str__(self) -> str:
        return self.name


class PartyGroupQuerySet(ScopedQuerySet):
    town_path = "studio__town"


class PartyGroup(models.Model):
    """党小组 of a studio. Its members are the studio's Party members and its guiding branch is the
    branch of the leader's special committee: both derived (studios.selectors), never stored, so
    they stay right when a member joins or the leader changes committee."""

    studio = models.OneToOneField(
        Studio, verbose_name=_("工作室"), on_delete=models.PROTECT, related_name="party_group"
    )
    name = models.CharField(_("党小组名称"), max_length=60)
    leader = models.ForeignKey(
        Member, verbose_name=_("组长"), on_delete=models.PROTECT, related_name="led_party_groups"
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    # Set by studios.services when the leader stops being eligible (no longer a Party member,
    # or left the committee); cleared when a new leader is appointed. Read by the to-do lists.
    leader_vacant_since = models.DateTimeField(_("组长待调整时间"), null=True, blank=True)
    leader_vacant_reason = models.CharField(_("组长待调整原因"), max_length=200, blank=True)

    objects = PartyGroupQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("党小组")
        verbose_name_plural = _("党小组")
        ordering = ["studio__town__order", "studio__name"]

    def __str__(self) -> str:
        return self.name

    @property
    def guiding_branch(self):
        committee = self.leader.special_committee
        return getattr(committee, "party_branch", None) if committee else None


class ContactPairQuerySet(ScopedQuerySet):
    town_path = "party_member__studio_memberships__studio__town"

    def member_q(self, member_id: int) -> Q:
        return Q(party_member_id=member_id) | Q(non_party_member_id=member_id)


class ContactPair(models.Model):
    """党员委员联系党外委员."""

    party_member = models.ForeignKey(
        Member,
        verbose_name=_("党员委员"),
        on_delete=models.PROTECT,
        related_name="contacts_as_party_member",
    )
    non_party_member = models.ForeignKey(
        Member,
        verbose_name=_("党外委员"),
        on_delete=models.PROTECT,
        related_name="contacts_as_non_party_member",
    )
    term = models.ForeignKey(
        Term, verbose_name=_("届次"), on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField(_("建立联系日期"))

    objects = ContactPairQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("党员委员联系党外委员")
        verbose_name_plural = _("党员委员联系党外委员")
        constraints = [
            models.UniqueConstraint(
                fields=["party_member", "non_party_member", "term"], name="unique_contact_pair"
            )
        ]

    def __str__(self) -> str:
        return f"{self.party_member} → {self.non_party_member}"


class ContactWay(models.TextChoices):
    VISIT = "visit", _("走访")
    PHONE = "phone", _("电话")
    MEETING = "meeting", _("座谈")
    ONLINE = "online", _("网络")
    OTHER = "other", _("其他")


class ContactRecord(models.Model):
    pair = models.ForeignKey(
        ContactPair, verbose_name=_("联系对子"), on_delete=models.CASCADE, related_name="records"
    )
    date = models.DateField(_("联系日期"))
    way = models.CharField(_("联系方式"), max_length=10, choices=ContactWay.choices)
    content = models.TextField(_("交流内容"))

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("联系记录")
        verbose_name_plural = _("联系记录")
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.pair} · {self.date}"


class ActivityKind(models.TextChoices):
    TEA_TALK = "tea_talk", _("茶园夜话")
    COURTYARD = "courtyard", _("院坝会")
    RESEARCH = "research", _("调研")
    INSPECTION = "inspection", _("视察")
    LECTURE = "lecture", _("讲座")
    CLINIC = "clinic", _("义诊")
    LEGAL_AID = "legal_aid", _("法律服务")
    RECEPTION = "reception", _("接访")
    LIVESTREAM = "livestream", _("直播带货")
    DUTY = "duty", _("驻站值日")
    READING = "reading", _("读书")
    VOLUNTEER = "volunteer", _("志愿服务")
    OTHER = "other", _("其他")


class ActivityQuerySet(ScopedQuerySet):
    town_path = "studio__town"


class Activity(SoftDeleteModel, VersionedModel):
    studio = models.ForeignKey(
        Studio, verbose_name=_("工作室"), on_delete=models.PROTECT, related_name="activities"
    )
    kind = models.CharField(_("活动类型"), max_length=20, choices=ActivityKind.choices)
    title = models.CharField(_("活动主题"), max_length=100)
    date = models.DateField(_("活动日期"))
    place = models.CharField(_("活动地点"), max_length=100, blank=True)
    other_participants = models.PositiveIntegerField(_("其他参加人数"), default=0)
    residents_reached = models.PositiveIntegerField(_("服务群众人数"), default=0)
    sales_wan = models.DecimalField(
        _("带货销售额（万元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    summary = models.TextField(_("活动纪要"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = live_manager(ActivityQuerySet)
    all_objects = ActivityQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("工作室活动")
        verbose_name_plural = _("工作室活动")
        ordering = ["-date", "-id"]
        # By date alone too: the county's figures and the years covered range over every studio.
        indexes = [models.Index(fields=["studio", "date"]), models.Index(fields=["date"])]
        constraints = [
            # Sales are a live-stream figure; the yearly summary adds them up, so a stray figure
            # on a lecture would inflate it.
            models.CheckConstraint(
                condition=Q(sales_wan__isnull=True) | Q(kind="livestream", sales_wan__gte=0),
                name="sales_only_for_livestream",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("studios:activity_detail", args=[self.pk])


class Attendance(models.TextChoices):
    PRESENT = "present", _("出席")
    LEAVE = "leave", _("请假")
    ABSENT = "absent", _("缺席")


class ActivityAttendance(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="attendances"
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("委员"),
        on_delete=models.PROTECT,
        related_name="activity_attendances",
    )
    status = models.CharField(
        _("出勤"), max_length=10, choices=Attendance.choices, default=Attendance.PRESENT
    )

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("活动出勤")
        verbose_name_plural = _("活动出勤")
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="one_attendance_per_member")
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"


class ActivityFile(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name=_("活动"), on_delete=models.CASCADE, related_name="files"
    )
    file = models.FileField(_("文件"), upload_to="studios/activities/%Y/")
    # The name the file had when uploaded (Chinese kept); downloads use it, not the storage path.
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    is_photo = models.BooleanField(_("照片"), default=False)
    caption = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("活动附件")
        verbose_name_plural = _("活动附件")

    def __str__(self) -> str:
        return self.caption or self.file.name

    def get_file_url(self) -> str:
        # The scoped view, never MEDIA_URL: the pages and the admin (cppcc.files.ScopedFileInput,
        # which looks for get_<field>_url) link here.
        return reverse("studios:activity_file", args=[self.pk])


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("待办")
    IN_HAND = "in_hand", _("办理中")
    SOLVED = "solved", _("已解决")


class ProblemQuerySet(ScopedQuerySet):
    town_path = "studio__town"


class Problem(models.Model):
    """民生问题 raised by residents through a studio; tracked until solved."""

    studio = models.ForeignKey(
        Studio, verbose_name=_("工作室"), on_delete=models.PROTECT, related_name="problems"
    )
    title = models.CharField(_("问题"), max_length=100)
    description = models.TextField(_("具体情况"), blank=True)
    raised_by = models.CharField(_("反映人"), max_length=50)
    raised_on = models.DateField(_("反映日期"))
    village = models.ForeignKey(
        Village,
        verbose_name=_("所在村/社区"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problems",
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    solved_on = models.DateField(_("解决日期"), null=True, blank=True)
    resolution = models.TextField(_("解决情况"), blank=True)
    followers = models.ManyToManyField(
        Member, verbose_name=_("跟进委员"), related_name="followed_problems", blank=True
    )

    objects = ProblemQuerySet.as_manager()
    # Followers are recorded as a change reason by studios.services: the audit panel shows
    # field values, and a many-to-many diff has none it could label.
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("民生问题")
        verbose_name_plural = _("民生问题")
        ordering = ["-raised_on", "-id"]
        indexes = [models.Index(fields=["studio", "status"])]
        constraints = [
            # A solved problem always says when; studios.workflow sets both in one write.
            models.CheckConstraint(
                condition=Q(status="solved", solved_on__isnull=False)
                | (~Q(status="solved") & Q(solved_on__isnull=True)),
                name="solved_problem_has_date",
            ),
            models.CheckConstraint(
                condition=Q(solved_on__isnull=True) | Q(solved_on__gte=models.F("raised_on")),
                name="problem_solved_after_raised",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("studios:problem_detail", args=[self.pk])


class DutyShiftQuerySet(ScopedQuerySet):
    town_path = "studio__town"

    def member_q(self, member_id: int) -> Q:
        # A member sees their own duty days, not the whole rota's names and dates.
        return Q(member_id=member_id)


class DutyShift(models.Model):
    """驻站值日: a member on duty at a studio on a day."""

    studio = models.ForeignKey(
        Studio, verbose_name=_("工作室"), on_delete=models.PROTECT, related_name="duty_shifts"
    )
    member = models.ForeignKey(
        Member, verbose_name=_("值日委员"), on_delete=models.PROTECT, related_name="duty_shifts"
    )
    date = models.DateField(_("值日日期"))
    note = models.CharField(_("备注"), max_length=200, blank=True)

    objects = DutyShiftQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("驻站值日")
        verbose_name_plural = _("驻站值日")
        ordering = ["date", "studio"]
        constraints = [
            models.UniqueConstraint(
                fields=["studio", "member", "date"], name="one_shift_per_member_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.date} · {self.member}"


class HonoraryHeadQuerySet(ScopedQuerySet):
    town_path = "village__town"

    def member_q(self, member_id: int) -> Q:
        return Q(member_id=member_id)


class HonoraryVillageHead(models.Model):
    """名誉村主任 posting and its measured outcomes (seed 001)."""

    member = models.ForeignKey(
        Member, verbose_name=_("委员"), on_delete=models.PROTECT, related_name="honorary_postings"
    )
    village = models.ForeignKey(
        Village, verbose_name=_("村/社区"), on_delete=models.PROTECT, related_name="honorary_heads"
    )
    start_on = models.DateField(_("任职起始"))
    end_on = models.DateField(_("任职截止"), null=True, blank=True)
    acres_developed = models.DecimalField(
        _("发展产业（亩）"), max_digits=10, decimal_places=1, default=0
    )
    enterprises_fostered = models.PositiveIntegerField(_("培育企业（家）"), default=0)
    funds_secured_wan = models.DecimalField(
        _("争取资金（万元）"), max_digits=10, decimal_places=2, default=0
    )
    livestreams = models.PositiveIntegerField(_("直播场次"), default=0)
    income_raised_wan = models.DecimalField(
        _("带动增收（万元）"), max_digits=10, decimal_places=2, default=0
    )
    notes = models.TextField(_("工作成效"), blank=True)

    objects = HonoraryHeadQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("名誉村主任")
        verbose_name_plural = _("名誉村主任")
        ordering = ["-start_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=models.F("start_on")),
                name="posting_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(acres_developed__gte=0)
                & Q(funds_secured_wan__gte=0)
                & Q(income_raised_wan__gte=0),
                name="posting_figures_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.village}"
