"""schemathesis against /api/schema/: as the office, a town clerk, a handling unit and a member,
every list and detail operation (GET, POST, PATCH) answers generated requests without a server
error, with a status the schema documents, and with a body the schema describes.

Bounded for CI: a few examples per operation, derandomized (the same requests on every run), no
shrinking, no example database. The records are the permission matrix's small county, so detail
operations meet real ids as well as made-up ones. Every call runs in a savepoint rolled back
afterwards, so one example's writes never feed the next.
"""

import re
from contextlib import contextmanager

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from werkzeug.test import Client as WerkzeugClient

from .permission_matrix import build_county, matrix_users

pytestmark = pytest.mark.django_db

EXAMPLES = 4
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# List and detail operations; the moves (/{id}/advance/ …) are walked by the matrix and the
# workflow tests with bodies that mean something.
LIST_OR_DETAIL = re.compile(r"^/api/v1/[a-z-]+/(\{id\}/)?$")
METHODS = {"GET", "POST", "PATCH"}


@pytest.fixture
def wsgi_app(settings):
    settings.ALLOWED_HOSTS = ["*"]
    return get_wsgi_application()


@contextmanager
def connection_kept():
    """The raw WSGI handler closes the connection around each request, which would end the
    test's transaction; Django's own test client unhooks the same signal for the same reason
    (and hooks it back after each of its requests, so this wraps only the fuzzing)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def api_county(cast, member_b_user, other_town_user, unit):
    users, other_unit = matrix_users(cast, member_b_user, other_town_user)
    build_county(users, unit, other_unit)
    return users


def token_for(client, username: str) -> str:
    response = client.post(
        "/api/v1/auth/token/",
        {"username": username, "password": "cppcc-test-pass"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]


def fuzz(schema, headers: dict, cookies: dict | None = None) -> list[str]:
    """Runs every selected operation; returns one line per operation that failed a check."""
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() not in METHODS or not LIST_OR_DETAIL.match(operation.path):
            continue

        @given(case=operation.as_strategy())
        @hypothesis_settings(
            max_examples=EXAMPLES,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            with transaction.atomic():
                case.call_and_validate(headers=headers, cookies=cookies, checks=CHECKS)
                transaction.set_rollback(True)

        try:
            run()
        except (Exception, BaseExceptionGroup) as error:  # a failed check, with its request
            first = [line for line in str(error).strip().splitlines() if line.strip()][:14]
            failures.append(
                f"{operation.method.upper()} {operation.path}:\n  " + "\n  ".join(first)
            )
    return failures


def load_schema(wsgi_app, headers: dict):
    return schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app, headers=headers)


@pytest.mark.parametrize("role", ["office", "town", "unit"])
def test_the_api_keeps_to_its_schema_for_each_role_with_a_token(client, wsgi_app, api_county, role):
    headers = {"Authorization": f"Token {token_for(client, api_county[role].username)}"}
    with connection_kept():
        failures = fuzz(load_schema(wsgi_app, headers), headers)
    assert not failures, "\n".join(failures)


def test_the_api_keeps_to_its_schema_for_a_member_signed_in_on_the_web(
    client, wsgi_app, api_county
):
    # Members get no API token (cppcc.api_auth.API_ROLES): their phone pages use the session.
    client.force_login(api_county["member_a"])
    cookies = {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}
    with connection_kept():
        signed_in = WerkzeugClient(wsgi_app)
        for name, value in cookies.items():
            signed_in.set_cookie(name, value)
        assert signed_in.get("/api/v1/members/").status_code == 200, "the session did not sign in"
        failures = fuzz(load_schema(wsgi_app, {}), {}, cookies)
    assert not failures, "\n".join(failures)


def test_every_operation_documents_the_refusals_the_api_gives():
    # cppcc.api_schema.AutoSchema, named by REST_FRAMEWORK["DEFAULT_SCHEMA_CLASS"].
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    undocumented = [
        f"{method.upper()} {path}: {code}"
        for path, operations in schema["paths"].items()
        for method, operation in operations.items()
        if method in {"get", "post", "put", "patch", "delete"}
        for code in ("401", "403", "404") + (("400", "409") if method != "get" else ())
        if code not in operation["responses"]
    ]
    assert not undocumented, "\n".join(undocumented[:20])
