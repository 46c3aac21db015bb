"""The proposal figures (reports.statistics): filed, registered, replied on time and ratings,
for a year and for a session, against proposals walked through proposals.workflow; and their
card on the office home and the dashboard."""

import datetime

import pytest
from django.utils import timezone

from proposals import workflow
from proposals.models import Proposal, ProposalStatus, ProposalUnit
from reports import statistics
from reports.periods import Period
from tests.factories import CommitteeSessionFactory, HandlingUnitFactory, ProposalFactory
from tests.proposals.flow import walk

S = ProposalStatus
TODAY = timezone.localdate()
YEAR = TODAY.year
THIS = Period.for_year(YEAR)
LAST = Period.for_year(YEAR - 1)


def rate_and_close(proposal, office, *ratings):
    """Rates each unit's released reply in turn (不满意 sends it back: the unit answers again and
    the next rating is given), then closes."""
    assignment = ProposalUnit.objects.get(proposal=proposal)
    for rating in ratings:
        workflow.proposal_rate(
            assignment, rating=rating, communication="phone", note="未解决", by=office
        )
        if rating == "unsatisfied":
            reply = workflow.reply_submit(
                assignment, answer_type="solved", text="已重新办理。", by=office
            )
            workflow.reply_release(reply, by=office)
    workflow.proposal_close(proposal, by=office)


@pytest.fixture
def county(db, office_user):
    """This year: a draft, one not registered, one registered, one replied late, three closed
    (满意; 基本满意; 不满意 then 满意), one of them to a session; last year: one closed."""
    unit = HandlingUnitFactory(name="区交通局")
    session = CommitteeSessionFactory()
    made = {"draft": ProposalFactory()}
    made["rejected"] = walk(ProposalFactory(), S.NOT_REGISTERED, office_user)
    made["registered"] = walk(ProposalFactory(), S.REGISTERED, office_user)
    late = walk(ProposalFactory(), S.ASSIGNED, office_user, units=[unit])
    # Its due date passed before the reply was released.
    ProposalUnit.objects.filter(proposal=late).update(due_on=TODAY - datetime.timedelta(days=2))
    reply = workflow.reply_submit(
        ProposalUnit.objects.get(proposal=late),
        answer_type="planned",
        text="已列入计划。",
        by=office_user,
    )
    workflow.reply_release(reply, by=office_user)
    made["late"] = late
    for name, ratings, extra in (
        ("satisfied", ["satisfied"], {"session": session}),
        ("basically", ["basically"], {}),
        ("rehandled", ["unsatisfied", "satisfied"], {}),
    ):
        proposal = walk(ProposalFactory(**extra), S.REPLIED, office_user, units=[unit])
        rate_and_close(proposal, office_user, *ratings)
        made[name] = proposal
    old = walk(ProposalFactory(), S.REPLIED, office_user, units=[unit])
    rate_and_close(old, office_user, "basically")
    Proposal.objects.filter(pk=old.pk).update(year=YEAR - 1)
    made["session"] = session
    return made


def test_filed_counts_every_proposal_past_its_draft_in_the_year(county):
    everything = Proposal.objects.all()
    assert statistics.proposals_filed(everything, THIS) == 6
    assert statistics.proposals_filed(everything, LAST) == 1
    assert statistics.proposals_filed(everything, THIS, session=county["session"]) == 1


def test_registered_counts_registered_and_everything_after(county):
    everything = Proposal.objects.all()
    # registered, late (assigned), the three closed
    assert statistics.proposals_registered(everything, THIS) == 5
    assert statistics.proposals_registered(everything, THIS, session=county["session"]) == 1


def test_a_reply_released_after_its_due_date_is_not_on_time(county):
    figure = statistics.proposals_replied_on_time(Proposal.objects.all(), THIS)
    assert figure == {"replied": 4, "on_time": 3, "rate": 75.0}
    assert statistics.proposals_replied_on_time(Proposal.objects.all(), LAST)["rate"] == 100.0


def test_every_rating_counts_and_the_rate_takes_satisfied_and_basically(county):
    figure = statistics.proposal_ratings(Proposal.objects.all(), THIS)
    assert (figure["satisfied"], figure["basically"], figure["unsatisfied"]) == (2, 1, 1)
    assert figure["total"] == 4 and figure["rate"] == 75.0
    assert [row["name"] for row in figure["rows"]] == ["满意", "基本满意", "不满意"]
    session = statistics.proposal_ratings(Proposal.objects.all(), THIS, session=county["session"])
    assert (session["satisfied"], session["total"], session["rate"]) == (1, 1, 100.0)


def test_figures_without_proposals_have_no_rate(db):
    assert statistics.proposals_replied_on_time(Proposal.objects.all(), THIS)["rate"] is None
    assert statistics.proposal_ratings(Proposal.objects.all(), THIS)["rate"] is None


def test_a_town_clerk_counts_no_proposals(county, town_user):
    # Proposals are the county office's business: a town clerk's scope holds none.
    mine = Proposal.objects.visible_to(town_user)
    assert statistics.proposals_filed(mine, THIS) == 0
    assert statistics.proposal_ratings(mine, THIS)["total"] == 0


@pytest.mark.parametrize("path", ["/reports/office/", "/reports/dashboard/"])
def test_office_home_and_dashboard_show_the_proposal_card(county, client_for, office_user, path):
    html = client_for(office_user).get(path).content.decode()
    assert 'data-testid="proposal-figures"' in html
    assert 'data-testid="figure-proposals-filed">6 / 5<' in html
    assert 'data-testid="figure-proposals-on-time">3 / 4<' in html
    assert 'data-testid="figure-proposals-ratings">2 / 1 / 1<' in html
    assert 'data-testid="figure-proposals-satisfaction">75.0%<' in html


def test_the_dashboard_charts_the_years_ratings(county, client_for, leader_user):
    response = client_for(leader_user).get("/reports/dashboard/")
    chart = next(c for c in response.context["charts"] if c["id"] == "chart-ratings")
    data = chart["option"]["series"][0]["data"]
    assert [(d["name"], d["value"]) for d in data] == [("满意", 2), ("基本满意", 1), ("不满意", 1)]
    # Each slice opens the proposal list of that rating.
    assert data[0]["url"] == f"/proposals/?year={YEAR}&rating=satisfied"
    assert 'id="chart-ratings-data"' in response.content.decode()
