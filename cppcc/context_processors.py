import functools

from django.conf import settings

from .navigation import NavItem, nav_badges, nav_for
from .notifications import unread_count
from .roles import Role, roles_of


class NavEntry:
    """A navigation item as the layout shows it, with its to-do count read only when the
    navigation is drawn (an htmx fragment never pays for it)."""

    def __init__(self, item: NavItem, badges):
        self.item = item
        self._badges = badges

    def __getattr__(self, name):
        return getattr(self.item, name)

    @property
    def badge(self) -> int:
        return self._badges().get(self.item.url_name, 0)


class NavGroup:
    """Items sharing a `group` (e.g. 工作室: studios, activities, problems …) shown as one
    dropdown, so the bar fits 1366 px however many lists the apps register; its badge is the
    sum of its items'."""

    def __init__(self, label: str, entries: list[NavEntry], path: str):
        self.label = label
        self.entries = entries
        self.icon = entries[0].icon
        self.active = any(entry.url == path for entry in entries)

    @property
    def badge(self) -> int:
        return sum(entry.badge for entry in self.entries)


def grouped(entries: list[NavEntry], path: str) -> list[NavEntry | NavGroup]:
    """The bar in registration order: an item alone, or its group at the first item's place."""
    members: dict[str, list[NavEntry]] = {}
    for entry in entries:
        if entry.group:
            members.setdefault(str(entry.group), []).append(entry)
    bar: list[NavEntry | NavGroup] = []
    for entry in entries:
        group = members.get(str(entry.group)) if entry.group else None
        if group is None or len(group) == 1:
            bar.append(entry)
        elif group[0] is entry:
            bar.append(NavGroup(str(entry.group), group, path))
    return bar


def chrome(request):
    """What the base layout needs: the person's navigation (with to-do badges), roles and unread
    notifications."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"county_name": settings.CPPCC_COUNTY_NAME}
    roles = roles_of(user)
    badges = functools.cache(lambda: nav_badges(request))
    # A home page has read it with its to-dos (cppcc.navigation._read).
    unread = getattr(request, "_cppcc_unread", None)
    return {
        "county_name": settings.CPPCC_COUNTY_NAME,
        "nav_items": grouped([NavEntry(item, badges) for item in nav_for(user)], request.path),
        "user_roles": [Role(r).label for r in Role.values if r in roles],
        "unread_notifications": unread_count(user) if unread is None else unread,
    }
