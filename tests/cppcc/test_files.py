"""Uploaded photos and files open only through views that check the record they belong to
(cppcc.files.serve_file behind studios:activity_file, consultations:meeting_file and
members:photo), under their original Chinese names."""

import datetime
import io
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from consultations import services as consultation_services
from consultations.models import MeetingKind
from studios import services

pytestmark = pytest.mark.django_db

PHOTO_NAME = "春光村院坝会.png"
PDF_NAME = "会议纪要.pdf"
SHEET_NAME = "签到表.xlsx"


def png_bytes(width: int = 800, height: int = 600) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (166, 27, 27)).save(out, "PNG")
    return out.getvalue()


PHOTO = png_bytes()


def uploads():
    return [
        SimpleUploadedFile(PHOTO_NAME, PHOTO, "image/png"),
        SimpleUploadedFile(PDF_NAME, b"%PDF-1.4\n%%EOF\n", "application/pdf"),
        # Old browsers on Windows send the whole path; only the last part is the name.
        SimpleUploadedFile("C:\\fakepath\\" + SHEET_NAME, b"PK\x03\x04", "application/zip"),
    ]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CPPCC_MEDIA_ACCEL_PREFIX = ""
    return tmp_path


@pytest.fixture
def activity(media, gunan_studio, office_user):
    return services.record_activity(
        gunan_studio,
        {
            "kind": "courtyard",
            "title": "春光村院坝会",
            "date": timezone.localdate() - datetime.timedelta(days=1),
            "place": "春光村",
        },
        {},
        uploads(),
        by=office_user,
    )


@pytest.fixture
def meeting(media, gunan, office_user):
    return consultation_services.record_meeting(
        {
            "kind": MeetingKind.REGULAR,
            "date": timezone.localdate() - datetime.timedelta(days=1),
            "place": "古南街道政协工作办公室",
        },
        town=gunan,
        files=uploads(),
        by=office_user,
    )


def file_of(record, name):
    return record.files.get(original_name=name)


def activity_url(activity, name, **query):
    url = reverse("studios:activity_file", args=[file_of(activity, name).pk])
    return url + ("?size=thumb" if query.get("thumb") else "")


def disposition(kind: str, name: str) -> str:
    return f"{kind}; filename*=utf-8''{quote(name)}"


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_upload_keeps_its_chinese_name_without_the_path(activity):
    assert sorted(activity.files.values_list("original_name", flat=True)) == sorted(
        [PHOTO_NAME, PDF_NAME, SHEET_NAME]
    )
    assert file_of(activity, PHOTO_NAME).is_photo


def test_town_clerk_opens_their_towns_activity_photo_under_its_chinese_name(
    activity, client_for, town_user
):
    response = client_for(town_user).get(activity_url(activity, PHOTO_NAME))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == disposition("inline", PHOTO_NAME)
    assert "no-store" in response["Cache-Control"]
    assert body(response) == PHOTO


def test_pdf_and_spreadsheet_download_rather_than_open_in_the_browser(
    activity, client_for, town_user
):
    client = client_for(town_user)
    pdf = client.get(activity_url(activity, PDF_NAME))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == disposition("attachment", PDF_NAME)
    sheet = client.get(activity_url(activity, SHEET_NAME))
    assert sheet["Content-Type"].startswith("application/vnd.openxmlformats")
    assert sheet["Content-Disposition"] == disposition("attachment", SHEET_NAME)


def test_a_photo_opened_on_its_own_may_be_styled_by_the_browser_but_runs_nothing(
    activity, client_for, town_user
):
    client = client_for(town_user)
    policy = client.get(activity_url(activity, PHOTO_NAME))["Content-Security-Policy"]
    # Chromium's image viewer centres the photo with inline styles.
    assert "default-src 'none'" in policy and "style-src 'unsafe-inline'" in policy
    assert "script-src" not in policy
    pdf_policy = client.get(activity_url(activity, PDF_NAME))["Content-Security-Policy"]
    assert "style-src 'self'" in pdf_policy and "unsafe-inline" not in pdf_policy


def test_other_towns_clerk_cannot_open_an_activity_file(activity, client_for, other_town_user):
    response = client_for(other_town_user).get(activity_url(activity, PHOTO_NAME))
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["member_b_user", "unit_user"])
def test_people_who_cannot_see_the_activity_get_404(activity, client_for, request, who):
    user = request.getfixturevalue(who)
    assert client_for(user).get(activity_url(activity, PHOTO_NAME)).status_code == 404


def test_logged_out_visitor_is_sent_to_log_in(activity, client):
    response = client.get(activity_url(activity, PHOTO_NAME))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_meeting_file_follows_the_meetings_access_rule(
    meeting, client_for, town_user, other_town_user, unit_user
):
    url = reverse("consultations:meeting_file", args=[file_of(meeting, PDF_NAME).pk])
    response = client_for(town_user).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == disposition("attachment", PDF_NAME)
    assert client_for(other_town_user).get(url).status_code == 404
    assert client_for(unit_user).get(url).status_code == 404


@pytest.fixture
def member_with_photo(media, member_a):
    member_a.photo = SimpleUploadedFile("photo.png", PHOTO, "image/png")
    member_a.save(update_fields=["photo"])
    return member_a


