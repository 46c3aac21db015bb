"""`manage.py demo` loads a believable county through the services, once: a second run changes
nothing. It is also the widest smoke test of the services."""

import ast
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command

from cppcc.demo import DEMO_PASSWORD
from cppcc.models import User
from cppcc.roles import Role, roles_of

pytestmark = pytest.mark.django_db(transaction=True)


def row_counts() -> dict[str, int]:
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in {"cppcc", "members", "studios", "proposals"}
        and not model._meta.label.endswith("Notification")
    }


def test_demo_loads_the_county_once_and_a_second_run_changes_nothing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("demo", no_serve=True)
    first = row_counts()
    call_command("demo", no_serve=True)
    assert row_counts() == first

    from members.models import Member, PartyAffiliation
    from studios.models import Studio, Town

    active = Member.objects.active()
    assert active.count() == 365
    cpc_share = active.filter(party=PartyAffiliation.CPC).count() / 365
    assert 0.25 <= cpc_share <= 0.42
    assert Town.objects.count() >= 18
    assert Town.objects.filter(name="古南街道").exists()
    assert Studio.objects.filter(kind="town").count() == Town.objects.count()


DEMO_ROLES = {
    "admin": Role.ADMIN,
    "office": Role.OFFICE,
    "town": Role.TOWN,
    "member": Role.MEMBER,
    "unit": Role.UNIT,
    "leader": Role.LEADER,
}


def test_demo_logins_use_the_demo_password_and_hold_their_role(settings, rf):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = io.StringIO()
    call_command("demo", no_serve=True, stdout=out)
    printed = out.getvalue()
    for username in DEMO_ROLES:
        assert f"\n  {username:<8} " in printed, username
    for username, role in DEMO_ROLES.items():
        user = authenticate(rf.post("/accounts/login/"), username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        assert role in roles_of(user)
    member = User.objects.get(username="member").member
    assert member.studio_memberships.filter(
        studio__town__name="古南街道", end_on__isnull=True
    ).exists()
    assert User.objects.get(username="town").town.name == "古南街道"
    assert User.objects.get(username="unit").handling_unit.name == "区交通局"


def test_the_platform_demo_imports_no_apps_models():
    """Each app loads its own demo records and logins; cppcc.demo only makes cppcc's logins."""
    import cppcc.demo

    tree = ast.parse(Path(cppcc.demo.__file__).read_text(encoding="utf-8"))
    imported = {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module
    } | {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    assert imported <= {"django", "cppcc"}, imported
