from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudiosConfig(AppConfig):
    name = "studios"
    verbose_name = _("委员工作室")

    def ready(self) -> None:
        from cppcc.navigation import NavItem, PortalSection, register_nav, register_portal_section
        from cppcc.roles import Role

        staff = frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER, Role.TOWN})
        register_nav(
            NavItem(
                _("委员工作室"), "studios:list", "house-heart", staff, order=30, group=_("工作室")
            ),
            NavItem(
                _("活动记录"),
                "studios:activity_list",
                "calendar-event",
                staff,
                order=31,
                group=_("工作室"),
            ),
            NavItem(
                _("民生问题"),
                "studios:problem_list",
                "list-task",
                staff,
                order=32,
                group=_("工作室"),
            ),
            NavItem(
                _("党小组"),
                "studios:party_group_list",
                "flag",
                staff,
                order=33,
                group=_("工作室"),
            ),
            NavItem(_("镇街"), "studios:towns", "geo-alt", staff, order=34, group=_("工作室")),
        )
        register_portal_section(
            PortalSection(template="portal/studios_section.html", context=portal_section, order=20)
        )
        from members.signals import member_changed

        member_changed.connect(member_changed_receiver, dispatch_uid="studios.leader_eligibility")
        from members.duty import register_source

        from .duty import SOURCES as DUTY_SOURCES

        for duty_source in DUTY_SOURCES:
            register_source(duty_source)  # activities, duty days, postings count toward 履职档案

        from .totals_cache import watch

        watch()  # the activity list's totals are cached until these records change

        from cppcc.navigation import TodoSource, register_todos

        from . import selectors

        county = frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER})
        register_todos(
            TodoSource("studios.upkeep", staff, selectors.todo_studio_upkeep, 40),
            TodoSource("studios.unplaced", county, selectors.todo_unplaced_members, 50),
            TodoSource(
                "studios.member", frozenset({Role.MEMBER}), selectors.todo_member_studio, 10
            ),
        )


def portal_section(request, member):
    from .selectors import portal_context

    return portal_context(member)


def member_changed_receiver(sender, member, changed, by=None, **kwargs):
    """A member's party or status changed (members.signals): a Party group they lead may now
    need a new leader."""
    from .services import flag_ineligible_leader

    flag_ineligible_leader(member, by=by)
