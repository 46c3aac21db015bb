"""The "渝事好商量·一镇一事商量办" consultations: a town's livelihood matter (议题) taken through
seven steps, the consultation meetings held along the way, and what the handling units report.

A matter's step only changes in consultations.workflow; each change is a cppcc Transition row
(who, when, from, to, note), which is the matter's step history.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cppcc.models import HistoryIPAddress
from cppcc.roles import Role, clerk_town_id, has_role, is_countywide
from cppcc.softdelete import SoftDeleteModel, live_manager
from cppcc.versioning import VersionedModel
from members.models import Member
from proposals.models import HandlingUnit, Proposal
from studios.models import Attendance, ScopedQuerySet, Town


class Step(models.TextChoices):
    """The seven steps, in order (seed 002: 委员提案-政协立案-政府交办-议前协商-现场协商-督办协商-总结协商)."""

    PROPOSED = "proposed", _("委员提案")
    REGISTERED = "registered", _("政协立案")
    ASSIGNED = "assigned", _("政府交办")
    PRE_MEETING = "pre_meeting", _("议前协商")
    ON_SITE = "on_site", _("现场协商")
    SUPERVISION = "supervision", _("督办协商")
    CLOSING = "closing", _("总结协商")


STEPS: tuple[str, ...] = tuple(Step.values)


def step_index(step: str) -> int:
    return STEPS.index(step)


class MatterStatus(models.TextChoices):
    """Whether the matter is still moving. Completing it (after 总结协商) is its own state change,
    so a finished matter's step history holds exactly the six forward moves."""

    ACTIVE = "active", _("办理中")
    COMPLETED = "completed", _("已办结")


class MeetingKind(models.TextChoices):
    PRE_MEETING = "pre_meeting", _("议前协商")
    ON_SITE = "on_site", _("现场协商")
    SUPERVISION = "supervision", _("督办协商")
    CLOSING = "closing", _("总结协商")
    # Meetings outside a matter's steps (seed 000): the town's regular meeting and the small
    # community consultations held in village consultation rooms.
    REGULAR = "regular", _("协商工作例会")
    MICRO = "micro", _("小微协商")


# Where step and status are spoken of as one value (the board's last column, the API's
# `expected_state`, conflict messages): a step while active, this once completed.
COMPLETED_STATE = MatterStatus.COMPLETED.value


def state_label(state: str) -> str:
    """The Chinese name of a step, or 已办结."""
    return str(MatterStatus.COMPLETED.label if state == COMPLETED_STATE else Step(state).label)


# The meeting kinds that are steps of a matter: a matter's own meetings have one of these.
STEP_MEETING_KINDS: tuple[str, ...] = (
    MeetingKind.PRE_MEETING,
    MeetingKind.ON_SITE,
    MeetingKind.SUPERVISION,
    MeetingKind.CLOSING,
)


def _subquery_count(queryset) -> models.Subquery:
    counted = queryset.order_by().values("matter").annotate(n=models.Count("pk")).values("n")
    return Coalesce(models.Subquery(counted, output_field=models.IntegerField()), 0)


