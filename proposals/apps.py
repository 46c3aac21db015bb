from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("提案与承办")

    def ready(self) -> None:
        from cppcc.navigation import NavItem, register_nav
        from cppcc.roles import Role

        register_nav(
            NavItem(
                _("交办事项"), "proposals:unit_home", "inbox", frozenset({Role.UNIT}), order=10
            ),
        )
