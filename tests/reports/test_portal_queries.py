"""Issue 13: the member's pages cost the same number of queries whatever the number of rows, and
at most 15. Counted as tests/reports/test_query_counts.py counts: a second visit, then again
after more rows of everything the pages read."""

import pytest

from members import duty as ledger
from tests.cppcc.test_todos import county  # noqa: F401  (the fixture)
from tests.reports.test_query_counts import _grow, _queries

PINS = {
    # session, user, roles; the member (shared by every block); to-dos and unread (1); who I
    # am: terms and pending request (1); sessions with my attendance and leave (1); duty points
    # (1: the county's ranks are cached; the member of these tests is not ranked); studios:
    # memberships with Party groups, duty days, activities (3); proposals with invitations (1);
    # consultations: matters, meetings ahead and attended (2); opinion reports, their adoptions
    # and instructions (2)
    "portal": ("member_user", "/portal/", 15),
    # session, user, roles; the member, ledger years, points by kind, county ranks and medians
    # (cached), the page of entries and its count, the unread count
    "duty record": ("member_user", "/reports/portal/duty/", 9),
    # session, user, roles; the page of proposals and its count, invitations, the unread count
    "my proposals": ("member_user", "/proposals/portal/", 7),
}


def _as_a_request() -> None:
    """Requests run outside any transaction, where the county's duty figures come from the
    cache; the test's own transaction has changed the ledger's readers, which turns the cache
    off inside it (members.duty.ledger_version)."""
    ledger._changed.in_transaction = False


@pytest.mark.parametrize("page", list(PINS))
def test_member_page_queries_do_not_grow_with_rows(
    county,  # noqa: F811
    request,
    client_for,
    office_user,
    unit,
    member_a,
    page,
):
    who, url, pin = PINS[page]
    client = client_for(request.getfixturevalue(who))
    _as_a_request()
    client.get(url)
    few = _queries(client, url)
    _grow(3, office_user, unit, member_a)
    _as_a_request()
    client.get(url)  # the to-do counts changed: this visit rewrites the session's snapshot
    many = _queries(client, url)
    assert few == many, f"{page}: {few} queries with few rows, {many} with more"
    assert many <= pin, f"{page}: {many} queries, pinned at {pin}"
