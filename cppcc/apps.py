from axes.apps import AppConfig as AxesAppConfig
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CppccConfig(AppConfig):
    # This module also holds AxesConfig: say which config "cppcc" in INSTALLED_APPS means.
    default = True
    name = "cppcc"
    verbose_name = _("平台")

    def ready(self) -> None:
        from django.db.models import fields
        from django.db.models.signals import post_migrate

        # Django 6.1's new empty-choice label has no Chinese translation yet (it showed
        # "- Select an option -" in every select); Django documents overriding it here.
        fields.BLANK_CHOICE_LABEL = _("- 请选择 -")

        from . import choices

        choices.install()

        from .navigation import NavItem, register_nav
        from .roles import Role

        admin_only = frozenset({Role.ADMIN})
        register_nav(
            NavItem(_("账号管理"), "account_list", "person-gear", admin_only, order=5),
            NavItem(_("后台管理"), "admin:index", "gear", admin_only, order=200),
        )

        from . import audit  # connects the history, login, logout and lockout signals
        from .roles import ensure_groups

        post_migrate.connect(ensure_groups, dispatch_uid="cppcc_ensure_groups")
        post_migrate.connect(audit.ensure_audit_group, dispatch_uid="cppcc_audit_group")

        from django.db.models.signals import post_save

        from .models import Transition

        post_save.connect(
            audit.transition_saved, sender=Transition, dispatch_uid="cppcc_audit_transition"
        )
        register_nav(NavItem(_("审计日志"), "audit_list", "journal-text", admin_only, order=6))
        register_nav(
            NavItem(
                _("回收站"),
                "trash",
                "trash3",
                frozenset({Role.ADMIN, Role.OFFICE}),
                order=190,
            )
        )

        from .navigation import PortalSection, portal_todos, register_portal_section

        # The member's to-dos come before everything else on their phone page.
        register_portal_section(
            PortalSection(
                template="portal/todos_section.html", context=portal_todos, order=5, kept=False
            )
        )
        from .navigation import watch_sections

        watch_sections()


class AxesConfig(AxesAppConfig):
    """django-axes under a Chinese name in the admin index (its app has none; its models' names
    are translated in locale/zh_Hans)."""

    default = False
    verbose_name = _("登录保护")

    def ready(self):
        super().ready()
        # axes builds its records' names in English f-strings (no gettext), and the admin shows
        # them in titles, breadcrumbs and delete confirmations; name them in Chinese here.
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog
        from django.utils import timezone
        from django.utils.translation import gettext

        def when(record) -> str:
            return timezone.localtime(record.attempt_time).strftime("%Y-%m-%d %H:%M")

        AccessAttempt.__str__ = lambda r: (
            gettext("%(user)s 的登录尝试（%(at)s）")
            % {
                "user": r.username,
                "at": when(r),
            }
        )
        AccessLog.__str__ = lambda r: (
            gettext("%(user)s 的登录记录（%(at)s）")
            % {
                "user": r.username,
                "at": when(r),
            }
        )
        AccessFailureLog.__str__ = lambda r: (
            gettext("%(user)s 的登录失败（%(at)s）")
            % {
                "user": r.username,
                "at": when(r),
            }
        )
