"""Logins the system administrator manages in the app: create, edit, deactivate, reset.

Every write here leaves one history row on the user (simple-history: who, when, from which
address, what changed, and a reason such as 重置密码, since the password itself is never kept).
Members' logins are opened from the member's page (members.services) with the same temporary
passwords; both set `must_change_password`, which cppcc.middleware enforces.
"""

import secrets
import string
from collections.abc import Iterable

from django.contrib.auth import password_validation
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext as _

from .api_auth import revoke_tokens
from .models import User
from .roles import MEMBER_REGISTER_GROUP, Role, roles_of
from .workflow import WorkflowError

# The roles an administrator grants on the accounts page. Admin logins stay in the Django
# admin (fewer people should be able to make one); members' logins belong to the member record.
MANAGED_ROLES = (Role.OFFICE, Role.TOWN, Role.UNIT, Role.LEADER)
# Roles granted elsewhere that an edit here leaves in place.
KEPT_ROLES = frozenset({Role.ADMIN, Role.MEMBER})

# Letters and digits without look-alikes (0/O, 1/l/I), so it can be read out over the phone.
_ALPHABET = [c for c in string.ascii_letters + string.digits if c not in "0O1lI"]
TEMPORARY_PASSWORD_LENGTH = 12


def temporary_password(user: User | None = None) -> str:
    """A random password that passes AUTH_PASSWORD_VALIDATORS, shown once to the administrator
    (or office clerk) who hands it over; the person chooses their own at the next login."""
    while True:
        password = "".join(secrets.choice(_ALPHABET) for _i in range(TEMPORARY_PASSWORD_LENGTH))
        if not (any(c.isdigit() for c in password) and any(c.isalpha() for c in password)):
            continue
        try:
            password_validation.validate_password(password, user)
        except Exception:  # noqa: BLE001  (a validator refused it: draw again)
            continue
        return password


def _save(user: User, by, reason: str, update_fields: list[str] | None = None) -> None:
    # Named explicitly so that a call outside a request (shell, command) still records who.
    user._history_user = by if getattr(by, "is_authenticated", False) else None
    user._change_reason = reason
    user.save(update_fields=update_fields)


def _check(
    roles: Iterable[str], town, handling_unit, member_register: bool, *, keeps_a_role: bool
) -> None:
    roles = set(roles)
    if not roles and not keeps_a_role:
        raise WorkflowError(_("请至少选择一个角色。"))
    if not roles <= set(MANAGED_ROLES):
        raise WorkflowError(_("该页面只能授予机关工作人员、镇街工作人员、承办单位和领导角色。"))
    if Role.TOWN in roles and town is None:
        raise WorkflowError(_("镇街工作人员必须选择所属镇街。"))
    if Role.UNIT in roles and handling_unit is None:
        raise WorkflowError(_("承办单位账号必须选择所属承办单位。"))
    if member_register and Role.OFFICE not in roles:
        raise WorkflowError(_("只有机关工作人员可以授予“委员名册管理”权限。"))


def _apply(user: User, roles, town, handling_unit, member_register: bool) -> None:
    """Sets the managed roles and the register right; roles managed elsewhere (系统管理员,
    委员) are kept as they are. History is written once, by the caller's save."""
    roles = set(roles)
    user.town = town if Role.TOWN in roles else None
    user.handling_unit = handling_unit if Role.UNIT in roles else None
    managed_names = {*(r.value for r in MANAGED_ROLES), MEMBER_REGISTER_GROUP}
    wanted = {Role(r).value for r in roles} | (
        {MEMBER_REGISTER_GROUP} if member_register else set()
    )
    keep = [g for g in user.groups.all() if g.name not in managed_names]
    add = [Group.objects.get_or_create(name=name)[0] for name in sorted(wanted)]
    user.skip_history_when_saving = True
    try:
        user.groups.set(keep + add)
    finally:
        del user.skip_history_when_saving
    # roles_of() caches the set on the object.
    user.__dict__.pop("_cppcc_roles", None)


