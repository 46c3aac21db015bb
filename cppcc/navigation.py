"""Navigation and portal sections, registered by each app in its AppConfig.ready().

The registry keeps cppcc free of imports from the apps: each app says what it offers and to
which roles, and the base layout shows a person only what their roles may use.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from .roles import roles_of


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    roles: frozenset[str]
    order: int = 100
    group: str = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass(frozen=True)
class PortalSection:
    """A block on the member's /portal/ page. `context(request, member)` returns the template's
    context, or None to leave the block out."""

    template: str
    context: Callable
    order: int = 100


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    portal: list[PortalSection] = field(default_factory=list)
    # Blocks on a handling unit's home page; `context(request, unit)`. Proposals owns the page,
    # consultations adds its matters here, so proposals never imports consultations.
    unit_home: list[PortalSection] = field(default_factory=list)


registry = Registry()


def register_nav(*items: NavItem) -> None:
    for item in items:
        if item not in registry.nav:
            registry.nav.append(item)
    registry.nav.sort(key=lambda i: i.order)


def register_portal_section(section: PortalSection) -> None:
    if section not in registry.portal:
        registry.portal.append(section)
    registry.portal.sort(key=lambda s: s.order)


def register_unit_section(section: PortalSection) -> None:
    if section not in registry.unit_home:
        registry.unit_home.append(section)
    registry.unit_home.sort(key=lambda s: s.order)


def nav_for(user) -> list[NavItem]:
    roles = roles_of(user)
    return [item for item in registry.nav if item.roles & roles]
