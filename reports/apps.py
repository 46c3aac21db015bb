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
        self.register_duty()
        from . import figure_cache

        figure_cache.watch()
        register_nav(
            NavItem(
                _("年度履职成绩单"),
                "reports:summary_list",
                "journal-text",
                frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER, Role.TOWN}),
                order=3,
            )
        )

    def register_duty(self) -> None:
        """The duty ranking in the members menu, and this year's points on /portal/."""
        from cppcc.navigation import NavItem, PortalSection, register_nav, register_portal_section
        from cppcc.roles import Role

        from .duty_views import portal_section

        register_nav(
            NavItem(
                _("履职积分排名"),
                "reports:duty_ranking",
                "award",
                frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER, Role.TOWN}),
                order=26,
                group=_("委员"),
            )
        )
        register_portal_section(
            PortalSection(
                template="portal/duty_section.html", context=portal_section, order=14, kept=False
            )
        )
