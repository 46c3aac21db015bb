from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProposalsConfig(AppConfig):
    name = "proposals"
    verbose_name = _("提案与承办")

    def warm_up(self) -> None:
        """Called in each gunicorn worker once the app has loaded (cppcc/gunicorn.py)."""
        from . import similarity

        similarity.warm()

    def ready(self) -> None:
        from . import similarity

        # Saved proposals and co-signers make the cached similarity corpora stale.
        similarity.connect_signals()

        from cppcc.navigation import NavItem, register_nav
        from cppcc.roles import Role

        register_nav(
            NavItem(
                _("交办事项"), "proposals:unit_home", "inbox", frozenset({Role.UNIT}), order=10
            ),
            NavItem(
                _("提案"),
                "proposals:list",
                "file-earmark-text",
                frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER}),
                order=44,
                group=_("提案"),
            ),
        )
        self.register_opinions()
        self.register_unit_and_portal()
        self.register_todos()
        from members.duty import register_source

        from .duty import SOURCES as DUTY_SOURCES

        for duty_source in DUTY_SOURCES:
            register_source(duty_source)  # proposals and opinion reports count toward 履职档案

    def register_todos(self) -> None:
        from cppcc.navigation import TodoSource, register_todos
        from cppcc.roles import Role

        from . import selectors

        register_todos(
            TodoSource(
                "proposals.office",
                frozenset({Role.ADMIN, Role.OFFICE}),
                selectors.todo_office,
                25,
            ),
            TodoSource("proposals.unit", frozenset({Role.UNIT}), selectors.todo_unit, 5),
            TodoSource("proposals.member", frozenset({Role.MEMBER}), selectors.todo_member, 5),
        )

    def register_unit_and_portal(self) -> None:
        """The proposals block of a unit's home and "我的提案" on the member's /portal/."""
        from cppcc.navigation import PortalSection, register_portal_section, register_unit_section

        from .portal_views import portal_section
        from .unit_views import unit_section

        register_unit_section(
            PortalSection(template="proposals/unit_section.html", context=unit_section, order=5)
        )
        register_portal_section(
            PortalSection(template="portal/proposal_section.html", context=portal_section, order=25)
        )

    def register_opinions(self) -> None:
        """Public-opinion reports (社情民意): the office list and the member's portal block."""
        from cppcc.navigation import NavItem, PortalSection, register_nav, register_portal_section
        from cppcc.roles import Role

        from .opinion_views import portal_section

        register_nav(
            NavItem(
                _("社情民意"),
                "proposals:opinion_list",
                "megaphone",
                frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER, Role.TOWN}),
                order=45,
            )
        )
        register_portal_section(
            PortalSection(template="portal/opinion_section.html", context=portal_section, order=50)
        )
