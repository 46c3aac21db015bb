"""Walks every page reachable from each role's navigation: each answers 200, speaks Chinese, and
refers to nothing outside this server (government intranets are often offline)."""

import re
from collections import deque
from urllib.parse import urldefrag, urlparse

import pytest

from cppcc.roles import Role

LINK = re.compile(r'\bhref="([^"]+)"')
EXTERNAL = re.compile(
    r'\b(?:href|src|action|srcset)="(?:https?:)?//|url\((?:["\']?)(?:https?:)?//|@import\s+["\']?(?:https?:)?//'
)
CHINESE = re.compile(r"[\u4e00-\u9fff]")
# Links that change state or leave the session are not walked.
SKIP = re.compile(r"/logout/|/admin/logout/|/inbox/read/|/static/|/media/|/admin/r/|/api/")
MAX_PAGES = 120


def walk(client, start: str) -> dict[str, int]:
    seen: dict[str, int] = {}
    queue = deque([start])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        if url in seen:
            continue
        response = client.get(url, follow=True)
        seen[url] = response.status_code
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        content_type = response.headers.get("Content-Type", "")
        if not content_type.startswith("text/html"):
            continue
        html = response.content.decode()
        assert CHINESE.search(html), f"{url} has no Chinese text"
        outside = EXTERNAL.search(html)
        assert outside is None, (
            f"{url} refers to an outside host: {html[outside.start() : outside.start() + 120]}"
        )
        for raw in LINK.findall(html):
            target = urldefrag(raw.replace("&amp;", "&"))[0]
            parsed = urlparse(target)
            if (
                parsed.scheme
                or parsed.netloc
                or not parsed.path.startswith("/")
                or SKIP.search(parsed.path)
            ):
                continue
            # Query-string variants (filters, sorting, pages) of a walked page add nothing new.
            if parsed.path not in seen and parsed.path not in queue:
                queue.append(parsed.path)
    return seen


@pytest.mark.parametrize(
    "role", [Role.OFFICE, Role.TOWN, Role.MEMBER, Role.UNIT, Role.LEADER, Role.ADMIN]
)
def test_every_page_reachable_from_the_navigation_answers_in_chinese_with_nothing_external(
    client_for, cast, role
):
    client = client_for(cast[role])
    pages = walk(client, "/")
    assert len(pages) >= 3, pages
