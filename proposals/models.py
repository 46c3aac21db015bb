from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cppcc.models import HistoryIPAddress
from members.models import Member


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


class Proposal(models.Model):
    """提案: the record a consultation matter may come from (its 案号 and title).

    Only what a matter links to lives here today; review, assignment and replies arrive with the
    proposals issue and extend this model.
    """

    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.CharField(_("案号"), max_length=30)
    title = models.CharField(_("案由"), max_length=200)
    lead_proposer = models.ForeignKey(
        Member,
        verbose_name=_("领衔提案人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_proposals",
    )
    submitted_on = models.DateField(_("提交日期"), null=True, blank=True)

    history = HistoricalRecords(bases=[HistoryIPAddress])

    class Meta:
        verbose_name = _("提案")
        verbose_name_plural = _("提案")
        ordering = ["-year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "number"],
                name="unique_proposal_number_per_year",
                violation_error_message=_("本年度已有相同案号的提案。"),
            ),
            models.CheckConstraint(condition=~Q(number=""), name="proposal_has_number"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年第{self.number}号 {self.title}"
