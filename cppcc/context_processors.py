from django.conf import settings

from .navigation import nav_for
from .notifications import unread_count
from .roles import Role, roles_of


def chrome(request):
    """What the base layout needs: the person's navigation, roles and unread notifications."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"county_name": settings.CPPCC_COUNTY_NAME}
    roles = roles_of(user)
    return {
        "county_name": settings.CPPCC_COUNTY_NAME,
        "nav_items": nav_for(user),
        "user_roles": [Role(r).label for r in Role.values if r in roles],
        "unread_notifications": unread_count(user),
    }
