from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
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


class AuditKind(models.TextChoices):
    LOGIN = "login", _("登录")
    LOGIN_FAILED = "login_failed", _("登录失败")
    LOGOUT = "logout", _("退出登录")
    LOCKOUT = "lockout", _("账号锁定")
    WRITE = "write", _("写入")
    TRANSITION = "transition", _("状态变更")
    EXPORT = "export", _("导出")
    REVEAL = "reveal", _("查看敏感信息")


class AuditOutcome(models.TextChoices):
    SUCCESS = "success", _("成功")
    REFUSED = "refused", _("被拒绝")
    ERROR = "error", _("出错")


class AuditImmutableError(Exception):
    """Raised by any attempt to change or delete an audit row outside cppcc.audit.prune()."""


class AuditEventQuerySet(models.QuerySet):
    # The application has no update path; on PostgreSQL a trigger refuses it too
    # (migration 0006), so a raw query cannot rewrite the trail either.
    def update(self, **kwargs):
        raise AuditImmutableError("audit rows cannot be changed")

    def delete(self):
        raise AuditImmutableError("audit rows are removed only by cppcc.audit.prune()")

    def _prune(self):
        # Only cppcc.audit.prune() calls this, on rows past the retention period.
        return models.QuerySet.delete(self)


class AuditEvent(models.Model):
    """One audited act: a write, a login or logout, a lockout, an export, a reveal of a member's
    sensitive fields, or a state change made outside a request. Written by cppcc.audit only;
    never changed; removed by the prune job once older than CPPCC_AUDIT_RETENTION_DAYS."""

    at = models.DateTimeField(_("时间"), default=timezone.now, db_index=True)
    # No database constraint and no cascade: deleting a login or a content type must neither
    # rewrite nor remove its audit rows (the trigger would refuse it anyway).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    # The login's name, or the name typed at a failed login: kept even if the login is deleted.
    username = models.CharField(_("用户名"), max_length=150, blank=True, db_index=True)
    kind = models.CharField(_("类别"), max_length=20, choices=AuditKind.choices, db_index=True)
    # The resolved view name (e.g. "members:edit", "member-detail") or, off-request, the move.
    action = models.CharField(_("操作"), max_length=100, blank=True)
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("对象类型"),
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    outcome = models.CharField(_("结果"), max_length=10, choices=AuditOutcome.choices)
    status_code = models.PositiveSmallIntegerField(_("HTTP 状态"), null=True, blank=True)
    client_ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    method = models.CharField(_("请求方法"), max_length=10, blank=True)
    path = models.CharField(_("路径"), max_length=500, blank=True)
    detail = models.CharField(_("说明"), max_length=500, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        # Viewing is the only right there is: nobody may be granted add, change or delete.
        default_permissions = ("view",)
        indexes = [models.Index(fields=["client_ip", "at"])]

    def __str__(self) -> str:
        return f"{self.username or '-'} · {self.get_kind_display()} · {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AuditImmutableError("audit rows cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditImmutableError("audit rows are removed only by cppcc.audit.prune()")
