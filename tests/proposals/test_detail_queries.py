"""Issue 13: the proposal page costs the same number of queries however many units,
co-signers, files, matters and merged proposals it shows, and the lists a proposal lacks cost
none: 12 for a plain proposal (the bench's 1号提案 costs 15), 16 with every list filled."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.models import Matter
from proposals.models import ProposalCosigner, ProposalFile, ProposalStatus
from tests.factories import HandlingUnitFactory, MemberFactory, ProposalFactory

from .flow import walk

S = ProposalStatus

# session, user, roles, the proposal; one statement for the counts of its matters, merged
# proposals, co-signers, files and ratings and the unread count; assignments (with unit), their
# ratings, the replies; co-signers, files, matters, merged ones (each only when counted);
# timeline (also the history's transitions); similar: rows, their assignments with units (the
# corpus is cached per process, the replies not read); history: versions.
PIN_FULL = 16
# the same for a proposal with no co-signer, file, matter or merged proposal
PIN_PLAIN = 12


def _queries(client, proposal) -> tuple[int, object]:
    url = reverse("proposals:detail", args=[proposal.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def _full(term, office_user, gunan, n: int):
    """A closed proposal with n units, co-signers, files, matters and merged proposals."""
    units = [HandlingUnitFactory() for _ in range(n)]
    proposal = walk(
        ProposalFactory(term=term, title="加快綦河沿线道路养护"), S.CLOSED, office_user, units=units
    )
    for i in range(n):
        ProposalCosigner.objects.create(
            proposal=proposal,
            member=MemberFactory(),
            status="confirmed",
            confirmed_at=timezone.now(),
        )
        ProposalFile.objects.create(
            proposal=proposal, file=f"x/{i}.pdf", original_name=f"附件{i}.pdf"
        )
        Matter.objects.create(
            town=gunan, year=timezone.localdate().year, title=f"议题{i}", proposal=proposal
        )
        ProposalFactory(term=term, status=S.MERGED, merged_into=proposal)
    return proposal


def test_proposal_page_queries_do_not_grow_with_its_rows(client_for, office_user, term, gunan):
    client = client_for(office_user)
    walk(ProposalFactory(term=term, title="綦河沿线道路养护"), S.CLOSED, office_user)  # similar
    few, _ = _queries(client, _full(term, office_user, gunan, 1))
    many, response = _queries(client, _full(term, office_user, gunan, 4))
    assert few == many, f"{few} queries with one of each, {many} with four"
    assert many <= PIN_FULL
    html = response.content.decode()
    assert html.count("附件") >= 4 and "议题3" in html
    assert len(response.context["merged"]) == 4
    assert len(response.context["cosigners"]) == 4
    assert all(a.rating_list for a in response.context["assignments"])


@pytest.mark.parametrize("units", [1, 4])
def test_a_plain_proposal_page_stays_within_fifteen(client_for, office_user, term, units):
    proposal = walk(
        ProposalFactory(term=term),
        S.CLOSED,
        office_user,
        units=[HandlingUnitFactory() for _ in range(units)],
    )
    count, response = _queries(client_for(office_user), proposal)
    assert count <= PIN_PLAIN
    assert response.context["files"] == [] and response.context["matters"] == []
    assert len(response.context["assignments"]) == units


def test_the_history_panel_reuses_the_timeline_s_transitions(client_for, office_user, term):
    from cppcc.audit import object_history
    from proposals.models import Proposal

    proposal = walk(ProposalFactory(term=term), S.CLOSED, office_user)
    _count, response = _queries(client_for(office_user), proposal)

    read_again = object_history(Proposal.objects.get(pk=proposal.pk))
    assert response.context["history"] == read_again
    assert any(entry["kind"] == "状态变更" for entry in read_again)
