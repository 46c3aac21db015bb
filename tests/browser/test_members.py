"""The member register in Chromium: an office clerk registers a member born in 1980 with
綦江区's current code (500110), which the ID check used to refuse, and the form's layout."""

import pytest

from members import services
from members.models import Member

from .test_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ID_NUMBER = "500110198005061228"


@pytest.fixture
def tables(term):
    services.ensure_default_tables()
    return term


def test_office_registers_a_500110_adult_through_the_form(
    open_page, live_server, office_user, tables
):
    page = open_page(width=1366)
    log_in(page, live_server, office_user.username)
    page.goto(f"{live_server.url}/members/new/")

    page.locator("#id_name").fill("陈綦江")
    page.locator("#id_gender").select_option(label="女")
    page.locator("#id_id_number").fill(ID_NUMBER)
    page.locator("#id_birth_date").fill("1980-05-06")
    page.locator("#id_mobile").fill("13912345678")
    page.locator("#id_employer").fill("区人民医院")
    page.locator("#id_job_title").fill("副院长")
    page.locator("#id_sector").select_option(label="医药卫生界")
    page.locator("#id_party").select_option(label="九三学社社员")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state("networkidle")

    member = Member.objects.get(id_number=ID_NUMBER)
    assert page.url == f"{live_server.url}/members/{member.pk}/"
    assert page.get_by_role("heading", level=1).inner_text().startswith("陈綦江")
    body = page.content()
    assert "已添加委员 陈綦江" in body
    assert "500***********1228" in body and ID_NUMBER not in body  # masked until revealed
    assert "区人民医院" in body
    assert page.errors == [], page.errors
    assert page.outside_requests == []


def _top(page, selector: str) -> float:
    return page.locator(selector).bounding_box()["y"]


def test_member_form_is_two_columns_at_1366_and_one_at_375(open_page, live_server, office_user):
    wide = open_page(width=1366)
    log_in(wide, live_server, office_user.username)
    wide.goto(f"{live_server.url}/members/new/")
    assert _top(wide, "#id_name") == _top(wide, "#id_gender")
    assert wide.errors == [], wide.errors

    phone = open_page(width=375, height=800)
    log_in(phone, live_server, office_user.username)
    phone.goto(f"{live_server.url}/members/new/")
    assert _top(phone, "#id_gender") > _top(phone, "#id_name")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    assert phone.errors == [], phone.errors
