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


def chrome(request):
    """What the base layout needs: the person's navigation (with to-do badges), roles and unread
    notifications."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"county_name": settings.CPPCC_COUNTY_NAME}
    roles = roles_of(user)
    badges = functools.cache(lambda: nav_badges(request))
    return {
        "county_name": settings.CPPCC_COUNTY_NAME,
        "nav_items": [NavEntry(item, badges) for item in nav_for(user)],
        "user_roles": [Role(r).label for r in Role.values if r in roles],
        "unread_notifications": unread_count(user),
    }
