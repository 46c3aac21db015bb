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
                "consultations:meetings",
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


def portal_section(request, member):
    from .selectors import portal_context

    return portal_context(member)


def unit_section(request, unit):
    from .selectors import is_overdue, unit_matters

    assigned = list(unit_matters(unit.pk))
    for matter in assigned:
        matter.overdue = is_overdue(matter)
    return {"assigned": assigned}
