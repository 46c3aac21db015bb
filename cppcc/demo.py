"""The demo logins, one per role, all with the password DEMO_PASSWORD (README, issue 2).

cppcc makes only the county-level logins (admin, office, leader); a login tied to an app's
record is made by that app's loader with demo_login(): studios.demo.load_logins (town, member),
proposals.demo.load_logins (unit). The demo command calls them in order and prints the rows
they return.
"""

from django.db import transaction

from cppcc.models import User
from cppcc.roles import MEMBER_REGISTER_GROUP, Role, grant_role

DEMO_PASSWORD = "cppcc-demo"


def demo_login(username: str, display_name: str, roles: list[str], **links) -> tuple[User, bool]:
    """Creates a demo login once (idempotent: an existing one is left as it is, so a second run
    changes nothing); `links` are the User fields tying it to its record (town=, member= …)."""
    user, created = User.objects.get_or_create(
        username=username, defaults={"display_name": display_name, **links}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        grant_role(user, *roles)
    return user, created


@transaction.atomic
def load_users(log) -> list[tuple[str, str]]:
    """Creates the county-level demo logins and returns (username, what it is) rows."""
    from django.contrib.auth.models import Group

    admin, created = demo_login("admin", "系统管理员", [Role.ADMIN])
    if created:
        admin.is_staff = True
        admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    office, created = demo_login("office", "办公室 王敏", [Role.OFFICE])
    if created:
        office.groups.add(Group.objects.get(name=MEMBER_REGISTER_GROUP))
    demo_login("leader", "区政协主席", [Role.LEADER])
    return [
        ("admin", "系统管理员（账号管理，后台管理）"),
        ("office", "机关工作人员（可查看委员敏感信息）"),
        ("leader", "领导（只读）"),
    ]
