"""A record prints on A4 without the screen's navigation and buttons, under a header naming the
committee and the day (static/css/print.css, the print-only header in templates/base.html)."""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from consultations import services as consultation_services
from consultations.models import MeetingKind

pytestmark = pytest.mark.django_db


@pytest.fixture
def matter(gunan, member_a, office_user):
    return consultation_services.create_matter(
        gunan,
        {"title": "春光村荷塘养虾基地建设", "year": timezone.localdate().year},
        [member_a],
        by=office_user,
    )


@pytest.fixture
def meeting(gunan, office_user):
    return consultation_services.record_meeting(
        {
            "kind": MeetingKind.REGULAR,
            "date": timezone.localdate() - datetime.timedelta(days=1),
            "place": "古南街道政协工作办公室",
        },
        town=gunan,
        by=office_user,
    )


@pytest.fixture
def record_pages(member_a, gunan_studio, matter, meeting):
    return {
        "member": member_a.get_absolute_url(),
        "studio": gunan_studio.get_absolute_url(),
        "matter": matter.get_absolute_url(),
        "meeting": meeting.get_absolute_url(),
    }


@pytest.mark.parametrize("page", ["member", "studio", "matter", "meeting"])
def test_record_page_prints_with_the_print_stylesheet_and_header(
    page, record_pages, client_for, office_user, settings
):
    settings.CPPCC_COUNTY_NAME = "测试县"
    response = client_for(office_user).get(record_pages[page])
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'<link rel="stylesheet" href="/static/css/print\.css" media="print">', html)
    header = re.search(
        r'<header class="print-header d-none d-print-flex"[^>]*>(.*?)</header>', html
    )
    assert header, "no print-only header"
    today = timezone.localdate()
    assert "测试县政协" in header.group(1)
    assert f"{today.year}年{today.month}月{today.day}日" in header.group(1)


def test_print_stylesheet_is_a4_without_navigation_or_buttons():
    css = Path(finders.find("css/print.css")).read_text(encoding="utf-8")
    assert re.search(r"@page\s*\{\s*size:\s*A4", css)
    hidden = re.search(r"([^}]*)\{\s*display:\s*none !important;\s*\}", css).group(1)
    for selector in (".navbar", ".btn", "form", ".breadcrumb", ".pagination"):
        assert selector in hidden
    # Page breaks fall between sections (cards), never through one.
    assert re.search(r"\.card\s*\{[^}]*break-inside:\s*avoid", css)
