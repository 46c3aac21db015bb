"""The six roles. A role is a Django group whose name is the role's code; a user may hold several.

Group permissions carry the finer rights (for example the member register's sensitive fields);
the role decides which home page and navigation a person gets and how their querysets are scoped.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    OFFICE = "office", _("机关工作人员")
    TOWN = "town", _("镇街工作人员")
    MEMBER = "member", _("委员")
    UNIT = "unit", _("承办单位")
    LEADER = "leader", _("领导")


# Roles whose holders see the whole county.
COUNTYWIDE = frozenset({Role.ADMIN, Role.OFFICE, Role.LEADER})
# Roles that may change records (a town clerk only inside their town).
EDITORS = frozenset({Role.ADMIN, Role.OFFICE, Role.TOWN})
# Order in which a person holding several roles gets their landing page.
HOME_PRIORITY = (Role.ADMIN, Role.OFFICE, Role.LEADER, Role.TOWN, Role.UNIT, Role.MEMBER)


def roles_of(user) -> frozenset[str]:
    """The role codes a user holds, read once per request and kept on the user object."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_cppcc_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        if user.is_superuser:
            cached |= {Role.ADMIN}
        user._cppcc_roles = cached
    return cached


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & set(roles))


def is_countywide(user) -> bool:
    """Admin, office staff and leaders see every town's records."""
    return has_role(user, *COUNTYWIDE)


def can_edit_county(user) -> bool:
    """Admin and office staff may change any record; leaders only read."""
    return has_role(user, Role.ADMIN, Role.OFFICE)


def is_staff_like(user) -> bool:
    """People who work in the office pages (everyone except members and handling units)."""
    return has_role(user, Role.ADMIN, Role.OFFICE, Role.LEADER, Role.TOWN)


def clerk_town_id(user) -> int | None:
    """The town a town clerk is scoped to, or None."""
    if has_role(user, Role.TOWN):
        return user.town_id
    return None


# A permission group, not a role: office staff in it see members' full ID number, mobile and
# birth date (issue 3: "office staff with the member register permission").
MEMBER_REGISTER_GROUP = "委员名册管理"
MEMBER_REGISTER_PERMS = ("members.view_member_sensitive",)


def ensure_groups(**kwargs) -> None:
    """Creates the role groups and the member-register group; run after every migrate."""
    from django.contrib.auth.models import Group, Permission

    for code in Role.values:
        Group.objects.get_or_create(name=code)
    register, _created = Group.objects.get_or_create(name=MEMBER_REGISTER_GROUP)
    for dotted in MEMBER_REGISTER_PERMS:
        app_label, codename = dotted.split(".")
        perm = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if perm is not None:
            register.permissions.add(perm)


def grant_role(user, *roles: str) -> None:
    from django.contrib.auth.models import Group

    for code in roles:
        user.groups.add(Group.objects.get_or_create(name=Role(code).value)[0])
    # roles_of() caches the role set on the user object; the next call must see the new role.
    user.__dict__.pop("_cppcc_roles", None)
