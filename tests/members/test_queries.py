"""Pinned query counts: the list page and the API list cost the same for 5 rows as for 50."""

import pytest

from members import services
from members.models import Sector, SpecialCommittee
from tests.factories import MemberFactory


@pytest.fixture
def make_members(tables, office_user):
    def make(n: int):
        sectors = list(Sector.objects.all()[:5])
        committees = list(SpecialCommittee.objects.all()[:3])
        for i in range(n):
            member = MemberFactory(sector=sectors[i % 5], special_committee=committees[i % 3])
            services.update_member(member, by=office_user, name=member.name)  # pinyin keys
            member.terms.add(tables)

    return make


# session, user, the user's groups (roles), unread notifications (layout), the row count, the
# page of rows (sector and committee joined), counts by sector, counts by party, the filter
# form's terms, sectors, committees and studios, and for managers the bulk form's current term,
# studios and terms.
LIST_PAGE_QUERIES = 18


@pytest.mark.parametrize("rows", [5, 50])
def test_list_page_query_count_does_not_grow_with_rows(
    rows, make_members, office_user, client_for, django_assert_max_num_queries
):
    make_members(rows)
    c = client_for(office_user)
    with django_assert_max_num_queries(LIST_PAGE_QUERIES):
        response = c.get("/members/")
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count == rows


# session, user, roles (groups), the row count, the page of rows (sector and committee joined),
# the rows' terms (one prefetch), and the idle-timeout stamp on the session (savepoint, update,
# release: cppcc.middleware.SessionLimitMiddleware).
API_LIST_QUERIES = 9


@pytest.mark.parametrize("rows", [5, 50])
def test_api_list_query_count_does_not_grow_with_rows(
    rows, make_members, office_user, client_for, django_assert_max_num_queries
):
    make_members(rows)
    c = client_for(office_user)
    with django_assert_max_num_queries(API_LIST_QUERIES):
        response = c.get("/api/v1/members/")
    assert response.json()["count"] == rows
    assert len(response.json()["results"][0]["terms"]) == 1


@pytest.mark.parametrize("rows", [5, 50])
def test_town_clerk_list_page_query_count_does_not_grow(
    rows, make_members, town_user, gunan_studio, term, client_for, django_assert_max_num_queries
):
    from members.models import Member
    from tests.factories import MembershipFactory

    make_members(rows)
    for member in Member.objects.all():
        MembershipFactory(member=member, studio=gunan_studio, term=term)
    c = client_for(town_user)
    with django_assert_max_num_queries(LIST_PAGE_QUERIES):
        response = c.get("/members/")
    assert response.context["page_obj"].paginator.count == rows


def test_same_number_of_queries_for_5_and_50_rows(make_members, office_user, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    c = client_for(office_user)
    counts = {}
    make_members(5)
    for rows in (5, 50):
        if rows == 50:
            make_members(45)
        for url in ("/members/", "/api/v1/members/"):
            c.get(url)  # warm the session write so both runs do the same work
            with CaptureQueriesContext(connection) as ctx:
                assert c.get(url).status_code == 200
            counts[(url, rows)] = len(ctx.captured_queries)
    assert counts[("/members/", 5)] == counts[("/members/", 50)] <= LIST_PAGE_QUERIES
    assert counts[("/api/v1/members/", 5)] == counts[("/api/v1/members/", 50)] <= API_LIST_QUERIES
