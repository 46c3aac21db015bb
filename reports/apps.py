from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("统计与报表")

    def ready(self) -> None:
        from cppcc.navigation import NavItem, register_nav
        from cppcc.roles import Role

        register_nav(
            NavItem(
                _("工作台"),
                "reports:office_home",
                "speedometer2",
                frozenset({Role.ADMIN, Role.OFFICE}),
                order=1,
            ),
            NavItem(
                _("本镇街工作台"), "reports:town_home", "geo-alt", frozenset({Role.TOWN}), order=1
            ),
            NavItem(
                _("领导驾驶舱"),
                "reports:dashboard",
                "bar-chart",
                frozenset({Role.LEADER, Role.ADMIN, Role.OFFICE}),
                order=2,
            ),
        )
