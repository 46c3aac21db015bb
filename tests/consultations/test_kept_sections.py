"""Pages made of sections (the member's portal, a unit's home) keep each block's HTML in the
shared cache (cppcc.navigation.rendered_sections, issue 13): a repeat visit runs none of the
kept blocks' queries; any write to the apps' records shows on the next visit; a block is kept
per member (or unit) and viewer; the to-dos are rendered on every visit; nothing computed
inside a transaction that changed the records is kept (cppcc.generations). The board's columns
(cppcc.navigation.kept_html) and the to-do counts are kept by the same rules; the duty flags
also follow the ledger's own version."""

import datetime
import re

import pytest
from django.db import transaction
from django.utils import timezone

from consultations import services as consultation_services
from consultations.models import MeetingKind, Step
from cppcc import navigation
from cppcc.generations import Generation
from members import duty
from members.models import DutyEntry, DutyKind, Sector

from ..pages import visit

# Committed rows: the cache outlives a test's transaction, and a value computed inside a
# transaction that wrote is (rightly) never kept.
pytestmark = pytest.mark.django_db(transaction=True)

TODAY = timezone.localdate()
PORTAL = "/portal/"
UNIT_HOME = "/proposals/unit/"


def meet(matter, member, office_user, topic: str):
    consultation_services.record_meeting(
        {"kind": MeetingKind.PRE_MEETING, "date": TODAY, "place": "春光村", "topic": topic},
        matter=matter,
        attendance={member.pk: "present"},
        by=office_user,
    )


@pytest.fixture
def portal(client_for, member_user, member_a, matter, walk_to, office_user):
    matter = walk_to(matter, Step.PRE_MEETING)
    meet(matter, member_a, office_user, "荷塘道路议前协商")
    return client_for(member_user), matter


def test_a_second_visit_serves_the_blocks_from_the_cache(portal):
    client, _matter = portal
    first, first_queries = visit(client, PORTAL)
    second, second_queries = visit(client, PORTAL)
    assert "荷塘道路议前协商" in first
    assert second == first
    # Six kept blocks of a query or two each are not read again; the to-dos and the duty
    # record are.
    assert second_queries <= first_queries - 6


def test_a_write_shows_on_the_next_visit(portal, member_a, office_user):
    client, matter = portal
    visit(client, PORTAL)
    meet(matter, member_a, office_user, "荷塘选址现场踏勘")
    html, _n = visit(client, PORTAL)
    assert "荷塘选址现场踏勘" in html


def test_a_write_to_any_model_of_the_apps_moves_the_generation(db):
    before = navigation.SECTIONS.current()
    Sector.objects.create(name="新界别")
    assert navigation.SECTIONS.current() > before
    assert "members.DutyEntry" not in navigation.SECTIONS.fed_by
    assert not any(
        label.split(".")[1].startswith("Historical") for label in navigation.SECTIONS.fed_by
    )


def test_a_block_is_kept_per_member(portal, client_for, member_b_user):
    client, _matter = portal
    assert "荷塘道路议前协商" in visit(client, PORTAL)[0]
    other, _n = visit(client_for(member_b_user), PORTAL)
    assert "荷塘道路议前协商" not in other


def test_the_todos_are_rendered_on_every_visit(portal, monkeypatch):
    client, _matter = portal
    visit(client, PORTAL)
    calls = []
    todos = next(s for s in navigation.registry.portal if s.template.endswith("todos_section.html"))
    kept = next(
        s for s in navigation.registry.portal if s.template.endswith("consultations_section.html")
    )
    assert not todos.kept and kept.kept
    original = navigation.portal_todos

    def spy(request, member):
        calls.append(member.pk)
        return original(request, member)

    monkeypatch.setattr(
        navigation.registry,
        "portal",
        [
            navigation.PortalSection(s.template, spy, s.order, s.kept) if s is todos else s
            for s in navigation.registry.portal
        ],
    )
    visit(client, PORTAL)
    visit(client, PORTAL)
    assert len(calls) == 2


def test_another_day_renders_again(portal, monkeypatch):
    client, _matter = portal
    visit(client, PORTAL)
    _html, today_queries = visit(client, PORTAL)
    tomorrow = TODAY + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: tomorrow)
    _html, tomorrow_queries = visit(client, PORTAL)
    assert tomorrow_queries > today_queries


def test_the_unit_home_keeps_its_blocks_until_a_write(client_for, unit_user, unit):
    client = client_for(unit_user)
    first, first_queries = visit(client, UNIT_HOME)
    second, second_queries = visit(client, UNIT_HOME)
    assert second == first and second_queries < first_queries
    Sector.objects.create(name="新界别")
    _html, after_write = visit(client, UNIT_HOME)
    assert after_write > second_queries, (first_queries, second_queries, after_write)


def test_nothing_computed_inside_a_transaction_that_wrote_is_kept(db):
    generation = Generation("test-keepable", ("members.Sector",))
    generation.watch()
    computed = []

    def compute():
        computed.append(1)
        return Sector.objects.count()

    with transaction.atomic():
        assert generation.keepable()
        Sector.objects.create(name="未提交的界别")
        assert not generation.keepable()
        generation.remembered("n", compute, timeout=60)
        generation.remembered("n", compute, timeout=60)
        assert len(computed) == 2  # neither kept nor read
    assert generation.keepable()
    first = generation.remembered("n", compute, timeout=60)
    assert generation.remembered("n", compute, timeout=60) == first
    assert len(computed) == 3
    try:
        with transaction.atomic():
            Sector.objects.create(name="回滚的界别")
            generation.remembered("n", compute, timeout=60)
            raise RuntimeError("rolled back")
    except RuntimeError:
        pass
    # The write inside moved the generation on, the rollback kept nothing from inside: the
    # next value is computed again, from the committed rows.
    assert generation.remembered("n", compute, timeout=60) == first
    assert len(computed) == 5


