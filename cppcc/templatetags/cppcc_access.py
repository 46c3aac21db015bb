"""Role tests the shared templates need (the history panel, the password page, links to
other pages)."""

from django import template
from django.urls import reverse

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


@register.filter
def may_open(user, url_name: str) -> bool:
    """`{% if user|may_open:"app:name" %}`: the link to that page (no arguments) only for who
    passes its gate (cppcc.views.may_open)."""
    from cppcc.views import may_open as passes

    return passes(user, reverse(url_name))
