from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from cppcc.models import HistoryIPAddress


class HandlingUnit(models.Model):
    """承办单位: a government department that handles what is assigned to it.

    Proposals and consultation matters are assigned to units in later issues; the login of role
    承办单位 links here (cppcc.User.handling_unit).
    """

    name = models.CharField(_("单位名称"), max_length=60, unique=True)
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
