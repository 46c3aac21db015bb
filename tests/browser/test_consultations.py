"""The consultation flows a person must be able to click through: from the board to a matter
and on to its next step (after confirming), a unit marking its follow-up task done from its
home, and the board fitting a 1366 px screen."""

import datetime

import pytest
from django.utils import timezone

from consultations import services, workflow
from consultations.models import FollowUpTask, MeetingKind, Step
from studios.models import Town

from ..consultations.conftest import hold_meeting, satisfy
from .test_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def matter_with_pre_meeting(gunan, member_a, office_user, unit):
    """古南's annual matter at 议前协商, walked there through the workflow, its meeting held."""
    matter = services.create_matter(
        gunan,
        {
            "title": "春光村荷塘养虾基地建设",
            "year": timezone.localdate().year,
            "is_annual_topic": True,
        },
        [member_a],
        by=office_user,
    )
    while matter.step != Step.PRE_MEETING:
        satisfy(matter, office_user, unit)
        matter = workflow.matter_advance(matter, by=office_user)
    hold_meeting(matter, MeetingKind.PRE_MEETING, office_user)
    return matter


def test_office_clerk_advances_a_matter_from_the_board(
    open_page, live_server, office_user, matter_with_pre_meeting
):
    page = open_page()
    log_in(page, live_server, office_user.username)

    # The board sits in the navigation's 协商 dropdown.
    page.locator(".navbar .dropdown-toggle", has_text="协商").click()
    page.get_by_role("link", name="一镇一事").first.click()
    page.get_by_role("link", name="春光村荷塘养虾基地建设").click()
    current = page.locator('[data-testid="timeline"] [data-state="current"]')
    assert current.get_attribute("data-step") == Step.PRE_MEETING

    # The move asks first: dismissing leaves the matter where it is.
    asked = []

    def answer(accept):
        def handle(dialog):
            asked.append(dialog.message)
            dialog.accept() if accept else dialog.dismiss()

        return handle

    page.once("dialog", answer(False))
    page.get_by_role("button", name="推进到「现场协商」").click()
    page.wait_for_timeout(300)
    assert asked == ["确定将议题从「议前协商」推进到「现场协商」吗？"]
    assert current.get_attribute("data-step") == Step.PRE_MEETING
    matter_with_pre_meeting.refresh_from_db()
    assert matter_with_pre_meeting.step == Step.PRE_MEETING

    page.once("dialog", answer(True))
    page.get_by_role("button", name="推进到「现场协商」").click()
    page.wait_for_load_state("networkidle")
    assert len(asked) == 2

    assert page.get_by_role("alert").first.inner_text().startswith("已推进到「现场协商」")
    assert current.get_attribute("data-step") == Step.ON_SITE
    assert "现场协商" in current.inner_text() and "当前环节" in current.inner_text()
    assert page.errors == [], page.errors
    assert page.outside_requests == []


def test_unit_marks_its_follow_up_task_done_from_its_home(
    open_page, live_server, unit_user, unit, office_user, matter_with_pre_meeting
):
    meeting = matter_with_pre_meeting.meetings.get()
    today = timezone.localdate()
    task = FollowUpTask.objects.create(
        meeting=meeting, description="测量荷塘选址并报镇街", unit=unit, due_on=today
    )
    FollowUpTask.objects.create(
        meeting=meeting,
        description="落实荷塘建设资金",
        unit=unit,
        due_on=today + datetime.timedelta(days=30),
    )
    page = open_page()
    log_in(page, live_server, unit_user.username)
    row = page.locator('[data-testid="unit-task"]', has_text="测量荷塘选址并报镇街")
    assert row.get_attribute("data-state") == "soon"
    row.get_by_label("完成情况").fill("已完成测量，选址报告已报古南街道")
    row.get_by_role("button", name="标记完成").click()
    page.wait_for_load_state("networkidle")

    assert page.url == f"{live_server.url}/proposals/unit/"
    assert "已标记完成" in page.get_by_role("alert").first.inner_text()
    done = page.locator('[data-testid="unit-task"][data-state="done"]')
    assert "已完成测量，选址报告已报古南街道" in done.inner_text()
    # The other task is still open, with its form.
    assert page.locator('[data-testid="task-done-form"]').count() == 1
    task.refresh_from_db()
    assert task.done_on == today and task.history.first().history_user == unit_user
    assert page.errors == [], page.errors
    assert page.outside_requests == []


@pytest.fixture
def board_in_every_column(gunan, office_user, unit, member_a):
    """One matter in each of the board's eight columns, in towns with long names and long
    titles, the way the demo's board looks."""
    from consultations.models import STEPS

    from ..consultations.conftest import YEAR
    from ..factories import TownFactory

    targets = [*STEPS, "completed"]
    for i, target in enumerate(targets):
        town = gunan if i == 0 else TownFactory(name=f"第{i}号测试街道办事处", order=10 + i)
        matter = services.create_matter(
            town,
            {"title": f"村道安全防护栏安装及临崖路段综合整治第{i}期工程", "year": YEAR},
            [member_a],
            by=office_user,
        )
        while matter.state != target:
            satisfy(matter, office_user, unit)
            matter = workflow.matter_advance(matter, by=office_user)
    assert Town.objects.count() == len(targets)


def test_the_board_fits_1366_px_without_sideways_scrolling(
    open_page, live_server, office_user, board_in_every_column
):
    page = open_page(width=1366, height=768)
    log_in(page, live_server, office_user.username)
    page.goto(f"{live_server.url}/consultations/")
    page.wait_for_load_state("networkidle")
    counts = page.locator('[data-testid="column-count"]').all_inner_texts()
    assert counts == ["1"] * 8
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # All eight columns sit side by side in one row at this width.
    tops = page.locator(".matter-board-col").evaluate_all(
        "cols => cols.map(c => Math.round(c.getBoundingClientRect().top))"
    )
    assert len(set(tops)) == 1, tops
    page.get_by_test_id("to-list").click()
    page.wait_for_load_state("networkidle")
    assert page.locator('[data-testid="matter-row"]').count() == 8
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.errors == [], page.errors
