"""The demo county's handling units and the `unit` login (called by the demo command after
studios.demo, before consultations.demo assigns matters to these units). Idempotent: units are
matched by name."""

from collections.abc import Callable

from cppcc.demo import demo_login
from cppcc.roles import Role

from .models import HandlingUnit, UnitKind

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
# The unit whose login the README lists (seed 000's matter is assigned to it).
DEMO_LOGIN_UNIT = "区交通局"


def load(log: Callable[[str], None]) -> None:
    """Creates the demo units, and gives units made before kinds existed their kind (the
    history records that change; an unchanged unit is not written)."""
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


def load_logins(log: Callable[[str], None]) -> list[tuple[str, str]]:
    """The `unit` demo login, answering for 区交通局; returns its row for the login table."""
    unit = HandlingUnit.objects.get(name=DEMO_LOGIN_UNIT)
    demo_login("unit", f"{DEMO_LOGIN_UNIT} 办公室", [Role.UNIT], handling_unit=unit)
    return [("unit", f"承办单位 · {DEMO_LOGIN_UNIT}")]
