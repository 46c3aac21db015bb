"""The member register's list keeps its HTML per viewer, query and day until a record changes
(cppcc.navigation.kept_render, issue 13). Its bulk form posts: the kept HTML holds a stand-in
for the CSRF token, and every visit gets the viewer's own. Transactional: a page computed inside
a transaction that wrote is never kept."""

import re

import pytest
from django.test import Client

from cppcc.navigation import CSRF_STAND_IN
from members.models import MemberStatus

from ..factories import MemberFactory, UserFactory
from ..pages import visit

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/members/"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def strict_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_the_list_is_kept_and_its_bulk_form_posts_with_the_viewers_token(office_user):
    member = MemberFactory(name="李荷塘", status=MemberStatus.LEFT)
    client = strict_client(office_user)
    first, first_queries = visit(client, LIST)
    second, second_queries = visit(client, LIST)
    assert second == first and "李荷塘" in first
    # The page, its count and the counts by sector and party are not read again.
    assert second_queries <= first_queries - 3
    html = client.get(LIST).content.decode()
    assert CSRF_STAND_IN not in html
    token = TOKEN.search(html).group(1)
    response = client.post(
        "/members/bulk/",
        {"action": "return", "ids": [member.pk], "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.status == MemberStatus.ACTIVE


def test_another_viewer_gets_their_own_token_and_the_others_is_refused(office_user):
    member = MemberFactory(name="李荷塘", status=MemberStatus.LEFT)
    other = UserFactory(username="t-office-3", roles=["office"])
    first, second = strict_client(office_user), strict_client(other)
    first.get(LIST)
    first_token = TOKEN.search(first.get(LIST).content.decode()).group(1)
    second.get(LIST)
    own = TOKEN.search(second.get(LIST).content.decode()).group(1)
    assert own != first_token
    refused = second.post(
        "/members/bulk/",
        {"action": "return", "ids": [member.pk], "csrfmiddlewaretoken": "x" * 64},
    )
    assert refused.status_code == 403
    accepted = second.post(
        "/members/bulk/",
        {"action": "return", "ids": [member.pk], "csrfmiddlewaretoken": own},
    )
    assert accepted.status_code == 302