@transaction.atomic
def account_create(
    *,
    by,
    username: str,
    display_name: str,
    roles: Iterable[str],
    email: str = "",
    town=None,
    handling_unit=None,
    member_register: bool = False,
) -> tuple[User, str]:
    """Creates a login and returns it with its temporary password (shown once, never stored
    in clear); the person must change it at their first login."""
    roles = list(roles)
    username = username.strip()
    _check(roles, town, handling_unit, member_register, keeps_a_role=False)
    if User.objects.filter(username__iexact=username).exists():
        raise WorkflowError(_("用户名“%(name)s”已被使用。") % {"name": username})
    user = User(
        username=username,
        display_name=display_name.strip(),
        email=email.strip(),
        must_change_password=True,
    )
    password = temporary_password(user)
    user.set_password(password)
    _save(user, by, _("创建账号"))
    # Groups need the row first; the second history row holds the roles granted.
    _apply(user, roles, town, handling_unit, member_register)
    _save(user, by, _("授予角色"))
    return user, password


@transaction.atomic
def account_update(
    user: User,
    *,
    by,
    display_name: str,
    roles: Iterable[str],
    email: str = "",
    town=None,
    handling_unit=None,
    member_register: bool = False,
) -> User:
    roles = list(roles)
    keeps_a_role = bool(roles_of(user) & KEPT_ROLES)
    _check(roles, town, handling_unit, member_register, keeps_a_role=keeps_a_role)
    user.display_name = display_name.strip()
    user.email = email.strip()
    _apply(user, roles, town, handling_unit, member_register)
    _save(user, by, _("修改账号"))
    return user


@transaction.atomic
def account_deactivate(user: User, *, by) -> User:
    """A deactivated login can no longer log in; its open sessions end at their next request
    (ModelBackend refuses inactive users) and its API token is deleted, so that reactivating
    the login does not bring the old token back."""
    if user.pk == getattr(by, "pk", None):
        raise WorkflowError(_("不能停用自己的账号。"))
    claimed = User.objects.filter(pk=user.pk, is_active=True).update(is_active=False)
    if not claimed:
        raise WorkflowError(_("账号“%(name)s”已是停用状态。") % {"name": user.username})
    user.is_active = False
    # The update above wins a race between two administrators; this save writes the history.
    _save(user, by, _("停用账号"), ["is_active"])
    revoke_tokens(user)
    return user


@transaction.atomic
def account_activate(user: User, *, by) -> User:
    claimed = User.objects.filter(pk=user.pk, is_active=False).update(is_active=True)
    if not claimed:
        raise WorkflowError(_("账号“%(name)s”已是启用状态。") % {"name": user.username})
    user.is_active = True
    _save(user, by, _("启用账号"), ["is_active"])
    return user


@transaction.atomic
def account_reset_password(user: User, *, by) -> str:
    """Gives the login a new temporary password (returned, to show once) that must be changed
    at the next login. An administrator's own password goes through the password page."""
    if user.pk == getattr(by, "pk", None):
        raise WorkflowError(_("请通过“修改密码”更改自己的密码。"))
    password = temporary_password(user)
    user.set_password(password)
    user.must_change_password = True
    _save(user, by, _("重置密码"), ["password", "must_change_password"])
    return password


@transaction.atomic
def account_reset_two_factor(user: User, *, by) -> None:
    """For a person who lost their phone: removes their authenticator, so that they sign in with
    the password alone and may enrol a new one. One's own goes through the two-factor page."""
    from .two_factor import remove_devices

    if user.pk == getattr(by, "pk", None):
        raise WorkflowError(_("请通过“两步验证”页面关闭自己的两步验证。"))
    if not remove_devices(user):
        raise WorkflowError(_("账号“%(name)s”未开启两步验证。") % {"name": user.username})
    # A history row with the reason; no field of the user changed.
    _save(user, by, _("关闭两步验证"))
