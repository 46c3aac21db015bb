"""回收站 (trash): the delete button's confirm page, restore (撤销 / 恢复) and the trash list.

A record is found through its model's access rule (`objects.visible_to` for a live record,
`all_objects.visible_to` for one in the trash), so a record the person may not see is 404 and
one they may see but not change is 403. The moves are cppcc.softdelete's.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Cast, Coalesce, NullIf
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from . import softdelete
from .exports import Column, xlsx_response
from .roles import EDITORS, can_edit_county, has_role
from .softdelete import KINDS, Kind, can_delete, is_unused_draft
from .views import allowed_if
from .workflow import WorkflowError

PAGE_SIZE = 30
SEARCH_MAX = 50


def _kind(slug: str) -> Kind:
    try:
        return KINDS[slug]
    except KeyError:
        raise Http404 from None


def _live(request, kind: Kind, pk: int):
    return get_object_or_404(kind.model.objects.visible_to(request.user), pk=pk)


def _trashed(user, kind: Kind):
    return kind.model.all_objects.visible_to(user).filter(deleted_at__isnull=False)


def title_of(obj) -> str:
    return getattr(obj, "title", None) or str(obj)


def _undo_url(kind: Kind, pk: int) -> str:
    return f"{reverse('trash')}?{urlencode({'undo': f'{kind.slug}:{pk}'})}"


@login_required
def delete_confirm(request, kind: str, pk: int):
    """GET: what deleting will do (to the trash, or for real for an unused draft). POST: do it."""
    kind_ = _kind(kind)
    obj = _live(request, kind_, pk)
    if not can_delete(request.user, obj):
        raise PermissionDenied
    title = title_of(obj)
    if request.method == "POST":
        try:
            trashed = softdelete.delete(obj, by=request.user)
        except WorkflowError as exc:
            messages.error(request, exc.message)
            return redirect(obj)
        if trashed:
            return redirect(_undo_url(kind_, pk))
        messages.success(request, _("已删除草稿“%(title)s”。") % {"title": title})
        return redirect(kind_.list_url)
    context = {
        "object": obj,
        "kind": kind_,
        "title": title,
        "draft": is_unused_draft(obj),
        "cancel_url": obj.get_absolute_url(),
    }
    return render(request, "cppcc/trash_confirm.html", context)


@login_required
@require_POST
def restore(request, kind: str, pk: int):
    kind_ = _kind(kind)
    obj = get_object_or_404(_trashed(request.user, kind_), pk=pk)
    if not can_delete(request.user, obj):
        raise PermissionDenied
    try:
        softdelete.restore(obj, by=request.user)
    except WorkflowError as exc:
        # Shown on the trash page, answered 409 so the audit row says it was refused.
        messages.error(request, exc.message)
        return _trash_page(request, status=409)
    messages.success(
        request, _("已恢复%(kind)s“%(title)s”。") % {"kind": kind_.label, "title": title_of(obj)}
    )
    return redirect(obj.get_absolute_url())


def _rows(user, kind: Kind, query: str) -> models.QuerySet:
    """The kind's deleted rows the user may see, as (trash_kind, pk, trash_title, deleted_at,
    deleted_by_id), so the five kinds make one UNION ordered and paged in the database."""
    rows = _trashed(user, kind)
    if kind.slug == "meetings":
        # A step meeting often has no topic of its own: it is known by its matter.
        title = Coalesce(NullIf(F("topic"), Value("")), F("matter__title"), Value(""))
        search = Q(topic__icontains=query) | Q(matter__title__icontains=query)
    else:
        title = F(kind.title_field)
        search = Q(**{f"{kind.title_field}__icontains": query})
    if query:
        rows = rows.filter(search)
    return (
        rows.order_by()
        .annotate(
            trash_kind=Value(kind.slug, output_field=models.CharField()),
            trash_title=Cast(title, output_field=models.CharField()),
        )
        .values("pk", "deleted_at", "deleted_by_id", "trash_kind", "trash_title")
    )


def _filtered(request) -> tuple[models.QuerySet, str, str]:
    """The page's and the export's rows: the chosen kinds' deleted rows the user may see,
    searched, newest first; with the kind and the search text."""
    query = request.GET.get("q", "").strip()[:SEARCH_MAX]
    wanted = request.GET.get("kind", "")
    kinds = [k for k in KINDS.values() if not wanted or k.slug == wanted]
    parts = [_rows(request.user, k, query) for k in kinds]
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return combined.order_by("-deleted_at", "-pk"), wanted, query


def _with_people(rows: list[dict]) -> list[dict]:
    """Each row's kind and who deleted it (one query for all the rows' users)."""
    by_ids = {r["deleted_by_id"] for r in rows if r["deleted_by_id"]}
    people = get_user_model().objects.in_bulk(by_ids) if by_ids else {}
    for row in rows:
        row["kind"] = KINDS[row["trash_kind"]]
        row["deleted_by"] = people.get(row["deleted_by_id"])
    return rows


def _trash_page(request, *, status: int = 200):
    user = request.user
    combined, wanted, query = _filtered(request)
    page = Paginator(combined, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = _with_people(list(page.object_list))
    county = can_edit_county(user)
    for row in rows:
        # A town clerk sees only their town's activities, meetings and matters here, all of
        # which they may restore; members and proposals are the office's.
        row["can_restore"] = county or row["trash_kind"] in ("activities", "meetings", "matters")
    context = {
        "page_obj": page,
        "rows": rows,
        "kinds": list(KINDS.values()),
        "kind": wanted,
        "q": query,
        "undo": _undo(request),
    }
    return render(request, "cppcc/trash.html", context, status=status)


def _undo(request) -> dict | None:
    """The record just moved to the trash (?undo=<kind>:<pk>), for the 撤销 banner."""
    slug, _sep, pk = request.GET.get("undo", "").partition(":")
    if slug not in KINDS or not pk.isdigit() or len(pk) > 18:
        return None
    obj = _trashed(request.user, KINDS[slug]).filter(pk=int(pk)).first()
    if obj is None or not can_delete(request.user, obj):
        return None
    return {"kind": KINDS[slug], "object": obj, "title": title_of(obj)}


@allowed_if(lambda user: has_role(user, *EDITORS))
def trash(request):
    """回收站: the deleted records the person may see, newest first, searchable by name/title."""
    return _trash_page(request)


TRASH_COLUMNS = (
    Column(_l("类别"), 10),
    Column(_l("名称或标题"), 40, text=True),
    Column(_l("删除时间"), 22),
    Column(_l("删除人"), 14, text=True),
)


@allowed_if(lambda user: has_role(user, *EDITORS))
def trash_export(request):
    """The 回收站 list as xlsx, with the page's kind and search (every row, not one page)."""
    combined, _wanted, _query = _filtered(request)
    rows = _with_people(list(combined))
    return xlsx_response(
        _("回收站"),
        TRASH_COLUMNS,
        (
            (
                str(row["kind"].label),
                row["trash_title"],
                timezone.localtime(row["deleted_at"]).strftime("%Y-%m-%d %H:%M"),
                str(row["deleted_by"] or ""),
            )
            for row in rows
        ),
    )
