from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class HistoryIPAddress(models.Model):
    """Extra column on every history table: the address the change came from (cppcc.audit)."""

    history_ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """A login. Roles are groups (cppcc.roles); the links below say which record a role is for."""

    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    # Role 委员: the member record this login belongs to.
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("对应委员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )
    # Role 镇街工作人员: the one town this clerk works for.
    town = models.ForeignKey(
        "studios.Town",
        verbose_name=_("所属镇街"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clerks",
    )
    # Role 承办单位: the handling unit this login answers for.
    handling_unit = models.ForeignKey(
        "proposals.HandlingUnit",
        verbose_name=_("所属承办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    # Set when an administrator creates the login or resets its password; the middleware sends
    # the person to the password page until they choose their own.
    must_change_password = models.BooleanField(_("下次登录须修改密码"), default=False)

    # Role grants are group changes, so the groups are kept in the history too; the password
    # hash never is.
    history = HistoricalRecords(
        bases=[HistoryIPAddress], excluded_fields=["password", "last_login"], m2m_fields=["groups"]
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.title


class Transition(models.Model):
    """One state change of any record: who moved it, when, from which state to which, and why.

    Written only by cppcc.workflow.transition(), which every app's workflow module calls.
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    target = GenericForeignKey("content_type", "object_id")
    field = models.CharField(_("字段"), max_length=50)
    from_state = models.CharField(_("原状态"), max_length=50)
    to_state = models.CharField(_("新状态"), max_length=50)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    note = models.TextField(_("说明"), blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)

    class Meta:
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"
