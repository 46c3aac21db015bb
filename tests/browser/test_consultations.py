"""The one consultation flow a person must be able to click through: from the board to a
matter, and on to its next step."""

import pytest
from django.utils import timezone

from consultations import services, workflow
from consultations.models import MeetingKind, Step

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

    page.get_by_role("link", name="一镇一事").first.click()
    page.get_by_role("link", name="春光村荷塘养虾基地建设").click()
    current = page.locator('[data-testid="timeline"] [data-state="current"]')
    assert current.get_attribute("data-step") == Step.PRE_MEETING

    page.get_by_role("button", name="推进到「现场协商」").click()
    page.wait_for_load_state("networkidle")

    assert page.get_by_role("alert").first.inner_text().startswith("已推进到「现场协商」")
    assert current.get_attribute("data-step") == Step.ON_SITE
    assert "现场协商" in current.inner_text() and "当前环节" in current.inner_text()
    assert page.errors == [], page.errors
    assert page.outside_requests == []
