from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConsultationsConfig(AppConfig):
    name = "consultations"
    verbose_name = _("一镇一事协商")

    def ready(self) -> None:
        from cppcc.navigation import (
            NavItem,
            PortalSection,
            register_nav,
            register_portal_section,
            register_unit_section,
        )
        from cppcc.roles import Role

        staff = frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER, Role.TOWN})
        register_nav(
            NavItem(
                _("一镇一事"),
                "consultations:board",
                "signpost-split",
                staff,
                order=40,
                group=_("协商"),
            ),
            NavItem(
                _("协商会议"),
                "consultations:meeting_list",
                "chat-square-text",
                staff,
                order=41,
                group=_("协商"),
            ),
        )
        register_portal_section(
            PortalSection(
                template="portal/consultations_section.html", context=portal_section, order=30
            )
        )
        register_unit_section(
            PortalSection(
                template="consultations/unit_section.html", context=unit_section, order=10
            )
        )
        from members.duty import register_source

        from .duty import SOURCES as DUTY_SOURCES

        for duty_source in DUTY_SOURCES:
            register_source(duty_source)  # meetings attended count toward 履职档案
        from cppcc.navigation import TodoSource, register_todos

        from . import selectors

        register_todos(
            TodoSource("consultations.matters", staff, selectors.todo_matters, 20),
            TodoSource("consultations.tasks", staff, selectors.todo_overdue_tasks, 30),
            TodoSource(
                "consultations.week", frozenset({Role.TOWN}), selectors.todo_meetings_this_week, 15
            ),
            TodoSource("consultations.unit", frozenset({Role.UNIT}), selectors.todo_unit_work, 10),
            TodoSource(
                "consultations.member",
                frozenset({Role.MEMBER}),
                selectors.todo_member_consultations,
                20,
            ),
        )


def portal_section(request, member):
    from .portal import portal_context

    return portal_context(member)


def unit_section(request, unit):
    from .selectors import unit_home_context

    return unit_home_context(unit)
