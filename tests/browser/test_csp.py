"""The strict Content-Security-Policy (style-src 'self', script-src 'self' + nonce) holds on the
pages that draw with third-party code: ECharts' tooltips and the API docs' Swagger UI."""

import pytest

from .test_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def hover(page, selector: str, *, dx: float = 0.5, dy: float = 0.5):
    """Rests the mouse on a point of the element (fractions of its box), arriving in a few
    small moves as a person would, so ECharts sees mousemove events and shows its tooltip."""
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    x, y = box["x"] + box["width"] * dx, box["y"] + box["height"] * dy
    page.mouse.move(x - 6, y - 6)
    page.mouse.move(x, y, steps=4)
    page.wait_for_timeout(300)


def pie_point(page, chart_id: str) -> tuple[float, float]:
    """Fractions of the chart box at the middle of the pie's first slice (ECharts' own layout)."""
    return page.evaluate(
        """(id) => {
          const el = document.getElementById(id);
          const chart = window.echarts.getInstanceByDom(el);
          const l = chart.getModel().getSeriesByIndex(0).getData().getItemLayout(0);
          const angle = (l.startAngle + l.endAngle) / 2, r = (l.r + l.r0) / 2;
          return [(l.cx + r * Math.cos(angle)) / el.clientWidth,
                  (l.cy + r * Math.sin(angle)) / el.clientHeight];
        }""",
        chart_id,
    )


def tooltip_shown(page, chart_id: str) -> bool:
    """ECharts draws the tooltip on the chart itself (renderMode richText): the chart instance
    reports it through its component model, so we ask ECharts rather than scrape pixels."""
    return page.evaluate(
        """(id) => {
          const chart = window.echarts.getInstanceByDom(document.getElementById(id));
          const view = chart && chart._componentsViews.find((v) => v.type === "tooltip");
          return Boolean(view && view._tooltipContent && view._tooltipContent._show);
        }""",
        chart_id,
    )


def test_leader_dashboard_tooltips_show_without_csp_violations(
    open_page, live_server, leader_user, member_a, member_b
):
    page = open_page(width=1366)
    log_in(page, live_server, leader_user.username)
    page.wait_for_selector("#chart-months canvas")
    page.wait_for_selector("#chart-party canvas")
    # An axis chart shows its tooltip anywhere over the grid; the pie only over a slice.
    for chart_id, dx, dy in (
        ("chart-months", 0.5, 0.5),
        ("chart-steps", 0.3, 0.5),
        ("chart-party", *pie_point(page, "chart-party")),
    ):
        page.locator(f"#{chart_id}").scroll_into_view_if_needed()
        hover(page, f"#{chart_id}", dx=dx, dy=dy)
        assert tooltip_shown(page, chart_id), f"no tooltip on {chart_id}"
        assert page.csp_violations == [], page.csp_violations
    assert page.errors == [], page.errors
    assert page.outside_requests == []


def test_api_docs_render_without_csp_violations(open_page, live_server, office_user):
    page = open_page()
    log_in(page, live_server, office_user.username)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    page.wait_for_load_state("networkidle")
    assert "政协履职 API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.csp_violations == [], page.csp_violations
    assert page.errors == [], page.errors
    assert page.outside_requests == []
