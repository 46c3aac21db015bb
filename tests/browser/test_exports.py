"""Every list the office works from exports what it shows: in Chromium, the list is filtered,
its 导出 Excel button is clicked, and the downloaded file opens in openpyxl with a Chinese name,
Chinese headers and only the filtered rows."""

import datetime
import io

import openpyxl
import pytest
from django.utils import timezone

from studios import services as studio_services

from .test_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TODAY = timezone.localdate()

# (list path, the file's stem, a header the file must carry)
LISTS = [
    ("/members/", "委员名册", "姓名"),
    ("/studios/", "委员工作室", "工作室"),
    ("/studios/activities/", "活动记录", "活动主题"),
    ("/studios/problems/", "民生问题", "镇街"),
    ("/studios/party-groups/", "党小组", "组长"),
    ("/studios/contacts/", "党员委员联系党外委员", "党外委员"),
    ("/consultations/matters/", "一镇一事", "事项"),
    ("/consultations/meetings/", "协商会议", "镇街"),
    ("/consultations/tasks/", "后续任务", "后续任务"),
]


def _download(page, url: str):
    page.goto(url)
    with page.expect_download() as info:
        page.locator('[data-testid="export"], a:has-text("导出 Excel")').first.click()
    download = info.value
    with open(download.path(), "rb") as f:
        book = openpyxl.load_workbook(io.BytesIO(f.read()), read_only=True)
    rows = [tuple(c for c in row) for row in book.active.iter_rows(values_only=True)]
    return download.suggested_filename, rows


def test_each_list_downloads_as_xlsx_with_chinese_name_and_headers(
    open_page, live_server, office_user, member_a, member_b
):
    page = open_page()
    log_in(page, live_server, office_user.username)
    for path, stem, header in LISTS:
        name, rows = _download(page, live_server.url + path)
        assert name == f"{stem}-{TODAY.isoformat()}.xlsx", path
        assert header in rows[0], (path, rows[0])
    assert page.errors == [], page.errors


def test_the_activity_export_keeps_the_town_filter(
    open_page, live_server, office_user, gunan, gunan_studio, dongxi_studio
):
    day = TODAY - datetime.timedelta(days=3)
    for studio, title in ((gunan_studio, "古南茶园夜话"), (dongxi_studio, "东溪院坝会")):
        studio_services.record_activity(
            studio, {"kind": "courtyard", "title": title, "date": day}, {}, by=office_user
        )
    page = open_page()
    log_in(page, live_server, office_user.username)
    page.goto(f"{live_server.url}/studios/activities/")
    # The town filter is a search box (towns grow with the county): type, pick the result.
    page.locator('[data-testid="filters"] #id_town_search').fill("古南")
    page.locator("[data-search-result]", has_text="古南街道").click()
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state("networkidle")
    assert "东溪院坝会" not in page.content()
    with page.expect_download() as info:
        page.locator('[data-testid="export"]').click()
    with open(info.value.path(), "rb") as f:
        rows = list(openpyxl.load_workbook(f, read_only=True).active.iter_rows(values_only=True))
    titles = [row[1] for row in rows[1:]]
    assert titles == ["古南茶园夜话"]
