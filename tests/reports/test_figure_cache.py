"""The figure cache (reports.figure_cache, issue 13): a repeat visit of a figure page reads its
figures from Django's cache, fewer queries; any write to what the figures count shows on the
next visit, whichever way it was made; a town clerk only ever reads their own town's entry; the
to-dos and the unread count are read fresh on every visit."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cppcc import softdelete
from cppcc.changes import announce
from cppcc.generations import settle_all
from members import importing
from members import services as member_services
from members.models import MemberChangeRequest, Sector
from proposals import workflow as proposal_workflow
from reports import figure_cache
from studios import services as studio_services
from studios.models import Activity, Problem
from tests.factories import MemberFactory, ProposalFactory, StudioFactory
from tests.members.conftest import row, xlsx

TODAY = timezone.localdate()
LAST_YEAR = TODAY.year - 1

OFFICE, TOWN, DASHBOARD, STATS = (
    "/reports/office/",
    "/reports/town/",
    "/reports/dashboard/",
    "/api/v1/stats/",
)


def visit(client, url: str):
    # A request comes after the writes were committed; the test's transaction never commits,
    # and the cache keeps nothing computed inside a transaction that wrote (Generation.keepable).
    settle_all()
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def figures(client, url: str = OFFICE) -> dict:
    response, _n = visit(client, url)
    return response.json() if url.startswith("/api/") else response.context


def problems_open(client, url: str = OFFICE) -> int:
    return figures(client, url)["problems"]["current"]["open"]


@pytest.fixture
def office(client_for, office_user, gunan_studio, dongxi_studio):
    return client_for(office_user)


# --- a repeat visit reads the cache -----------------------------------------------------------

# (who, repeat visit at most, queries the first visit adds). A repeat visit with its figures
# and to-dos kept: session (with Redis, from the cache), user, roles; the unread count alone;
# then what the page lists. The first visit also runs the figures' statement (one, with the
# years covered and the page's extra figures) and the to-dos' (with the unread count, and the
# current term a to-do source reads); the office home its sessions' attendance; the dashboard
# its five chart queries (sectors, parties, towns × steps, points, problems by town); and the
# first request writes the session (savepoint, update, release).
CACHED = {
    # + the current term (a to-do source's), the town selector's towns
    OFFICE: ("office_user", 4, 1 + 1 + 3 + 1),
    # + the clerk's town, the town's studios and open problems
    TOWN: ("town_user", 7, 1 + 3),
    # + the current term (a to-do source's), the town selector's towns
    DASHBOARD: ("leader_user", 4, 1 + 5 + 3 + 1),
    # no to-dos
    STATS: ("office_user", 3, 1 + 3),
}


@pytest.mark.parametrize("url", list(CACHED))
def test_a_second_visit_reads_the_figures_from_the_cache(
    request, client_for, gunan_studio, dongxi_studio, url
):
    who, pin, saved = CACHED[url]
    client = client_for(request.getfixturevalue(who))
    first, uncached = visit(client, url)
    second, cached = visit(client, url)
    assert cached <= pin, f"{url}: {cached} queries from the cache, pinned at {pin}"
    assert uncached - cached == saved, url
    if url == STATS:
        assert second.json() == first.json()
    else:
        for key in ("members", "studios", "activities", "consultations", "opinions", "years"):
            assert second.context[key] == first.context[key], key


def test_the_dashboard_charts_come_back_the_same(client_for, leader_user, gunan_studio):
    client = client_for(leader_user)
    first = client.get(DASHBOARD).context["charts"]
    second = client.get(DASHBOARD)
    assert second.context["charts"] == first
    for chart in first:
        assert chart["script"] in second.content.decode()


# --- every kind of write shows on the next visit -----------------------------------------------


def test_a_form_shows_on_the_next_visit(office, gunan_studio):
    before = problems_open(office)
    response = office.post(
        reverse("studios:problem_create", args=[gunan_studio.pk]),
        {"title": "路灯不亮", "description": "", "raised_by": "群众", "raised_on": TODAY},
    )
    assert response.status_code == 302
    assert problems_open(office) == before + 1


def test_the_api_shows_on_the_next_visit(office, gunan_studio):
    before = problems_open(office, STATS)
    response = office.post(
        "/api/v1/problems/",
        {"studio": gunan_studio.pk, "title": "路灯不亮", "raised_by": "群众", "raised_on": TODAY},
    )
    assert response.status_code == 201, response.content
    assert problems_open(office, STATS) == before + 1


def test_a_workflow_move_shows_on_the_next_visit(office, office_user, term, member_a):
    proposal = ProposalFactory(term=term, lead_proposer=member_a)
    before = figures(office)["proposals"]["current"]["filed"]
    proposal_workflow.proposal_submit(proposal, by=office_user)
    assert figures(office)["proposals"]["current"]["filed"] == before + 1


def test_an_import_shows_on_the_next_visit(office, office_user, term):
    member_services.ensure_default_tables()
    before = figures(office)["members"]["total"]
    # Bulk inserts send no post_save: the import announces its writes (cppcc.changes).
    plan = importing.parse_workbook(xlsx([row(i) for i in range(3)]))
    importing.apply_plan(plan, by=office_user)
    assert figures(office)["members"]["total"] == before + 3


def test_attendance_written_in_bulk_shows_on_the_next_visit(
    office, office_user, gunan, member_a, member_b
):
    from consultations import services as consultation_services

    meeting = consultation_services.record_meeting(
        {"kind": "regular", "topic": "协商例会", "date": TODAY, "place": "村委会"},
        town=gunan,
        attendance={},
        by=office_user,
    )

    def participations():
        return figures(office)["consultations"]["totals"]["current"]["participations_other"]

    before = participations()
    studio_services.save_attendance(
        meeting, {member_a.pk: "present", member_b.pk: "present"}, by=office_user
    )
    assert participations() == before + 2


def test_a_soft_delete_and_a_restore_show_on_the_next_visit(
    office, office_user, gunan_studio, member_a
):
    activity = studio_services.record_activity(
        gunan_studio,
        {"kind": "tea_talk", "title": "茶园夜话", "date": TODAY},
        {member_a.pk: "present"},
        by=office_user,
    )

    def count():
        return figures(office)["activities"]["current"]["count"]

    before = count()
    softdelete.soft_delete(activity, by=office_user)
    assert count() == before - 1
    softdelete.restore(Activity.all_objects.get(pk=activity.pk), by=office_user)
    assert count() == before


def test_a_write_moves_the_generation_now_and_again_at_commit(
    gunan_studio, django_capture_on_commit_callbacks
):
    start = figure_cache.generation()
    with django_capture_on_commit_callbacks(execute=True):
        Problem.objects.create(studio=gunan_studio, title="井盖", raised_by="群众", raised_on=TODAY)
        # A reader inside the writing transaction does not read what was cached before it.
        during = figure_cache.generation()
        assert during > start
    # Nor does one that cached figures without the write while it was not yet committed.
    assert figure_cache.generation() > during


def test_only_the_records_the_figures_read_move_the_generation(db):
    start = figure_cache.generation()
    announce(MemberChangeRequest)  # a to-do's, not a figure's
    assert figure_cache.generation() == start
    announce(Sector)
    assert figure_cache.generation() > start


# --- whose entry ----------------------------------------------------------------------------


def studios_total(client, url: str) -> int:
    return figures(client, url)["studios"]["total"]


def test_a_town_clerk_never_reads_the_countys_or_another_towns_entry(
    client_for, office, town_user, other_town_user, gunan, gunan_studio, dongxi_studio
):
    StudioFactory(town=gunan, kind="sector", name="古南界别工作室")
    assert studios_total(office, OFFICE) == 3  # the county's entry is cached first
    assert studios_total(office, f"{OFFICE}?town={gunan.pk}") == 2
    gunan_clerk, dongxi_clerk = client_for(town_user), client_for(other_town_user)
    assert studios_total(gunan_clerk, TOWN) == 2
    assert studios_total(dongxi_clerk, TOWN) == 1
    assert studios_total(gunan_clerk, STATS) == 2
    assert studios_total(dongxi_clerk, STATS) == 1
    # Nor is a clerk's entry anyone else's.
    assert studios_total(office, OFFICE) == 3


def test_who_shares_an_entry(
    office_user, leader_user, town_user, member_user, unit_user, gunan, dongxi
):
    assert figure_cache.scope_key(office_user, None) == "county"
    assert figure_cache.scope_key(leader_user, gunan) == "county"
    assert figure_cache.scope_key(town_user, gunan) == f"town-{gunan.pk}"
    assert figure_cache.scope_key(town_user, dongxi) is None
    assert figure_cache.scope_key(town_user, None) is None
    assert figure_cache.scope_key(member_user, None) is None
    assert figure_cache.scope_key(unit_user, None) is None


def test_another_year_or_town_is_another_entry(office, gunan, gunan_studio, member_a):
    Activity.objects.create(
        studio=gunan_studio,
        kind="tea_talk",
        title="去年夜话",
        date=TODAY.replace(year=LAST_YEAR, day=1),
    )
    _response, first = visit(office, OFFICE)
    _response, cached = visit(office, OFFICE)
    for url in (f"{OFFICE}?year={LAST_YEAR}", f"{OFFICE}?town={gunan.pk}"):
        response, queries = visit(office, url)
        assert queries > cached, f"{url} read another entry"
        assert response.context["year"] == (LAST_YEAR if "year" in url else TODAY.year)
    assert figures(office, f"{OFFICE}?year={LAST_YEAR}")["activities"]["current"]["count"] == 1


def test_another_day_is_another_entry(office, monkeypatch):
    _response, first = visit(office, OFFICE)
    _response, cached = visit(office, OFFICE)
    tomorrow = TODAY + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    _response, next_day = visit(office, OFFICE)
    assert next_day > cached


# --- to-dos stay fresh ------------------------------------------------------------------------


def test_todos_and_the_unread_count_stay_fresh_on_a_cached_visit(office, office_user):
    from cppcc.notifications import notify

    member = MemberFactory()
    visit(office, OFFICE)
    response, cached = visit(office, OFFICE)
    labels = {item.label: item.count for item in response.context["todos"]}
    MemberChangeRequest.objects.create(member=member, changes={"employer": "新"})
    unread = response.context["unread_notifications"]
    notify(office_user, "测试通知", "正文", "/")
    response, queries = visit(office, OFFICE)
    # The figures still came from the cache; the to-dos are counted again (their statement
    # reads the unread count with them, and the current term) and the changed counts rewrite
    # the badge snapshot in the session (savepoint, update, release).
    assert queries == cached + 1 + 3
    fresh = {item.label: item.count for item in response.context["todos"]}
    changed = [label for label in fresh if fresh[label] != labels.get(label)]
    assert changed, "the new change request is not counted"
    assert response.context["unread_notifications"] == unread + 1
