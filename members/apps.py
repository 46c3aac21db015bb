from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "members"
    verbose_name = _("委员")

    def ready(self) -> None:
        from cppcc.navigation import NavItem, PortalSection, register_nav, register_portal_section
        from cppcc.roles import Role

        from .views import portal_section, portal_sessions_section

        staff = frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER, Role.TOWN})
        managers = frozenset({Role.ADMIN, Role.OFFICE})
        register_nav(
            NavItem(_("委员名册"), "members:list", "people", staff, order=20, group=_("委员")),
            NavItem(
                _("信息修改审核"),
                "members:change_requests",
                "person-check",
                managers,
                order=22,
                group=_("委员"),
            ),
            NavItem(
                _("会议与出勤"),
                "members:session_list",
                "calendar-event",
                frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER}),
                order=24,
                group=_("委员"),
            ),
            NavItem(
                _("会议请假审批"),
                "members:leave_requests",
                "calendar-x",
                managers,
                order=25,
                group=_("委员"),
            ),
        )
        from .duty import watch_ledger_readers

        watch_ledger_readers()  # the cached county duty figures follow the ledger and members
        # "Who I am" comes first on the member's phone page; studios and later apps follow.
        register_portal_section(
            PortalSection(template="portal/members_me.html", context=portal_section, order=10)
        )
        # My sessions, attendance and leave requests, after "who I am".
        register_portal_section(
            PortalSection(
                template="portal/members_sessions.html", context=portal_sessions_section, order=12
            )
        )
        from cppcc.navigation import TodoSource, register_todos

        from .selectors import todo_change_requests, todo_leave_requests

        register_todos(
            TodoSource("members.change_requests", managers, todo_change_requests, 10),
            TodoSource("members.leave_requests", managers, todo_leave_requests, 11),
        )
        self.register_duty(managers)

    def register_duty(self, managers) -> None:
        """履职档案: sessions count toward it; the office keeps the points rules and sees the
        flagged members."""
        from cppcc.navigation import NavItem, TodoSource, register_nav, register_todos

        from .duty import SESSIONS_SOURCE, ledger_version, register_source, todo_flagged_members

        register_source(SESSIONS_SOURCE)
        register_nav(
            NavItem(
                _("履职积分规则"),
                "members:duty_rules",
                "sliders",
                managers,
                order=26,
                group=_("委员"),
            )
        )
        # The flags read the ledger, whose rebuilds write without signals: its own version.
        register_todos(
            TodoSource(
                "members.duty_flags", managers, todo_flagged_members, 12, version=ledger_version
            )
        )