BOARD = "/consultations/"


def test_the_board_is_kept_until_a_write(client_for, office_user, matter, walk_to, new_matter):
    client = client_for(office_user)
    first, first_queries = visit(client, BOARD)
    second, second_queries = visit(client, BOARD)
    assert matter.title in first and second == first
    # The columns' counts, their cards and the cards' lead units are not read again.
    assert second_queries <= first_queries - 3
    walk_to(matter, Step.REGISTERED)
    new_matter(title="新建的荷塘议题")
    html, _n = visit(client, BOARD)
    assert "新建的荷塘议题" in html
    [registered] = re.findall(r'data-step="registered">.*?column-count">(\d+)<', html, re.S)
    assert registered == "1"


def test_the_kept_board_is_each_viewers_own(
    client_for, office_user, town_user, other_town_user, matter
):
    office_html, _n = visit(client_for(office_user), BOARD)
    own_html, _n = visit(client_for(town_user), BOARD)
    other_html, _n = visit(client_for(other_town_user), BOARD)
    assert matter.title in office_html and matter.title in own_html
    assert matter.title not in other_html
    assert "本年度暂无协商议题" in other_html


def office_flags(client) -> int:
    response = client.get("/reports/office/")
    assert response.status_code == 200
    counts = {str(item.label): item.count for item in response.context["todos"]}
    return counts.get("履职预警委员", 0)


def test_the_kept_duty_flags_follow_the_ledger(client_for, office_user, term, member_a):
    member_a.terms.add(term)
    client = client_for(office_user)
    assert office_flags(client) == 1
    assert office_flags(client) == 1
    # A ledger rebuild writes its entries in bulk, without signals, and moves the ledger's
    # version on: the kept count is left behind.
    with transaction.atomic():
        DutyEntry.objects.bulk_create(
            [
                DutyEntry(
                    member=member_a,
                    kind=DutyKind.DUTY_DAY,
                    date=TODAY,
                    year=TODAY.year,
                    points=4,
                    source="test:1",
                    title="工作室值班",
                )
            ]
        )
        duty.ledger_changed()
    assert office_flags(client) == 0


def test_the_matter_page_is_kept_and_its_forms_post_with_the_viewers_token(office_user, matter):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(office_user)
    url = matter.get_absolute_url()
    first, first_queries = visit(client, url)
    second, second_queries = visit(client, url)
    assert second == first
    # Meetings, units, projects, progress, moves and history: not read again.
    assert second_queries <= first_queries - 5
    html = client.get(url).content.decode()
    assert navigation.CSRF_STAND_IN not in html
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
    response = client.post(
        f"/consultations/matters/{matter.pk}/advance/",
        {
            "csrfmiddlewaretoken": token,
            "step": matter.step,
            "status": matter.status,
            "on": TODAY.isoformat(),
            "note": "",
        },
    )
    assert response.status_code == 302  # not refused (403) for its token
    matter.refresh_from_db()
    assert matter.step == Step.REGISTERED
    html, _n = visit(client, url)
    assert (
        'data-testid="status"' in html and "政协立案" in html.split('data-testid="status"')[1][:200]
    )


@pytest.mark.parametrize(
    "url", ["/consultations/matters/", "/consultations/meetings/", "/studios/activities/"]
)
def test_the_lists_are_kept_until_a_write(client_for, office_user, matter, new_matter, url):
    client = client_for(office_user)
    first, first_queries = visit(client, url)
    second, second_queries = visit(client, url)
    assert second == first
    # The page's rows and their counts are not read again.
    assert second_queries <= first_queries - 2
    new_matter(title="荷塘新址改造")
    html, after_write = visit(client, url)
    assert after_write > second_queries
    if url == "/consultations/matters/":
        assert "荷塘新址改造" in html


def test_a_kept_unit_block_posts_with_each_browsers_own_token(
    unit_user, office_user, matter, walk_to, unit
):
    from django.test import Client

    from consultations.models import FollowUpTask

    from .conftest import hold_meeting

    meeting = hold_meeting(walk_to(matter, Step.PRE_MEETING), MeetingKind.PRE_MEETING, office_user)
    task = FollowUpTask.objects.create(
        meeting=meeting, description="修便道", unit=unit, due_on=TODAY
    )
    # The same unit login in two browsers: one CSRF cookie each, one kept block for both.
    browsers = []
    for _ in range(2):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(unit_user)
        browsers.append(browser)
    tokens = []
    for browser in browsers:
        html = browser.get(UNIT_HOME).content.decode()
        assert navigation.CSRF_STAND_IN not in html and 'data-testid="task-done-form"' in html
        form = html[html.index('data-testid="task-done-form"') :]
        tokens.append(re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1))
    assert tokens[0] != tokens[1]
    response = browsers[1].post(
        f"/consultations/tasks/{task.pk}/done/",
        {"csrfmiddlewaretoken": tokens[1], "note": "便道已修好"},
    )
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.done_on == TODAY