class ConsultationQuerySet(ScopedQuerySet):
    """The access rule of matters, meetings, progress reports and follow-up tasks: county roles
    see all, a town clerk their town's, a member what `member_q` says (proposed or attended),
    and a handling unit's login only what `unit_q` says was assigned to (or attended by) its
    unit. Every page, export and API list starts from `visible_to`."""

    def unit_q(self, unit_id: int) -> Q:
        raise NotImplementedError

    def visible_to(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if not is_countywide(user) and clerk_town_id(user) is None and has_role(user, Role.UNIT):
            if not user.handling_unit_id:
                return self.none()
            return self.filter(
                pk__in=self.model._base_manager.filter(self.unit_q(user.handling_unit_id)).values(
                    "pk"
                )
            )
        return super().visible_to(user)


# The aggregates of a matter's outcome, over its projects (Matter.project_totals).
PROJECT_TOTALS = {
    "count": models.Count("pk"),
    "done": models.Count("pk", filter=Q(done=True)),
    "funds_wan": models.Sum("funds_wan", default=Decimal(0)),
    "beneficiaries": models.Sum("beneficiaries", default=0),
}


class MatterQuerySet(ConsultationQuerySet):
    town_path = "town"

    def with_project_counts(self):
        """project_count and project_done on each matter, as subqueries (no join that would
        multiply rows of lists joining meetings or units)."""
        projects = LivelihoodProject.objects.filter(matter=models.OuterRef("pk"))
        return self.annotate(
            project_count=_subquery_count(projects),
            project_done=_subquery_count(projects.filter(done=True)),
        )

    def member_q(self, member_id: int) -> Q:
        # A member sees the matters they proposed or attended a meeting of: two subqueries on
        # indexed member_id columns, not an OR across two joins (which walks every meeting's
        # attendance, issue 13).
        proposed = Matter.proposers.through.objects.filter(member_id=member_id)
        attended = MeetingAttendance.objects.filter(
            member_id=member_id, meeting__deleted_at__isnull=True
        )
        return Q(pk__in=proposed.values("matter_id")) | Q(
            pk__in=attended.values("meeting__matter_id")
        )

    def unit_q(self, unit_id: int) -> Q:
        # A unit sees a matter once the government has assigned it (政府交办), not while the
        # office is still drafting the assignment at 政协立案.
        return Q(unit_assignments__unit_id=unit_id) & ~Q(step__in=["proposed", "registered"])


class Matter(SoftDeleteModel, VersionedModel):
    """议题: one livelihood matter a town takes through the seven steps."""

    town = models.ForeignKey(
        Town, verbose_name=_("镇街"), on_delete=models.PROTECT, related_name="matters"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("议题名称"), max_length=100)
    background = models.TextField(_("议题背景"), blank=True)
    proposers = models.ManyToManyField(
        Member, verbose_name=_("提出委员"), related_name="proposed_matters", blank=True
    )
    proposal = models.ForeignKey(
        Proposal,
        verbose_name=_("来源提案"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="matters",
    )
    is_annual_topic = models.BooleanField(_("年度“一镇一事”议题"), default=False)

    step = models.CharField(
        _("当前环节"), max_length=20, choices=Step.choices, default=Step.PROPOSED
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=MatterStatus.choices, default=MatterStatus.ACTIVE
    )
    # When the matter entered its current step: the board's "days in step" and the stall job.
    step_entered_at = models.DateTimeField(_("进入本环节时间"), default=timezone.now)

    # 政协立案
    registered_on = models.DateField(_("立案日期"), null=True, blank=True)
    registration_no = models.CharField(_("立案编号"), max_length=40, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("立案经办人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    # 政府交办 (the units are MatterUnit rows)
    assigned_on = models.DateField(_("交办日期"), null=True, blank=True)
    task = models.TextField(_("交办任务"), blank=True)
    deadline = models.DateField(_("办理期限"), null=True, blank=True)

    # Outcome, required before the closing step completes the matter; the funds and the
    # residents benefiting are the totals of its livelihood projects (LivelihoodProject).
    solved = models.BooleanField(_("是否解决"), null=True, blank=True)
    result_summary = models.TextField(_("办理成效"), blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    # Used by the stall and deadline reminders (consultations.tasks) so each is sent once.
    stall_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    deadline_reminded_for = models.DateField(null=True, blank=True, editable=False)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = live_manager(MatterQuerySet)
    all_objects = MatterQuerySet.as_manager()
    # Set by every step move, which the history panel already shows as the move itself.
    history_panel_hidden = ("step_entered_at", "completed_at")
    history = HistoricalRecords(
        bases=[HistoryIPAddress], excluded_fields=["stall_notified_at", "deadline_reminded_for"]
    )

    class Meta:
        verbose_name = _("协商议题")
        verbose_name_plural = _("协商议题")
        ordering = ["-year", "town__order", "id"]
        indexes = [
            models.Index(fields=["year", "step"]),
            models.Index(fields=["town", "year"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["town", "year"],
                condition=Q(is_annual_topic=True, deleted_at__isnull=True),
                name="one_annual_topic_per_town_year",
                violation_error_message=_("该镇街本年度已有“一镇一事”议题。"),
            ),
            models.UniqueConstraint(
                fields=["year", "registration_no"],
                condition=~Q(registration_no="") & Q(deleted_at__isnull=True),
                name="unique_registration_no_per_year",
                violation_error_message=_("本年度已有相同的立案编号。"),
            ),
            models.CheckConstraint(
                condition=Q(deadline__isnull=True)
                | Q(assigned_on__isnull=True)
                | Q(deadline__gte=models.F("assigned_on")),
                name="matter_deadline_after_assignment",
            ),
            # consultations.workflow sets both in the same write.
            models.CheckConstraint(
                condition=Q(status="completed", completed_at__isnull=False, step="closing")
                | Q(status="active", completed_at__isnull=True),
                name="completed_matter_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.town} · {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("consultations:matter_detail", args=[self.pk])

    @property
    def is_completed(self) -> bool:
        return self.status == MatterStatus.COMPLETED

    @property
    def state(self) -> str:
        """The step, or COMPLETED_STATE once the matter is completed."""
        return COMPLETED_STATE if self.is_completed else self.step

    @property
    def state_label(self) -> str:
        return state_label(self.state)

    @property
    def step_number(self) -> int:
        """1–7, as the timeline numbers the steps."""
        return step_index(self.step) + 1

    def outcome_missing(self) -> list[str]:
        """What completing still needs, as labels: at least one 民生实事, solved or not, and the
        summary."""
        missing = []
        if not self.projects.exists():
            missing.append(str(LivelihoodProject._meta.verbose_name))
        if self.solved is None:
            missing.append(str(self._meta.get_field("solved").verbose_name))
        if not self.result_summary.strip():
            missing.append(str(self._meta.get_field("result_summary").verbose_name))
        return missing

    def project_totals(self) -> dict:
        """The matter's outcome: its 民生实事 counted and summed (count, done, funds_wan,
        beneficiaries). Lists annotate the same with MatterQuerySet.with_project_totals."""
        return self.projects.aggregate(**PROJECT_TOTALS)


class MatterStepDate(models.Model):
    """The real day a matter entered a step (or was completed: COMPLETED_STATE), as the clerk
    gave it to the move, which may be long after the fact. The guards compare these dates,
    not today's, and a meeting may not be dated before the matter reached its kind's step.
    One row per step, rewritten when the matter enters the step again."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("议题"), on_delete=models.CASCADE, related_name="step_dates"
    )
    step = models.CharField(_("环节"), max_length=20)
    entered_on = models.DateField(_("进入日期"))

    class Meta:
        verbose_name = _("环节日期")
        verbose_name_plural = _("环节日期")
        constraints = [
            models.UniqueConstraint(fields=["matter", "step"], name="one_date_per_matter_step")
        ]

    def __str__(self) -> str:
        return f"{state_label(self.step)} {self.entered_on}"


class LivelihoodProjectQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The projects of the matters the user may see (Matter's access rule, once)."""
        return self.filter(matter__in=Matter.objects.visible_to(user).values("pk"))


class LivelihoodProject(models.Model):
    """民生实事: one livelihood project a matter delivers; the matter's outcome totals them."""

    matter = models.ForeignKey(
        Matter, on_delete=models.CASCADE, related_name="projects", verbose_name=_("议题")
    )
    title = models.CharField(_("实事名称"), max_length=100)
    # The real day its figures were recorded: the county's funds and beneficiaries count by it.
    recorded_on = models.DateField(_("录入日期"))
    done = models.BooleanField(_("已办成"), default=False)
    done_on = models.DateField(_("办成日期"), null=True, blank=True)
    funds_wan = models.DecimalField(
        _("协调资金（万元）"), max_digits=10, decimal_places=2, default=0
    )
    beneficiaries = models.PositiveIntegerField(_("受益群众（人）"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = LivelihoodProjectQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("民生实事")
        verbose_name_plural = _("民生实事")
        ordering = ["recorded_on", "id"]
        indexes = [
            models.Index(fields=["done_on"]),
            models.Index(fields=["recorded_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(funds_wan__gte=0), name="project_funds_not_negative"
            ),
            # consultations.services refuses this with a message first.
            models.CheckConstraint(
                condition=Q(done=False) | Q(done_on__isnull=False),
                name="done_project_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class UnitRole(models.TextChoices):
    LEAD = "lead", _("牵头单位")
    ASSISTING = "assisting", _("协办单位")


class MatterUnit(models.Model):
    """A unit the government assigned the matter to (政府交办), lead or assisting."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("议题"), on_delete=models.CASCADE, related_name="unit_assignments"
    )
    unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("承办单位"),
        on_delete=models.PROTECT,
        related_name="matter_assignments",
    )
    role = models.CharField(_("承办方式"), max_length=10, choices=UnitRole.choices)
    assigned_at = models.DateTimeField(_("交办时间"), auto_now_add=True)

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("承办单位分工")
        verbose_name_plural = _("承办单位分工")
        # "lead" sorts after "assisting": descending puts the lead unit first.
        ordering = ["-role", "unit__name"]
        constraints = [
            models.UniqueConstraint(fields=["matter", "unit"], name="one_assignment_per_unit"),
            models.UniqueConstraint(
                fields=["matter"], condition=Q(role="lead"), name="one_lead_unit_per_matter"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} · {self.get_role_display()}"


class UnitProgressQuerySet(ConsultationQuerySet):
    town_path = "matter__town"

    def visible_to(self, user):
        # A matter in the trash takes its progress reports off every list.
        return super().visible_to(user).filter(matter__deleted_at__isnull=True)

    def member_q(self, member_id: int) -> Q:
        return Q(matter__proposers__id=member_id)

    def unit_q(self, unit_id: int) -> Q:
        return Q(unit_id=unit_id)


class UnitProgress(models.Model):
    """办理进展: what a handling unit reports on a matter assigned to it (chiefly in 督办协商)."""

    matter = models.ForeignKey(
        Matter, verbose_name=_("议题"), on_delete=models.CASCADE, related_name="progress_reports"
    )
    unit = models.ForeignKey(
        HandlingUnit, verbose_name=_("承办单位"), on_delete=models.PROTECT, related_name="+"
    )
    body = models.TextField(_("办理进展"))
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("填报人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    written_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    objects = UnitProgressQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("办理进展")
        verbose_name_plural = _("办理进展")
        ordering = ["-written_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit} · {self.written_at:%Y-%m-%d}"


class MeetingQuerySet(ConsultationQuerySet):
    town_path = "town"

    def member_q(self, member_id: int) -> Q:
        return Q(attendances__member_id=member_id)

    def unit_q(self, unit_id: int) -> Q:
        return Q(units__id=unit_id) | Q(matter__unit_assignments__unit_id=unit_id)

    def visible_to(self, user):
        """Meetings follow their matter: a matter's meetings are read only by those who may see
        the matter (Matter's rule, with its step condition: a matter sent back before 政府交办 is
        no longer the assigned unit's, nor are its meetings). Town meetings without a matter
        follow the town, member and unit rules alone."""
        scoped = super().visible_to(user)
        if is_countywide(user):
            return scoped
        matters = Matter.objects.visible_to(user).values("pk")
        return scoped.filter(Q(matter__isnull=True) | Q(matter__in=matters))


class ConsultationMeeting(SoftDeleteModel, VersionedModel):
    """协商会议: a step meeting of a matter, or a regular / small consultation of a town."""

    town = models.ForeignKey(
        Town, verbose_name=_("镇街"), on_delete=models.PROTECT, related_name="meetings"
    )
    matter = models.ForeignKey(
        Matter,
        verbose_name=_("议题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    kind = models.CharField(_("协商类型"), max_length=20, choices=MeetingKind.choices)
    topic = models.CharField(_("协商主题"), max_length=100, blank=True)
    date = models.DateField(_("协商日期"))
    place = models.CharField(_("协商地点"), max_length=100)
    units = models.ManyToManyField(
        HandlingUnit, verbose_name=_("参加单位"), related_name="meetings", blank=True
    )
    officials_count = models.PositiveIntegerField(_("参加干部人数"), default=0)
    residents_count = models.PositiveIntegerField(_("参加群众人数"), default=0)
    agreed = models.TextField(_("协商意见"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    objects = live_manager(MeetingQuerySet)
    all_objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("协商会议")
        verbose_name_plural = _("协商会议")
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["town", "date"]),
            # The county's figures and the years covered range over every town.
            models.Index(fields=["date"]),
            models.Index(fields=["matter", "kind"]),
        ]
        constraints = [
            # A step meeting belongs to a matter; a regular or small consultation stands alone.
            models.CheckConstraint(
                condition=Q(
                    matter__isnull=False,
                    kind__in=["pre_meeting", "on_site", "supervision", "closing"],
                )
                | Q(matter__isnull=True, kind__in=["regular", "micro"]),
                name="meeting_kind_matches_matter",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} · {self.topic or self.matter or ''}"

    def get_absolute_url(self) -> str:
        return reverse("consultations:meeting_detail", args=[self.pk])

    @property
    def title(self) -> str:
        return self.topic or (self.matter.title if self.matter_id else self.get_kind_display())


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(
        ConsultationMeeting,
        verbose_name=_("协商会议"),
        on_delete=models.CASCADE,
        related_name="attendances",
    )
    member = models.ForeignKey(
        Member,
        verbose_name=_("委员"),
        on_delete=models.PROTECT,
        related_name="meeting_attendances",
    )
    status = models.CharField(
        _("出勤"), max_length=10, choices=Attendance.choices, default=Attendance.PRESENT
    )

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("协商出勤")
        verbose_name_plural = _("协商出勤")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "member"], name="one_meeting_attendance_per_member"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} · {self.get_status_display()}"


class FollowUpTaskQuerySet(ConsultationQuerySet):
    town_path = "meeting__town"

    def visible_to(self, user):
        # A meeting in the trash takes its tasks off the task list and the units' homes.
        return super().visible_to(user).filter(meeting__deleted_at__isnull=True)

    def member_q(self, member_id: int) -> Q:
        return Q(meeting__attendances__member_id=member_id)

    def unit_q(self, unit_id: int) -> Q:
        # A unit's login sees the tasks its unit owns: its home lists them and it marks them done.
        return Q(unit_id=unit_id)


class FollowUpTask(models.Model):
    """A task agreed at a meeting, with its owner (a unit, or a person named in text)."""

    meeting = models.ForeignKey(
        ConsultationMeeting,
        verbose_name=_("协商会议"),
        on_delete=models.CASCADE,
        related_name="tasks",
    )
    description = models.CharField(_("后续任务"), max_length=200)
    unit = models.ForeignKey(
        HandlingUnit,
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_tasks",
    )
    owner = models.CharField(_("责任人"), max_length=50, blank=True)
    due_on = models.DateField(_("完成时限"))
    done_on = models.DateField(_("完成日期"), null=True, blank=True)
    # What the unit or clerk says was done, written when the task is marked done.
    done_note = models.CharField(_("完成情况"), max_length=300, blank=True)

    objects = FollowUpTaskQuerySet.as_manager()
    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("后续任务")
        verbose_name_plural = _("后续任务")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit__isnull=False) | ~Q(owner=""),
                name="task_has_owner",
                violation_error_message=_("后续任务须填写责任单位或责任人。"),
            ),
        ]

    def __str__(self) -> str:
        return self.description


class MeetingFile(models.Model):
    meeting = models.ForeignKey(
        ConsultationMeeting,
        verbose_name=_("协商会议"),
        on_delete=models.CASCADE,
        related_name="files",
    )
    file = models.FileField(_("文件"), upload_to="consultations/meetings/%Y/")
    # The name the file had when uploaded (Chinese kept); downloads use it, not the storage path.
    original_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    is_photo = models.BooleanField(_("照片"), default=False)
    caption = models.CharField(_("说明"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")

    def __str__(self) -> str:
        return self.caption or self.file.name

    def get_file_url(self) -> str:
        # The scoped view, never MEDIA_URL (see studios.ActivityFile.get_file_url).
        return reverse("consultations:meeting_file", args=[self.pk])
