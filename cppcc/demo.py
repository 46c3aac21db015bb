"""The demo logins, one per role, all with the password DEMO_PASSWORD (README, issue 2)."""

from django.db import transaction

from cppcc.models import User
from cppcc.roles import MEMBER_REGISTER_GROUP, Role, grant_role

DEMO_PASSWORD = "cppcc-demo"

# (name, kind): the departments the demo's matters are assigned to (seed 000: 区交通局), with
# two mass organisations (党群部门) and the power company (其他).
DEMO_UNITS = [
    ("区交通局", "government"),
    ("区住房城乡建委", "government"),
    ("区农业农村委", "government"),
    ("区卫生健康委", "government"),
    ("区教委", "government"),
    ("区民政局", "government"),
    ("区生态环境局", "government"),
    ("区城市管理局", "government"),
    ("区水利局", "government"),
    ("区规划自然资源局", "government"),
    ("区商务委", "government"),
    ("区市场监管局", "government"),
    ("区文化旅游委", "government"),
    ("区公安局交巡警支队", "government"),
    ("团区委", "party"),
    ("区妇联", "party"),
    ("国网綦江供电公司", "other"),
]


def load_handling_units(log) -> None:
    """Creates the demo units, and gives units made before kinds existed their kind (the
    history records that change; an unchanged unit is not written)."""
    from proposals.models import HandlingUnit, UnitKind

    made = 0
    for name, kind in DEMO_UNITS:
        unit, created = HandlingUnit.objects.get_or_create(
            name=name, defaults={"contact_person": "办公室", "kind": UnitKind(kind)}
        )
        made += created
        if unit.kind != kind:
            unit.kind = UnitKind(kind)
            unit.save(update_fields=["kind"])
    log(f"承办单位新增 {made} 个，共 {HandlingUnit.objects.count()} 个")


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
