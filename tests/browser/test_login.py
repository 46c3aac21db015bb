"""Logs in as each role in Debian's Chromium and sees that role's home page."""

import pytest

from cppcc.roles import Role

from ..conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOMES = {
    Role.ADMIN: ("/accounts/manage/", "账号管理"),
    Role.OFFICE: ("/reports/office/", "工作台"),
    Role.TOWN: ("/reports/town/", "古南街道"),
    Role.MEMBER: ("/portal/", "张古南"),
    Role.UNIT: ("/proposals/unit/", "交办事项"),
    Role.LEADER: ("/reports/dashboard/", "领导驾驶舱"),
}


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize("role", list(HOMES))
def test_each_role_logs_in_and_sees_its_home_page(open_page, live_server, cast, role):
    page = open_page()
    log_in(page, live_server, cast[role].username)
    path, text = HOMES[role]
    assert page.url == f"{live_server.url}{path}"
    assert text in page.content()
    assert page.errors == [], page.errors
    assert page.outside_requests == []


def test_wrong_password_shows_a_chinese_error(open_page, live_server, office_user):
    page = open_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(office_user.username)
    page.get_by_label("密码").fill("wrong")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_role("alert").inner_text().startswith("用户名或密码不正确")


def test_member_portal_fits_a_375_pixel_phone(open_page, live_server, member_user):
    page = open_page(width=375, height=740)
    log_in(page, live_server, member_user.username)
    assert page.url.endswith("/portal/")
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= 375, f"the portal is {scroll_width}px wide on a 375px screen"
    # The collapsed menu opens with Bootstrap's own script (served locally) and shows the bell.
    page.get_by_role("button", name="菜单").click()
    assert page.get_by_role("link", name="通知").is_visible()
    assert page.errors == [], page.errors


def test_leader_dashboard_draws_its_charts_under_the_strict_csp(
    open_page, live_server, leader_user
):
    page = open_page()
    log_in(page, live_server, leader_user.username)
    page.wait_for_selector("#chart-party canvas")
    page.wait_for_selector("#chart-steps canvas")
    # Members by sector and party, activities by month and kind, matters per step, problems.
    # sectors, parties, activities by month and kind, steps, the towns × steps pipeline,
    # proposals by status and rating, adoption by level, points, problems by town
    assert page.locator("[data-chart] canvas").count() == 11
    assert page.errors == [], page.errors
    assert page.outside_requests == []
