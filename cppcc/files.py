"""Uploaded photos and files, served only through views that check the record they belong to.

Nothing is served from MEDIA_URL: each app routes a view that finds the record through its
`visible_to` queryset (404 when the person may not see it) and returns `serve_file(...)`. With
CPPCC_MEDIA_ACCEL_PREFIX set (production behind nginx), the view only decides and the proxy
sends the bytes from an `internal` location, e.g.

    location /protected-media/ { internal; alias /app/media/; }
"""

import io
import mimetypes
import posixpath
from urllib.parse import quote

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.forms import ClearableFileInput
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.utils.csp import CSP
from PIL import Image, ImageOps, UnidentifiedImageError

from .exports import attachment

THUMB_SIZE = 320
THUMB_DIR = "thumbs"
# Shown in the browser; anything else is downloaded: SVG and HTML can carry script, a PDF
# scripts and look-alike forms (uploads are checked by content in cppcc.uploads, but files
# stored before that check are served here too).
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})

# Opened on its own, a photo is shown in a document the browser builds, which centres the image
# with inline styles; the site's policy (style-src 'self') would refuse them. This document holds
# no markup of ours and runs nothing, so its policy allows those styles and nothing else.
IMAGE_DOCUMENT_CSP = {
    "default-src": [CSP.NONE],
    "img-src": [CSP.SELF],
    "style-src": [CSP.UNSAFE_INLINE],
    "frame-ancestors": [CSP.NONE],
}


def display_name(fieldfile: FieldFile, original_name: str = "") -> str:
    """The name a person knows the file by: as uploaded, or (rows from before original names
    were kept) the last part of the storage path."""
    return original_name or posixpath.basename(fieldfile.name or "")


def content_type_of(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def thumb_name(name: str) -> str:
    """studios/activities/2026/a.png -> thumbs/studios/activities/2026/a.png.320.jpg"""
    return f"{THUMB_DIR}/{name}.{THUMB_SIZE}.jpg"


def thumbnail(fieldfile: FieldFile) -> str | None:
    """The storage name of the photo's JPEG thumbnail (at most THUMB_SIZE px each way), made on
    first request and kept in the same storage; None when Pillow cannot read the file."""
    storage = fieldfile.storage
    name = thumb_name(fieldfile.name)
    if storage.exists(name):
        return name
    try:
        with storage.open(fieldfile.name, "rb") as source, Image.open(source) as image:
            image.draft("RGB", (THUMB_SIZE, THUMB_SIZE))  # JPEG decodes at a reduced scale
            # Phones store the camera's orientation in EXIF; JPEG thumbnails must be upright.
            small = ImageOps.exif_transpose(image).convert("RGB")
            small.thumbnail((THUMB_SIZE, THUMB_SIZE))
            out = io.BytesIO()
            small.save(out, "JPEG", quality=80, optimize=True)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        return None
    saved = storage.save(name, ContentFile(out.getvalue()))
    if saved != name:
        # Another request made it at the same moment; keep one copy.
        storage.delete(saved)
    return name


def serve_file(
    request: HttpRequest, fieldfile: FieldFile, original_name: str, *, inline: bool | None = None
) -> HttpResponse:
    """The response for a file the caller has already found through its record's visible_to.

    `?size=thumb` on an image answers with its thumbnail. Content-Disposition carries the
    original (Chinese) name: inline for photos unless `inline` says otherwise, and only a
    photo may be inline. `nosniff` keeps a browser from reading a download as a page."""
    if not fieldfile or not fieldfile.storage.exists(fieldfile.name):
        raise Http404
    name = fieldfile.name
    filename = display_name(fieldfile, original_name)
    content_type = content_type_of(name)
    if request.GET.get("size") == "thumb" and content_type.startswith("image/"):
        small = thumbnail(fieldfile)
        if small is not None:
            name, content_type = small, "image/jpeg"
            filename = posixpath.splitext(filename)[0] + ".jpg"
    inline = (inline is None or inline) and content_type in INLINE_TYPES

    prefix = getattr(settings, "CPPCC_MEDIA_ACCEL_PREFIX", "")
    if prefix:
        response = HttpResponse(content_type=content_type)
        # Percent-encoded as nginx expects (storage names may hold Chinese); it decodes the URI.
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    else:
        response = FileResponse(fieldfile.storage.open(name, "rb"), content_type=content_type)
    if inline and content_type.startswith("image/"):
        response._csp_config = IMAGE_DOCUMENT_CSP  # read by Django's CSP middleware
    # Also set by SecurityMiddleware; repeated here so a file never depends on that setting.
    response["X-Content-Type-Options"] = "nosniff"
    return attachment(response, filename, inline=inline)


class _Linked:
    """What ClearableFileInput's template reads of a stored file: its url and its name."""

    def __init__(self, url: str, name: str):
        self.url = url
        self.name = name

    def __str__(self) -> str:
        return self.name


class ScopedFileInput(ClearableFileInput):
    """The admin's file widget, linking to the record's scoped view (`get_<field>_url()` on the
    model) under the uploaded name, instead of to MEDIA_URL, which serves nothing."""

    def format_value(self, value):
        value = super().format_value(value)
        instance = getattr(value, "instance", None)
        field = getattr(value, "field", None)
        url_of = getattr(instance, f"get_{field.name}_url", None) if field else None
        if url_of is None or instance.pk is None:
            return value
        return _Linked(url_of(), display_name(value, getattr(instance, "original_name", "")))
