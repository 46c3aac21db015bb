"""What may be uploaded: an allowlist checked by the file's content as well as its name.

Every upload field in the apps (activity and meeting files, proposal attachments, reply files,
member photos) validates with `validate_upload` or `validate_image_upload`, so a page cannot
store HTML or an SVG carrying script under a harmless name, and `cppcc.files.serve_file` can
trust the stored extension. The Django admin's forms and inlines of those models take
`UploadCheckAdminMixin`, which adds the same check to their file fields (as form validators,
not model ones: the models stay as they are). The size limit is the setting CPPCC_UPLOAD_MAX_MB (20 by default).

Content is recognised with `filetype` (pure Python, magic numbers), Office Open XML by its zip
parts, the old Office formats by their OLE2 header, images also by Pillow's `verify()`.
"""

import posixpath
import zipfile

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from PIL import Image, UnidentifiedImageError

IMAGE_EXTENSIONS = {"jpg": "JPEG", "jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP"}
OOXML_PARTS = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/", "ofd": None}
# Word 97-2003, Excel 97-2003 and WPS 文字 documents share Microsoft's compound-file header.
OLE_EXTENSIONS = frozenset({"doc", "xls", "wps"})
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
TEXT_EXTENSIONS = frozenset({"txt"})
ALLOWED_EXTENSIONS = (
    tuple(IMAGE_EXTENSIONS)
    + ("pdf",)
    + tuple(OOXML_PARTS)
    + tuple(sorted(OLE_EXTENSIONS))
    + ("txt",)
)
# Markup a browser would render or run if the file were ever shown inline.
MARKUP = (b"<html", b"<!doctype", b"<svg", b"<script", b"<?xml", b"<body", b"<iframe")
SNIFF_BYTES = 8192


def max_bytes() -> int:
    return int(getattr(settings, "CPPCC_UPLOAD_MAX_MB", 20)) * 1024 * 1024


def extension_of(name: str) -> str:
    return posixpath.splitext(name or "")[1].lstrip(".").lower()


def _head(upload) -> bytes:
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    return head


def _refuse(upload, reason) -> ValidationError:
    return ValidationError(
        _("文件“%(name)s”%(reason)s"), code="upload", params={"name": upload.name, "reason": reason}
    )


def _check_image(upload, expected_format: str) -> None:
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            actual = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise _refuse(upload, _("不是有效的图片，或已损坏。")) from None
    finally:
        upload.seek(0)
    if actual != expected_format:
        raise _refuse(upload, _("的内容与扩展名不符。"))


def _check_ooxml(upload, extension: str) -> None:
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refuse(upload, _("的内容与扩展名不符。")) from None
    finally:
        upload.seek(0)
    part = OOXML_PARTS[extension]
    if extension == "ofd":
        ok = "OFD.xml" in names
    else:
        ok = "[Content_Types].xml" in names and any(n.startswith(part) for n in names)
    if not ok:
        raise _refuse(upload, _("的内容与扩展名不符。"))


def _check_text(upload, head: bytes) -> None:
    if b"\x00" in head:
        raise _refuse(upload, _("的内容与扩展名不符。"))
    for encoding in ("utf-8", "gb18030"):
        try:
            # A multi-byte character may be cut at the end of the sample.
            head[: len(head) - 4 if len(head) == SNIFF_BYTES else None].decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _refuse(upload, _("不是纯文本文件。"))
    if any(tag in head.lower() for tag in MARKUP):
        raise _refuse(upload, _("是网页或 SVG 文件，不能上传。"))


def validate_upload(upload) -> None:
    """Refuses, with a Chinese reason naming the file, anything outside the allowlist, over
    the size limit, or whose content is not what its extension says."""
    if upload is None or upload is False:
        return
    limit = max_bytes()
    if upload.size > limit:
        raise _refuse(upload, _("超过 %(mb)d MB。") % {"mb": limit // (1024 * 1024)})
    extension = extension_of(upload.name)
    if extension in ("html", "htm", "xhtml", "svg", "svgz", "xml", "mht", "mhtml"):
        raise _refuse(upload, _("是网页或 SVG 文件，不能上传。"))
    if extension not in ALLOWED_EXTENSIONS:
        raise _refuse(
            upload,
            _("的类型不允许上传；只能上传图片、PDF、Office 文档或纯文本（%(types)s）。")
            % {"types": "、".join(ALLOWED_EXTENSIONS)},
        )
    head = _head(upload)
    if not head:
        raise _refuse(upload, _("是空文件。"))
    if extension in IMAGE_EXTENSIONS:
        guessed = filetype.guess_mime(head) or ""
        if not guessed.startswith("image/"):
            raise _refuse(upload, _("的内容与扩展名不符。"))
        _check_image(upload, IMAGE_EXTENSIONS[extension])
    elif extension == "pdf":
        if filetype.guess_mime(head) != "application/pdf":
            raise _refuse(upload, _("的内容与扩展名不符。"))
    elif extension in OOXML_PARTS:
        _check_ooxml(upload, extension)
    elif extension in OLE_EXTENSIONS:
        if not head.startswith(OLE_HEADER):
            raise _refuse(upload, _("的内容与扩展名不符。"))
    else:
        _check_text(upload, head)


def validate_image_upload(upload) -> None:
    """As validate_upload, for fields that take photos only (member photos)."""
    if upload is None or upload is False:
        return
    if extension_of(upload.name) not in IMAGE_EXTENSIONS:
        raise _refuse(upload, _("不是图片；照片只能是 jpg、png、gif 或 webp。"))
    validate_upload(upload)


def check_for(db_field) -> object:
    """The check a model file field's uploads get: photos only for an ImageField."""
    return validate_image_upload if isinstance(db_field, models.ImageField) else validate_upload


class UploadCheckAdminMixin:
    """For a ModelAdmin or inline whose model has a FileField or ImageField: its uploads pass
    the same allowlist, content check and size limit as the pages' and the API's."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if formfield is not None and isinstance(db_field, models.FileField):
            check = check_for(db_field)
            if check not in formfield.validators:
                formfield.validators.append(check)
        return formfield
