"""Uploads are checked against an allowlist by content as well as by name, with a size limit;
HTML and SVG are refused in Chinese. Stored files are served as downloads unless they are
photos, always with nosniff."""

import datetime
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from docx import Document
from openpyxl import Workbook
from PIL import Image

from cppcc.uploads import validate_image_upload, validate_upload
from proposals.unit_forms import ReplyForm
from studios import services
from studios.forms import ActivityForm
from tests.factories import ProposalFactory

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
PDF = b"%PDF-1.4\n%%EOF\n"


def image(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (166, 27, 27)).save(out, fmt)
    return out.getvalue()


def docx_bytes() -> bytes:
    out = io.BytesIO()
    Document().save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    out = io.BytesIO()
    Workbook().save(out)
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as caught:
        validate_upload(upload(name, content))
    return " ".join(caught.value.messages)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("现场.jpg", image("JPEG")),
        ("现场.JPEG", image("JPEG")),
        ("现场.png", image("PNG")),
        ("现场.gif", image("GIF")),
        ("现场.webp", image("WEBP")),
        ("纪要.pdf", PDF),
        ("纪要.docx", docx_bytes()),
        ("签到表.xlsx", xlsx_bytes()),
        ("旧文件.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600),
        ("说明.txt", "会议说明：请准时参加。".encode()),
        ("说明.txt", "会议说明".encode("gb18030")),
    ],
)
def test_allowed_files_pass(name, content):
    validate_upload(upload(name, content))


@pytest.mark.parametrize(
    ("name", "content"),
    [("攻击.svg", SVG), ("页面.html", HTML), ("页面.htm", HTML), ("页面.txt", HTML)],
)
def test_html_and_svg_are_refused_in_chinese(name, content):
    assert "网页或 SVG" in refusal(name, content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("现场.png", SVG),  # script under an image's name
        ("现场.jpg", image("PNG")),  # a real image, but not what the name says
        ("纪要.pdf", HTML),
        ("纪要.docx", b"PK\x03\x04 not really a zip"),
        ("签到表.xlsx", docx_bytes()),  # a Word file renamed
        ("旧文件.doc", PDF),
        ("工具.txt", b"MZ\x90\x00\x03\x00\x00\x00"),
    ],
)
def test_content_that_does_not_match_the_name_is_refused(name, content):
    assert "文件“" in refusal(name, content)


def test_a_truncated_image_is_refused():
    assert "图片" in refusal("现场.png", image("PNG")[:40])


@pytest.mark.parametrize("name", ["程序.exe", "脚本.js", "无扩展名", "压缩包.zip"])
def test_types_outside_the_allowlist_are_refused(name):
    assert "不允许上传" in refusal(name, b"PK\x03\x04")


def test_size_limit_is_a_setting(settings):
    settings.CPPCC_UPLOAD_MAX_MB = 1
    assert "超过 1 MB" in refusal("大.txt", b"a" * (1024 * 1024 + 1))
    validate_upload(upload("小.txt", b"a" * 1024))


def test_photo_fields_take_images_only():
    validate_image_upload(upload("照片.png", image("PNG")))
    with pytest.raises(ValidationError):
        validate_image_upload(upload("照片.pdf", PDF))


def test_an_ooxml_zip_without_its_parts_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("index.html", HTML)
    assert "不符" in refusal("纪要.docx", out.getvalue())


# --- the forms ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_activity_form_refuses_an_svg_among_its_files(gunan_studio):
    data = {"kind": "courtyard", "date": timezone.localdate().isoformat(), "place": "春光村"}
    files = {"files": [upload("现场.png", image("PNG")), upload("海报.svg", SVG)]}
    form = ActivityForm(data, files)
    assert not form.is_valid()
    assert "海报.svg" in str(form.errors["files"])


def test_reply_form_refuses_html_renamed_as_pdf():
    form = ReplyForm(
        {"answer_type": "solved", "text": "已解决"}, {"file": upload("答复.pdf", HTML)}
    )
    assert not form.is_valid()
    assert "答复.pdf" in str(form.errors["file"])


@pytest.mark.django_db
def test_member_portal_refuses_an_svg_attachment_and_stores_nothing(
    client_for, member_user, member_a, term
):
    from tests.proposals.test_portal import draft_data

    proposal = ProposalFactory(term=term, lead_proposer=member_a)
    url = reverse("proposals:portal_proposal_edit", args=[proposal.pk])
    response = client_for(member_user).post(
        url, draft_data(title="改过的标题", attachments=upload("图.svg", SVG))
    )
    assert response.status_code == 200
    assert "网页或 SVG" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.title != "改过的标题" and not proposal.files.exists()


# --- serving -------------------------------------------------------------------------------------


@pytest.fixture
def stored(settings, tmp_path, gunan_studio, office_user):
    """Files stored before uploads were checked (services take files without the form)."""
    settings.MEDIA_ROOT = tmp_path
    settings.CPPCC_MEDIA_ACCEL_PREFIX = ""
    activity = services.record_activity(
        gunan_studio,
        {
            "kind": "courtyard",
            "title": "春光村院坝会",
            "date": timezone.localdate() - datetime.timedelta(days=1),
            "place": "春光村",
        },
        {},
        [upload("现场.png", image("PNG")), upload("纪要.pdf", PDF), upload("旧.svg", SVG)],
        by=office_user,
    )
    return {f.original_name: f for f in activity.files.all()}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "disposition"),
    [("现场.png", "inline"), ("纪要.pdf", "attachment"), ("旧.svg", "attachment")],
)
def test_only_photos_open_inline_and_every_file_is_nosniff(
    stored, client_for, office_user, name, disposition
):
    response = client_for(office_user).get(reverse("studios:activity_file", args=[stored[name].pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith(disposition)
    assert response["X-Content-Type-Options"] == "nosniff"
