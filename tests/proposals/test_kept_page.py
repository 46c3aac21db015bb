"""The proposal page keeps its HTML per viewer, query and day until a record changes
(cppcc.navigation.kept_render, issue 13); its forms carry the viewer's CSRF token; a form
posted with errors is shown as posted, not kept. Transactional: a page computed inside a
transaction that wrote is never kept."""

import pytest
from django.urls import reverse

from cppcc.navigation import CSRF_STAND_IN
from proposals.models import ProposalStatus
from tests.factories import HandlingUnitFactory, ProposalFactory

from ..pages import visit
from .flow import walk

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_page_is_kept_until_a_write(client_for, office_user, term):
    proposal = walk(
        ProposalFactory(term=term, title="加快綦河沿线道路养护"),
        ProposalStatus.ASSIGNED,
        office_user,
        units=[HandlingUnitFactory()],
    )
    client = client_for(office_user)
    url = reverse("proposals:detail", args=[proposal.pk])
    first, first_queries = visit(client, url)
    second, second_queries = visit(client, url)
    assert second == first and "加快綦河沿线道路养护" in first
    # Its counts, assignments, replies, timeline, similar proposals and history: not read again.
    assert second_queries <= first_queries - 6
    assert CSRF_STAND_IN not in client.get(url).content.decode()
    proposal.title = "加快綦河沿线道路养护和绿化"
    proposal.save()
    html, _n = visit(client, url)
    assert "加快綦河沿线道路养护和绿化" in html


def test_each_viewer_sees_their_own_kept_page(client_for, office_user, leader_user, term):
    proposal = walk(ProposalFactory(term=term), ProposalStatus.SUBMITTED, office_user)
    url = reverse("proposals:detail", args=[proposal.pk])
    office_html, _n = visit(client_for(office_user), url)
    leader_html, _n = visit(client_for(leader_user), url)
    # The office's move forms are not served to a leader, who may only read.
    assert "csrfmiddlewaretoken" in office_html
    assert office_html != leader_html
