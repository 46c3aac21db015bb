"""The studio list and a studio's page keep their HTML per viewer, query and day until a record
of the apps changes (cppcc.navigation.kept_html, issue 13): a repeat visit runs none of their
queries, a write shows on the next visit, and each viewer's kept page is their own.
Transactional: a page computed inside a transaction that wrote is never kept."""

import datetime

import pytest

from studios import services
from studios.models import Attendance, StudioKind

from ..factories import StudioFactory
from ..pages import visit

pytestmark = pytest.mark.django_db(transaction=True)

LIST = "/studios/"


def test_the_list_is_kept_until_a_write(client_for, office_user, gunan_studio, dongxi_studio):
    client = client_for(office_user)
    first, first_queries = visit(client, LIST)
    second, second_queries = visit(client, LIST)
    assert second == first and gunan_studio.name in first
    # The page count, the rows, their counts, the term and the unplaced members: not read again.
    assert second_queries <= first_queries - 4
    StudioFactory(town=gunan_studio.town, kind=StudioKind.SECTOR, name="医卫界别委员工作室")
    html, _n = visit(client, LIST)
    assert "医卫界别委员工作室" in html


def test_each_query_of_the_list_is_kept_apart(client_for, office_user, gunan_studio, dongxi_studio):
    client = client_for(office_user)
    visit(client, LIST)
    html, _n = visit(client, f"{LIST}?town={dongxi_studio.town_id}")
    assert dongxi_studio.name in html and gunan_studio.name not in html


def test_a_clerk_never_gets_anothers_kept_list(
    client_for, office_user, town_user, gunan_studio, dongxi_studio
):
    visit(client_for(office_user), LIST)
    html, _n = visit(client_for(town_user), LIST)
    assert gunan_studio.name in html and dongxi_studio.name not in html


def test_the_studio_page_is_kept_until_a_write(client_for, office_user, gunan_studio, member_a):
    client = client_for(office_user)
    url = gunan_studio.get_absolute_url()
    first, first_queries = visit(client, url)
    second, second_queries = visit(client, url)
    assert second == first
    assert second_queries <= first_queries - 8
    services.record_activity(
        gunan_studio,
        {"kind": "courtyard", "title": "荷塘院坝会", "date": datetime.date(2026, 5, 1)},
        {member_a.pk: Attendance.PRESENT},
        by=office_user,
    )
    html, _n = visit(client, url)
    assert "荷塘院坝会" in html


def test_another_towns_clerk_cannot_open_a_kept_studio_page(
    client_for, office_user, other_town_user, gunan_studio
):
    url = gunan_studio.get_absolute_url()
    visit(client_for(office_user), url)
    assert client_for(other_town_user).get(url).status_code == 404
