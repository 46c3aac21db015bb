from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("委员")

    def ready(self) -> None:
        from cppcc.navigation import NavItem, register_nav
        from cppcc.roles import Role

        staff = frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER, Role.TOWN})
        register_nav(
            NavItem(_("委员名册"), "members:list", "people", staff, order=20, group=_("委员")),
        )
