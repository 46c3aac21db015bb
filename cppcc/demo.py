"""The demo logins, one per role, all with the password DEMO_PASSWORD (README, issue 2)."""

from django.db import transaction

from cppcc.models import User
from cppcc.roles import MEMBER_REGISTER_GROUP, Role, grant_role

DEMO_PASSWORD = "cppcc-demo"

DEMO_UNITS = [
    "区交通局",
    "区住房城乡建委",
    "区农业农村委",
    "区卫生健康委",
    "区教委",
    "区民政局",
    "区生态环境局",
    "区城市管理局",
]


def load_handling_units(log) -> None:
    from proposals.models import HandlingUnit

    for name in DEMO_UNITS:
        HandlingUnit.objects.get_or_create(name=name, defaults={"contact_person": "办公室"})
    log(f"承办单位：{HandlingUnit.objects.count()} 个")


def _user(username: str, display_name: str, roles: list[str], **links) -> tuple[User, bool]:
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
    """Creates the six demo logins (idempotent) and returns (username, what it is) rows."""
    from django.contrib.auth.models import Group

    from members.models import Member
    from proposals.models import HandlingUnit
    from studios.models import Studio, StudioKind, Town

    gunan = Town.objects.get(name="古南街道")
    studio = Studio.objects.get(kind=StudioKind.TOWN, town=gunan)
    # A plain member of 古南's studio who is not already somebody's login.
    member = (
        Member.objects.filter(
            studio_memberships__studio=studio,
            studio_memberships__end_on__isnull=True,
            user__isnull=True,
        )
        .exclude(pk=gunan.united_front_officer_id)
        .order_by("name_pinyin", "pk")
        .first()
    )
    existing_member_login = User.objects.filter(username="member").first()
    if existing_member_login is not None:
        member = existing_member_login.member
    unit = HandlingUnit.objects.get(name="区交通局")

    admin, created = _user("admin", "系统管理员", [Role.ADMIN])
    if created:
        admin.is_staff = True
        admin.is_superuser = True
        admin.save(update_fields=["is_staff", "is_superuser"])
    office, created = _user("office", "办公室 王敏", [Role.OFFICE])
    if created:
        office.groups.add(Group.objects.get(name=MEMBER_REGISTER_GROUP))
    _user("town", "古南街道政协工作办公室 刘洋", [Role.TOWN], town=gunan)
    _user("member", member.name, [Role.MEMBER], member=member)
    _user("unit", "区交通局 办公室", [Role.UNIT], handling_unit=unit)
    _user("leader", "区政协主席", [Role.LEADER])
    return [
        ("admin", "系统管理员"),
        ("office", "机关工作人员（可查看委员敏感信息）"),
        ("town", "镇街工作人员 · 古南街道"),
        ("member", f"委员 · {member.name}（古南街道委员工作室）"),
        ("unit", "承办单位 · 区交通局"),
        ("leader", "领导（只读）"),
    ]
