"""The Django admin's upload fields run the same check as the pages and the API
(cppcc.uploads.UploadCheckAdminMixin): HTML, SVG with script and files whose content is not what
their name says are refused with the Chinese message, and nothing is stored."""

import datetime
import io

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import RequestFactory
from django.utils import timezone
from PIL import Image

from cppcc.uploads import UploadCheckAdminMixin
from members.models import Member
from studios import services as studio_services
from studios.models import Activity, ActivityFile, ActivityKind

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.cookie)</script></svg>'
HTML = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
PDF = b"%PDF-1.4\n%%EOF\n"
MARKUP_REFUSED = "是网页或 SVG 文件，不能上传。"
MISMATCH = "的内容与扩展名不符。"


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (166, 27, 27)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def activity(gunan_studio, office_user):
    return studio_services.record_activity(
        gunan_studio,
        {
            "kind": ActivityKind.TEA_TALK,
            "title": "古南夜话",
            "date": timezone.localdate() - datetime.timedelta(days=1),
            "place": "茶园",
        },
        {},
        by=office_user,
    )


def change_post(client, url: str, inline_files: dict[str, SimpleUploadedFile]) -> dict:
    """The admin change form as the browser would send it back, with `inline_files` as new
    inline rows ({formset prefix: file})."""
    page = client.get(url)
    assert page.status_code == 200
    data = {}
    form = page.context_data["adminform"].form
    for name in form.fields:
        value = form[name].value()
        if value is not None:
            data[name] = value
    for inline in page.context_data["inline_admin_formsets"]:
        formset = inline.formset
        forms = list(formset.initial_forms)
        new = inline_files.get(formset.prefix)
        data[f"{formset.prefix}-TOTAL_FORMS"] = len(forms) + (1 if new else 0)
        data[f"{formset.prefix}-INITIAL_FORMS"] = len(forms)
        for sub in forms:
            for name in sub.fields:
                value = sub[name].value()
                if value is not None and not isinstance(value, models.Model):
                    data[sub.add_prefix(name)] = value
        if new:
            index = len(forms)
            data[f"{formset.prefix}-{index}-file"] = new
            data[f"{formset.prefix}-{index}-caption"] = "附件"
    return data


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("海报.svg", SVG, MARKUP_REFUSED),
        ("页面.html", HTML, MARKUP_REFUSED),
        ("现场.png", SVG, MISMATCH),
        ("纪要.pdf", HTML, MISMATCH),
    ],
)
def test_admin_activity_file_upload_is_refused_with_the_message(
    client_for, admin_user, activity, name, content, message
):
    c = client_for(admin_user)
    url = f"/admin/studios/activity/{activity.pk}/change/"
    data = change_post(c, url, {"files": SimpleUploadedFile(name, content)})
    response = c.post(url, data)
    assert response.status_code == 200  # the form again, with the error
    assert f"文件“{name}”{message}" in response.content.decode()
    assert not ActivityFile.objects.exists()


def test_admin_activity_file_upload_of_a_pdf_is_stored(client_for, admin_user, activity):
    c = client_for(admin_user)
    url = f"/admin/studios/activity/{activity.pk}/change/"
    data = change_post(c, url, {"files": SimpleUploadedFile("纪要.pdf", PDF)})
    response = c.post(url, data)
    assert response.status_code == 302, response.context_data["errors"]
    assert ActivityFile.objects.filter(activity=activity).count() == 1


def test_admin_member_photo_must_be_a_real_image(admin_user, member_a):
    request = RequestFactory().post("/")
    request.user = admin_user
    model_admin = admin.site._registry[Member]
    Form = model_admin.get_form(request, member_a)
    photo = Form.base_fields["photo"]
    refused = [
        ("头像.svg", SVG, "不是图片；照片只能是 jpg、png、gif 或 webp。"),
        ("头像.png", HTML, MISMATCH),
    ]
    for name, content, message in refused:
        with pytest.raises(ValidationError) as caught:
            photo.run_validators(SimpleUploadedFile(name, content))
        assert message in " ".join(caught.value.messages)
    photo.run_validators(SimpleUploadedFile("头像.png", png()))


def _admins():
    for model, model_admin in admin.site._registry.items():
        yield model, model_admin
        for inline in model_admin.inlines:
            yield inline.model, inline


def test_every_admin_with_an_upload_field_checks_it():
    missing = [
        f"{type(ma).__name__ if not isinstance(ma, type) else ma.__name__} ({model.__name__})"
        for model, ma in _admins()
        if any(isinstance(f, models.FileField) for f in model._meta.get_fields())
        and not issubclass(ma if isinstance(ma, type) else type(ma), UploadCheckAdminMixin)
    ]
    assert not missing, f"admin forms whose uploads skip cppcc.uploads: {missing}"


def test_the_check_covers_the_models_with_files():
    # The rule above must have something to check: the models the apps store files on.
    checked = {model for model, ma in _admins() if isinstance(ma, UploadCheckAdminMixin)} | {
        model
        for model, ma in _admins()
        if isinstance(ma, type) and issubclass(ma, UploadCheckAdminMixin)
    }
    names = {m.__name__ for m in checked}
    assert {"Member", "ActivityFile", "MeetingFile", "ProposalFile", "ProposalReply"} <= names
    assert Activity not in checked  # no file field of its own: its inline carries the files
