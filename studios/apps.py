from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudiosConfig(AppConfig):
    name = "studios"
    verbose_name = _("委员工作室")

    def ready(self) -> None:
        from cppcc.navigation import NavItem, register_nav
        from cppcc.roles import Role

        staff = frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER, Role.TOWN})
        register_nav(
            NavItem(_("委员工作室"), "studios:list", "house-heart", staff, order=30, group=_("工作室")),
        )
