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
                _("民生问题"), "studios:problems", "list-task", staff, order=31, group=_("工作室")
            ),
            NavItem(_("镇街"), "studios:towns", "geo-alt", staff, order=32, group=_("工作室")),
        )
        register_portal_section(
            PortalSection(template="portal/studios_section.html", context=portal_section, order=20)
        )


def portal_section(request, member):
    from .selectors import portal_context

    return portal_context(member)
