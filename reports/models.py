"""The yearly achievement summary (年度履职成绩单): one row per year and scope, compiled by a task.

The row is the task's own record of its status and progress (Celery's eager mode stores
nothing, so a result backend could not be the source of truth). Compiling again replaces the
figures and files of the same row: `scope_key` ("county", "town:3", "studio:7") makes the
(year, scope) pair unique on every database, where a nullable foreign key in a unique
constraint would let two county rows through on SQLite.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SummaryScope(models.TextChoices):
    COUNTY = "county", _("全区")
    TOWN = "town", _("镇街")
    STUDIO = "studio", _("委员工作室")


class SummaryStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("编制中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


# A task is queued or running: a second start leaves it alone (see reports.summary.start).
IN_PROGRESS = (SummaryStatus.QUEUED, SummaryStatus.RUNNING)


def scope_key(scope: str, town_id: int | None = None, studio_id: int | None = None) -> str:
    if scope == SummaryScope.TOWN:
        return f"town:{town_id}"
    if scope == SummaryScope.STUDIO:
        return f"studio:{studio_id}"
    return SummaryScope.COUNTY.value


def summary_upload_to(instance: "YearlySummary", filename: str) -> str:
    return f"reports/summaries/{instance.year}/{filename}"


class YearlySummaryQuerySet(models.QuerySet):
    def visible_to(self, user) -> "YearlySummaryQuerySet":
        """Admin, office and leaders: every summary. A town clerk: their town's summary and
        those of their town's studios. Members, units and anyone else: none."""
        from cppcc.roles import clerk_town_id, is_countywide

        if not getattr(user, "is_authenticated", False):
            return self.none()
        if is_countywide(user):
            return self
        town_id = clerk_town_id(user)
        if town_id is not None:
            return self.filter(Q(town_id=town_id) | Q(studio__town_id=town_id))
        return self.none()


class YearlySummary(models.Model):
    year = models.PositiveSmallIntegerField(_("年度"))
    scope = models.CharField(_("范围"), max_length=10, choices=SummaryScope.choices)
    town = models.ForeignKey(
        "studios.Town",
        verbose_name=_("镇街"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    studio = models.ForeignKey(
        "studios.Studio",
        verbose_name=_("委员工作室"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    scope_key = models.CharField(max_length=30, editable=False)
    status = models.CharField(
        _("状态"), max_length=10, choices=SummaryStatus.choices, default=SummaryStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(_("进度"), default=0)
    stage = models.CharField(_("当前步骤"), max_length=100, blank=True)
    # The last day counted: a running year is compiled up to the day it was compiled.
    period_end = models.DateField(_("统计截至"), null=True, blank=True)
    figures = models.JSONField(_("数据"), default=dict, blank=True)
    narrative = models.TextField(_("综述"), blank=True)
    docx = models.FileField(_("Word文档"), upload_to=summary_upload_to, blank=True)
    xlsx = models.FileField(_("Excel工作簿"), upload_to=summary_upload_to, blank=True)
    pdf = models.FileField(_("PDF文档"), upload_to=summary_upload_to, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发起人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("发起时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    error = models.TextField(_("失败原因"), blank=True)

    objects = YearlySummaryQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度履职成绩单")
        verbose_name_plural = _("年度履职成绩单")
        ordering = ["-year", "scope_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "scope_key"], name="one_summary_per_year_and_scope"
            ),
            models.CheckConstraint(
                condition=(
                    Q(scope="county", town__isnull=True, studio__isnull=True)
                    | Q(scope="town", town__isnull=False, studio__isnull=True)
                    | Q(scope="studio", town__isnull=True, studio__isnull=False)
                ),
                name="summary_scope_object",
            ),
            models.CheckConstraint(condition=Q(progress__lte=100), name="summary_progress_max"),
        ]

    def __str__(self) -> str:
        return _("%(year)d年度履职成绩单（%(scope)s）") % {
            "year": self.year,
            "scope": self.scope_name,
        }

    def save(self, *args, **kwargs):
        self.scope_key = scope_key(self.scope, self.town_id, self.studio_id)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("reports:summary_detail", args=[self.pk])

    @property
    def scope_name(self) -> str:
        if self.scope == SummaryScope.TOWN and self.town_id:
            return self.town.name
        if self.scope == SummaryScope.STUDIO and self.studio_id:
            return self.studio.name
        return str(SummaryScope.COUNTY.label)

    @property
    def in_progress(self) -> bool:
        return self.status in IN_PROGRESS
