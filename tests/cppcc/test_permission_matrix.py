"""Walks the permission matrix (tests/cppcc/permission_matrix.py): every page and API operation
answers each role as the table says; a refused call changes nothing and names nothing it refused;
and no page or operation escapes the table.

Set MATRIX_RECORD=1 to print the answers as they are now, in the table's format, when adding rows.
"""

import datetime
import os

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from .permission_matrix import OPS, PAGES, ROLES, SECRETS, build_county, codes, matrix_users

PROJECT_APPS = ("cppcc", "members", "studios", "consultations", "proposals", "reports")
RECORD = os.environ.get("MATRIX_RECORD") == "1"
REFUSED = {401, 403, 404, 405}


@pytest.fixture
def county(cast, member_b_user, other_town_user, unit):
    users, other_unit = matrix_users(cast, member_b_user, other_town_user)
    data = build_county(users, unit, other_unit)
    clients = {"anon": Client()}
    for role, user in users.items():
        clients[role] = Client()
        clients[role].force_login(user)
    return data, clients


def row_counts() -> tuple:
    """Every table of the project's apps counted in one query: a refused write adds, removes or
    records (simple-history rows) nothing. Audit rows are left out: a refusal is audited."""
    tables = [
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in PROJECT_APPS and model._meta.db_table != "cppcc_auditevent"
    ]
    sql = "SELECT " + ", ".join(f'(SELECT COUNT(*) FROM "{t}")' for t in tables)
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(zip(tables, cursor.fetchone(), strict=True))


def op_url(op, county) -> str:
    return op.path.replace("{id}", str(county[op.subject].pk)) if op.subject else op.path


def snapshot(obj) -> dict | None:
    if obj is None:
        return None
    return type(obj)._default_manager.filter(pk=obj.pk).values().first()


def kwargs_for(page, county) -> dict:
    return {
        k: county[v].pk if isinstance(v, str) and v in county else v for k, v in page.kwargs.items()
    }


def check_refusal(body: str, subject: str | None, where: str, failures: list) -> None:
    secret = SECRETS.get(subject) if subject else None
    if secret and secret in body:
        failures.append(f"{where}: the refusal shows {secret!r}")


def test_every_page_answers_each_role_as_the_matrix_says(county):
    data, clients = county
    failures, recorded = [], []
    for page in PAGES:
        url = reverse(page.name, kwargs=kwargs_for(page, data))
        expected = codes(page.expect) if page.expect else {}
        got = []
        for role in ROLES:
            response = clients[role].get(url)
            got.append(str(response.status_code))
            if RECORD:
                continue
            if response.status_code != expected[role]:
                failures.append(
                    f"{page.name} {url} as {role}: {response.status_code}, "
                    f"expected {expected[role]}"
                )
            elif response.status_code in REFUSED:
                check_refusal(
                    response.content.decode(errors="replace"),
                    page.subject,
                    f"{page.name} as {role}",
                    failures,
                )
        recorded.append(f'    Page("{page.name}", {page.kwargs!r}, "{" ".join(got)}"),')
    if RECORD:
        print("\n".join(recorded))
    assert not failures, "\n".join(failures)


def body_for(op, county) -> dict | None:
    """The op's body with "@key" replaced by the county record's id (and @today, @year …)."""
    today = timezone.localdate()
    values = {
        "@today": today.isoformat(),
        "@future": (today + datetime.timedelta(days=60)).isoformat(),
        "@year": today.year,
        "@last_year": today.year - 1,
    }

    def fill(value):
        if isinstance(value, list):
            return [fill(v) for v in value]
        if isinstance(value, dict):
            return {k: fill(v) for k, v in value.items()}
        if isinstance(value, str) and value.startswith("@"):
            if value == "@version":
                return county[op.subject].version
            return values[value] if value in values else county[value[1:]].pk
        return value

    return fill(op.body) if op.body is not None else None


def call_op(client, op, county):
    url = op_url(op, county)
    if op.method == "GET":
        return client.get(url)
    return getattr(client, op.method.lower())(
        url, body_for(op, county), content_type="application/json"
    )


def test_every_api_operation_answers_each_role_as_the_matrix_says(county):
    data, clients = county
    failures, recorded = [], []
    for op in OPS:
        expected = codes(op.expect) if op.expect else {}
        obj = data.get(op.subject) if op.subject else None
        got = []
        for role in ROLES:
            where = f"{op.method} {op.path} as {role}"
            # Each call runs in a savepoint rolled back afterwards: every role meets the county
            # as built, whatever the role before it was allowed to change.
            write = op.method != "GET"
            with transaction.atomic():
                before_rows, before = (row_counts(), snapshot(obj)) if write else (None, None)
                response = call_op(clients[role], op, data)
                after_rows, after = (row_counts(), snapshot(obj)) if write else (None, None)
                transaction.set_rollback(True)
            status = response.status_code
            got.append(str(status))
            if RECORD:
                continue
            if status != expected[role]:
                failures.append(f"{where}: {status}, expected {expected[role]}")
                continue
            if status in REFUSED:
                body = response.content.decode(errors="replace")
                check_refusal(body, op.subject, where, failures)
                if after_rows != before_rows:
                    changed = [a for a, b in zip(after_rows, before_rows, strict=True) if a != b]
                    failures.append(f"{where}: refused, yet rows changed: {changed}")
                if after != before:
                    failures.append(f"{where}: refused, yet the record changed")
        recorded.append(_op_line(op, got))
    if RECORD:
        print("\n".join(recorded))
    assert not failures, "\n".join(failures)


def _op_line(op, got) -> str:
    args = f'"{op.method}", "{op.path}", "{" ".join(got)}"'
    if op.subject or op.body is not None:
        args += f", {op.subject!r}"
    if op.body is not None:
        args += f", {op.body!r}"
    return f"    Op({args}),"


# --- nothing escapes the table -----------------------------------------------------------------


def project_url_names(resolver=None, namespace="") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin" or str(entry.pattern).startswith("api/"):
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= project_url_names(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            module = getattr(entry.callback, "__module__", "")
            if module.split(".")[0] in PROJECT_APPS and not str(entry.pattern).startswith("api/"):
                names.add(namespace + entry.name)
    return names


def schema_operations() -> set[tuple[str, str]]:
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {
        (method.upper(), path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    }


def test_every_page_of_the_project_is_in_the_matrix():
    missing = project_url_names() - {page.name for page in PAGES}
    assert not missing, f"pages missing from the permission matrix: {sorted(missing)}"


def test_every_api_operation_of_the_schema_is_in_the_matrix():
    missing = schema_operations() - {(op.method, op.path) for op in OPS}
    assert not missing, f"API operations missing from the permission matrix: {sorted(missing)}"


def test_the_matrix_lists_nothing_that_does_not_exist():
    assert {page.name for page in PAGES} <= project_url_names()
    assert {(op.method, op.path) for op in OPS} <= schema_operations()
