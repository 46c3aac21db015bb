"""A photo uploaded with an activity shows as a thumbnail on the activity's page, opens in full
for the town's clerk, and stays shut to another town's clerk."""

import io

import pytest
from PIL import Image

from .test_login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (1200, 900), (47, 158, 68)).save(out, "JPEG")
    return out.getvalue()


def test_town_clerk_uploads_a_photo_that_only_their_town_can_open(
    open_page, live_server, settings, tmp_path, town_user, other_town_user, gunan_studio, member_a
):
    settings.MEDIA_ROOT = tmp_path
    settings.CPPCC_MEDIA_ACCEL_PREFIX = ""
    page = open_page()
    log_in(page, live_server, town_user.username)
    page.goto(f"{live_server.url}/studios/{gunan_studio.pk}/activities/new/")
    page.get_by_label("活动类型").select_option(label="院坝会")
    page.get_by_label("活动主题").fill("春光村院坝会")
    page.get_by_label("照片和附件").set_input_files(
        {"name": "春光村院坝会现场.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}
    )
    page.get_by_role("button", name="保存活动").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("alert").first.inner_text().startswith("已录入活动")

    thumb = page.locator('[data-testid="files"] img')
    assert thumb.get_attribute("src").endswith("?size=thumb")
    # The thumbnail loaded (a broken image has no natural size) and is the small one.
    assert page.wait_for_function(
        "(img) => img.complete && img.naturalWidth > 0", arg=thumb.element_handle()
    )
    assert thumb.evaluate("(img) => [img.naturalWidth, img.naturalHeight]") == [320, 240]
    link = page.locator('[data-testid="files"] a').first
    assert link.get_attribute("title") == "春光村院坝会现场.jpg"
    photo_url = live_server.url + link.get_attribute("href")

    with page.expect_response(photo_url) as opened:
        link.click()
    response = opened.value
    assert response.status == 200
    assert response.headers["content-type"] == "image/jpeg"
    assert "filename*=utf-8''" in response.headers["content-disposition"]
    assert page.errors == [], page.errors
    assert page.outside_requests == []

    other = open_page()
    log_in(other, live_server, other_town_user.username)
    refused = other.goto(photo_url)
    assert refused.status == 404
    assert refused.headers["content-type"].startswith("text/html")
