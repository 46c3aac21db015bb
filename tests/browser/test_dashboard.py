"""The leader's dashboard on a 375 px phone: charts stack full width, figures wrap, nothing
scrolls sideways."""

import datetime

import pytest
from django.utils import timezone

from studios.models import Activity, ActivityKind
from tests.factories import MembershipFactory

from .test_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_dashboard_fits_a_375_pixel_phone(open_page, live_server, leader_user, gunan_studio, term):
    for _ in range(12):
        MembershipFactory(studio=gunan_studio, term=term)
    # Long figures are what pushed the cards wider than the screen.
    Activity.objects.create(
        studio=gunan_studio,
        kind=ActivityKind.LIVESTREAM,
        title="直播带货",
        date=timezone.localdate() - datetime.timedelta(days=1),
        residents_reached=1234567,
        sales_wan=98765.43,
    )
    page = open_page(width=375, height=740)
    log_in(page, live_server, leader_user.username)
    assert page.url.endswith("/reports/dashboard/")
    page.wait_for_selector("[data-chart] canvas")
    fits = page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert fits, f"the dashboard is {width}px wide on a 375px screen"
    # No figure spills out of its card: long numbers wrap inside it.
    spilled = page.evaluate(
        "[...document.querySelectorAll('.card')].filter(c => c.scrollWidth > c.clientWidth)"
        ".map(c => c.innerText.slice(0, 40))"
    )
    assert spilled == []
    # Each chart takes the card's full width, one under another.
    boxes = [el.bounding_box() for el in page.query_selector_all("[data-chart]")]
    # sectors, parties, activities by month and by kind, steps, the towns × steps pipeline,
    # proposals by status and by rating, opinion adoption by level, points, problems by town
    assert len(boxes) == 11
    assert all(b["width"] >= 300 for b in boxes)
    assert all(later["y"] > earlier["y"] for earlier, later in zip(boxes, boxes[1:], strict=False))
    # The eight step names overlapped under upright bars at this width; they lie flat now.
    steps_axis = page.evaluate(
        "window.echarts.getInstanceByDom(document.getElementById('chart-steps'))"
        ".getOption().yAxis[0].type"
    )
    assert steps_axis == "category"
    assert page.errors == [], page.errors