def test_member_photo_follows_the_member_access_rule(
    member_with_photo, client_for, town_user, member_user, other_town_user, member_b_user
):
    url = reverse("members:photo", args=[member_with_photo.pk])
    for allowed in (town_user, member_user):
        response = client_for(allowed).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert response["Content-Disposition"] == disposition("inline", "张古南.png")
    for refused in (other_town_user, member_b_user):
        assert client_for(refused).get(url).status_code == 404


def test_member_without_a_photo_is_404(member_a, media, client_for, office_user):
    response = client_for(office_user).get(reverse("members:photo", args=[member_a.pk]))
    assert response.status_code == 404


def test_a_file_missing_from_storage_is_404_not_an_error(activity, media, client_for, town_user):
    attached = file_of(activity, PDF_NAME)
    attached.file.storage.delete(attached.file.name)
    assert client_for(town_user).get(activity_url(activity, PDF_NAME)).status_code == 404


def test_behind_the_proxy_the_view_only_decides_and_nginx_sends(
    activity, settings, client_for, town_user
):
    settings.CPPCC_MEDIA_ACCEL_PREFIX = "/protected-media/"
    response = client_for(town_user).get(activity_url(activity, PHOTO_NAME))
    stored = file_of(activity, PHOTO_NAME).file.name
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == "/protected-media/" + quote(stored)
    assert response.content == b""
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == disposition("inline", PHOTO_NAME)


def test_refused_person_gets_404_even_behind_the_proxy(
    activity, settings, client_for, other_town_user
):
    settings.CPPCC_MEDIA_ACCEL_PREFIX = "/protected-media/"
    response = client_for(other_town_user).get(activity_url(activity, PHOTO_NAME))
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


def test_thumbnail_is_a_smaller_jpeg_kept_in_storage(activity, media, client_for, town_user):
    client = client_for(town_user)
    response = client.get(activity_url(activity, PHOTO_NAME, thumb=True))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"] == disposition("inline", "春光村院坝会.jpg")
    thumb = Image.open(io.BytesIO(body(response)))
    assert thumb.format == "JPEG"
    assert max(thumb.size) == 320 and thumb.size == (320, 240)
    cached = list((media / "thumbs").rglob("*.jpg"))
    assert len(cached) == 1
    # The second request reads the stored thumbnail instead of making another.
    made = cached[0].stat().st_mtime_ns
    assert client.get(activity_url(activity, PHOTO_NAME, thumb=True)).status_code == 200
    assert list((media / "thumbs").rglob("*.jpg")) == cached
    assert cached[0].stat().st_mtime_ns == made


def test_thumbnail_behind_the_proxy_points_at_the_stored_thumbnail(
    activity, settings, client_for, town_user
):
    settings.CPPCC_MEDIA_ACCEL_PREFIX = "/protected-media/"
    response = client_for(town_user).get(activity_url(activity, PHOTO_NAME, thumb=True))
    assert response["X-Accel-Redirect"].startswith("/protected-media/thumbs/")
    assert response["Content-Type"] == "image/jpeg"


def test_thumb_of_a_document_is_the_document(activity, client_for, town_user):
    response = client_for(town_user).get(activity_url(activity, PDF_NAME, thumb=True))
    assert response["Content-Type"] == "application/pdf"


def test_activity_page_shows_names_and_thumbnails_never_media_paths(
    activity, client_for, town_user
):
    page = client_for(town_user).get(activity.get_absolute_url()).content.decode()
    assert "/media/" not in page
    assert PDF_NAME in page and SHEET_NAME in page
    assert file_of(activity, PDF_NAME).file.name not in page
    assert f'src="{activity_url(activity, PHOTO_NAME, thumb=True)}"' in page
    assert f'href="{activity_url(activity, PHOTO_NAME)}"' in page


def test_meeting_page_links_files_through_the_meeting_file_view(meeting, client_for, town_user):
    page = client_for(town_user).get(meeting.get_absolute_url()).content.decode()
    url = reverse("consultations:meeting_file", args=[file_of(meeting, PHOTO_NAME).pk])
    assert f'src="{url}?size=thumb"' in page
    assert "/media/" not in page


def test_member_page_shows_the_photo_through_the_photo_view(
    member_with_photo, client_for, office_user
):
    page = client_for(office_user).get(member_with_photo.get_absolute_url()).content.decode()
    assert reverse("members:photo", args=[member_with_photo.pk]) + "?size=thumb" in page
    assert "/media/" not in page


def test_the_admin_links_files_to_the_scoped_views_not_to_media(
    activity, meeting, member_a, admin_user, client_for
):
    member_a.photo = SimpleUploadedFile("证件照.png", PHOTO, "image/png")
    member_a.save(update_fields=["photo"])
    admin = client_for(admin_user)
    pages = {
        f"/admin/studios/activity/{activity.pk}/change/": [
            f.get_file_url() for f in activity.files.all()
        ],
        f"/admin/consultations/consultationmeeting/{meeting.pk}/change/": [
            f.get_file_url() for f in meeting.files.all()
        ],
        f"/admin/members/member/{member_a.pk}/change/": [member_a.get_photo_url()],
    }
    for url, links in pages.items():
        html = admin.get(url).content.decode()
        assert "/media/" not in html, url
        for link in links:
            assert f'href="{link}"' in html, (url, link)
    assert PHOTO_NAME in admin.get(next(iter(pages))).content.decode()
