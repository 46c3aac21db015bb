"""Helpers for tests that read a page's context."""

import re

from django.db import connection
from django.test.utils import CaptureQueriesContext


def block_context(response, template_name: str) -> dict:
    """The context a block of a page made of sections (cppcc.navigation.rendered_sections)
    was rendered with: each block is its own template render, recorded by the test client."""
    found = [
        context["s"]
        for template, context in zip(response.templates, response.context, strict=False)
        if template.name == template_name
    ]
    assert found, f"{template_name} was not rendered"
    return found[0]


# Made anew for every response (CSRF tokens, the scripts' CSP nonce): left out of comparisons.
TOKEN = re.compile(r'(X-CSRFToken": "|name="csrfmiddlewaretoken" value="| nonce=")[^"]+')


def visit(client, url: str) -> tuple[str, int]:
    """A page's HTML with its per-response tokens blanked, and the queries it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return TOKEN.sub(r"\1…", response.content.decode()), len(queries)
