"""Issue 13: the matter page costs at most 15 queries, whatever the number of its meetings,
民生实事 and progress reports, with a source proposal (whose link costs a visibility check)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultations.models import Matter, MeetingKind, Step
from tests.factories import ProposalFactory

from .conftest import add_project, hold_meeting

# session, user, roles; the matter (town, proposal, clerks), proposers, unit assignments (with
# unit); meetings with attendance counts and their units (the guard's held kinds are read from
# them); step transitions, step dates; the 民生实事; one statement for their totals, the source
# proposal's visibility and the unread count; progress reports; history: transitions,
# versions, the names its foreign keys point at
PIN = 15


def _queries(client, url: str) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def _grow(matter: Matter, by, n: int) -> None:
    for i in range(n):
        hold_meeting(matter, MeetingKind.SUPERVISION, by, topic=f"第{i}次督办协商")
        add_project(matter, by, title=f"实事{i}", funds_wan=10, beneficiaries=5)


def test_matter_page_queries_stay_within_fifteen_whatever_its_rows(
    client_for, office_user, new_matter, walk_to
):
    matter = walk_to(new_matter(is_annual_topic=True), Step.SUPERVISION)
    proposal = ProposalFactory()
    Matter.objects.filter(pk=matter.pk).update(proposal=proposal)
    client = client_for(office_user)
    url = matter.get_absolute_url()
    client.get(url)
    few, _response = _queries(client, url)
    _grow(matter, office_user, 4)
    client.get(url)
    many, response = _queries(client, url)
    assert few == many, f"{few} queries with few rows, {many} with more"
    assert many <= PIN
    # What the shared statement read is what the page shows.
    assert response.context["project_totals"]["count"] == 4
    assert response.context["project_totals"]["beneficiaries"] == 20
    assert response.context["blockers"] == []  # the walk held a 督办协商 and so did _grow
    assert response.context["proposal_url"]
    assert 'data-testid="source-proposal"' in response.content.decode()


def test_matter_page_blockers_count_held_meetings_only(
    client_for, office_user, new_matter, walk_to
):
    """The blockers read the held kinds from the page's meetings: one planned for next week
    does not let the matter leave 议前协商."""
    import datetime

    from django.utils import timezone

    matter = walk_to(new_matter(is_annual_topic=True), Step.PRE_MEETING)
    client = client_for(office_user)
    hold_meeting(
        matter,
        MeetingKind.PRE_MEETING,
        office_user,
        date=timezone.localdate() + datetime.timedelta(days=7),
    )
    blocked = client.get(matter.get_absolute_url()).context["blockers"]
    assert blocked
    hold_meeting(matter, MeetingKind.PRE_MEETING, office_user)
    assert client.get(matter.get_absolute_url()).context["blockers"] == []


@pytest.mark.parametrize("visible", [True, False])
def test_source_proposal_link_only_for_who_may_open_it(
    client_for, town_user, office_user, new_matter, visible
):
    matter = new_matter()
    Matter.objects.filter(pk=matter.pk).update(proposal=ProposalFactory())
    who = office_user if visible else town_user
    response = client_for(who).get(matter.get_absolute_url())
    assert bool(response.context["proposal_url"]) is visible
