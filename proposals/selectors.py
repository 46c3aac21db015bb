from django.db.models import QuerySet

from cppcc.roles import Role, has_role, is_countywide

from .models import HandlingUnit


def units_visible_to(user) -> QuerySet:
    """County roles and town clerks see the list of units (they assign to them); a unit's
    login sees only its own unit; members see none."""
    qs = HandlingUnit.objects.all()
    if is_countywide(user) or has_role(user, Role.TOWN):
        return qs
    if has_role(user, Role.UNIT) and user.handling_unit_id:
        return qs.filter(pk=user.handling_unit_id)
    return qs.none()
