"""Role tests the shared templates need (the history panel, the password page)."""

from django import template

from cppcc import two_factor
from cppcc.roles import Role, has_role

register = template.Library()


@register.filter
def sees_addresses(user) -> bool:
    """The address a change came from is for the office and the administrator (who look into
    misuse); members, town clerks, units and leaders see who and when, never where from."""
    return has_role(user, Role.ADMIN, Role.OFFICE)


@register.filter
def may_use_two_factor(user) -> bool:
    return two_factor.may_use(user)
