"""The audit trail, in two layers.

Field history: every model that staff edit declares
`history = HistoricalRecords(bases=[HistoryIPAddress])`; simple-history's middleware records the
user, and the signal below adds the address. It feeds the history panels on record pages.

Audit events (cppcc.models.AuditEvent, issue 12): exactly one row per write request, login
(success or failure, API tokens included), logout, lockout, file download and reveal of a
member's sensitive fields, plus one per state change made outside a request (Celery, commands).
`AuditMiddleware` writes a request's row after the response, so the outcome comes from the
status; code that knows more (a login signal, a reveal) calls `record()`, which during a request
only names the act and leaves the writing to the middleware, so a request never makes two rows.
Rows are never changed, and are pruned by `prune()` after CPPCC_AUDIT_RETENTION_DAYS.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.core.exceptions import ImproperlyConfigured
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record


def client_ip(request) -> str | None:
    if request is None:
        return None
    # A DRF Request (e.g. in the token view's authenticate()) wraps the Django one.
    request = getattr(request, "_request", request)
    if getattr(settings, "TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()
    return request.META.get("REMOTE_ADDR") or None


def current_request():
    return getattr(HistoricalRecords.context, "request", None)


@receiver(pre_create_historical_record)
def stamp_address(sender, instance, history_instance, **kwargs):
    if hasattr(history_instance, "history_ip"):
        history_instance.history_ip = client_ip(current_request())


HISTORY_KINDS = {"+": _("创建"), "~": _("修改"), "-": _("删除")}


def _label(model, field_name: str, value):
    """A field's Chinese name and a stored value's Chinese label, for the history panel."""
    try:
        field = model._meta.get_field(field_name)
    except Exception:
        return field_name, value
    choices = dict(field.flatchoices) if getattr(field, "flatchoices", None) else {}
    if isinstance(value, list):
        # Many-to-many history gives a list of related rows, not one stored value.
        return field.verbose_name, "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return field.verbose_name, _("是") if value else _("否")
    return field.verbose_name, choices.get(value, value)


def _resolve_related(model, entries: list[dict]) -> None:
    """Foreign-key changes are stored as ids; show the related rows' names instead (one query
    per related model, however many changes name it)."""
    wanted: dict = {}
    for entry in entries:
        for change in entry["changes"]:
            field = change.pop("_fk", None)
            if field is not None:
                wanted.setdefault(field.related_model, set()).update(
                    v for v in (change["old"], change["new"]) if v not in (None, "")
                )
                change["_model"] = field.related_model
    names = {
        related: {o.pk: str(o) for o in related._default_manager.filter(pk__in=ids)}
        for related, ids in wanted.items()
        if ids
    }
    for entry in entries:
        for change in entry["changes"]:
            related = change.pop("_model", None)
            if related is not None:
                for side in ("old", "new"):
                    value = change[side]
                    change[side] = names.get(related, {}).get(value, value)


def object_history(obj, limit: int = 50, transitions=None) -> list[dict]:
    """Changes and state moves of one record, newest first, for its page's history panel.

    State fields moved by cppcc.workflow appear once, as the Transition (who, from, to, note),
    not again as a field edit; a model may name bookkeeping fields the panel leaves out in
    `history_panel_hidden` (e.g. when a matter entered its step). A page that has read the
    record's transitions (with `by`) passes them as `transitions`, in any order: no second read.
    """
    from django.contrib.contenttypes.models import ContentType

    from .models import Transition

    model = type(obj)
    if transitions is None:
        ct = ContentType.objects.get_for_model(obj)
        transitions = list(
            Transition.objects.filter(content_type=ct, object_id=str(obj.pk)).select_related("by")[
                :limit
            ]
        )
    else:
        transitions = sorted(transitions, key=lambda t: (t.at, t.id), reverse=True)[:limit]
    hidden = set(getattr(model, "history_panel_hidden", ())) | {t.field for t in transitions}
    entries = []
    manager = getattr(obj, "history", None)
    if manager is not None:
        records = list(
            manager.select_related("history_user").order_by("-history_date")[: limit + 1]
        )
        for newer, older in zip(records, records[1:] + [None], strict=False):
            if len(entries) >= limit:
                break
            changes = []
            if older is not None and newer.history_type == "~":
                delta = newer.diff_against(older)
                for change in delta.changes:
                    if change.field in hidden:
                        continue
                    label, old = _label(model, change.field, change.old)
                    _unused, new = _label(model, change.field, change.new)
                    row = {"field": label, "old": old, "new": new}
                    field = next(
                        (f for f in model._meta.get_fields() if f.name == change.field), None
                    )
                    if field is not None and (field.many_to_one or field.one_to_one):
                        row["_fk"] = field
                    changes.append(row)
                if not changes and not newer.history_change_reason:
                    # Only a state move (shown by its Transition) or hidden bookkeeping.
                    continue
            entries.append(
                {
                    "at": newer.history_date,
                    "user": newer.history_user,
                    "ip": getattr(newer, "history_ip", None),
                    "kind": HISTORY_KINDS.get(newer.history_type, newer.history_type),
                    "changes": changes,
                    "note": newer.history_change_reason or "",
                }
            )
        _resolve_related(model, entries)
    for t in transitions:
        label, old = _label(type(obj), t.field, t.from_state)
        _unused, new = _label(type(obj), t.field, t.to_state)
        entries.append(
            {
                "at": t.at,
                "user": t.by,
                "ip": t.ip,
                "kind": _("状态变更"),
                "changes": [{"field": label, "old": old, "new": new}],
                "note": t.note,
            }
        )
    entries.sort(key=lambda e: e["at"], reverse=True)
    return entries[:limit]


# --- audit events (issue 12) ------------------------------------------------------------------

log = logging.getLogger(__name__)

LEAST_RETENTION_DAYS = 184
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Requests that are themselves logins or logouts: recorded once, as such, not as a write.
LOGIN_VIEWS = frozenset({"login", "login_otp", "api_token", "admin:login"})
LOGOUT_VIEWS = frozenset({"logout", "admin:logout"})
# A lockout says more than the failed login that caused it (axes signals it first).
_STICKY = frozenset({"lockout"})
# Marks a request that AuditMiddleware wraps: record() then leaves the writing to it.
_PENDING = "_cppcc_audit"


@dataclass
class _Event:
    kind: str
    user: object = None
    username: str = ""
    action: str = ""
    obj: object = None
    content_type: object = None
    object_repr: str = ""
    object_id: str = ""
    detail: str = ""
    outcome: str | None = None


def _django_request(request):
    return getattr(request, "_request", request)


def record(
    kind: str,
    *,
    request=None,
    user=None,
    username: str = "",
    action: str = "",
    obj=None,
    object_repr: str = "",
    detail: str = "",
    outcome: str | None = None,
) -> None:
    """Audits one act. During a request that AuditMiddleware wraps, the act becomes that
    request's one row (written after the response, with its status); otherwise it is written now.
    `obj` is a model instance (its type, id and name are kept); `outcome` overrides the one the
    status would give (a failed login answers 200 but was refused)."""
    event = _Event(
        kind=kind,
        user=user,
        username=username,
        action=action,
        obj=obj,
        object_repr=object_repr,
        detail=detail,
        outcome=outcome,
    )
    request = _django_request(request)
    if request is not None and hasattr(request, _PENDING):
        current = getattr(request, _PENDING)
        if current is None or current.kind not in _STICKY:
            setattr(request, _PENDING, event)
        return
    _write(event, request=request)


def record_reveal(members, *, user, fields: str, request=None) -> None:
    """A person saw members' full sensitive values (members.services.record_sensitive_access).
    A download that carries them is recorded as the export it is, naming the fields."""
    members = list(members)
    if not members:
        return
    single = members[0] if len(members) == 1 else None
    record(
        "reveal",
        request=request,
        user=user,
        obj=single,
        object_repr="" if single else _("%(n)d 名委员") % {"n": len(members)},
        detail=fields,
    )


def _outcome(status: int | None) -> str:
    if status is None or status < 400:
        return "success"
    return "refused" if status < 500 else "error"


def _write(event: _Event, *, request=None, response=None) -> None:
    from django.contrib.contenttypes.models import ContentType

    from .models import AuditEvent

    user = event.user if getattr(event.user, "is_authenticated", False) else None
    status = getattr(response, "status_code", None)
    outcome = _outcome(status)
    if event.outcome and outcome != "error":
        outcome = event.outcome
    content_type, object_id, label = event.content_type, event.object_id, event.object_repr
    if event.obj is not None:
        content_type = ContentType.objects.get_for_model(type(event.obj))
        object_id = str(event.obj.pk)
        label = label or str(event.obj)
    try:
        AuditEvent.objects.create(
            user=user,
            username=(user.get_username() if user else event.username or "")[:150],
            kind=event.kind,
            action=event.action[:100],
            content_type=content_type,
            object_id=object_id[:64],
            object_repr=label[:200],
            outcome=outcome,
            status_code=status,
            client_ip=client_ip(request),
            method=(request.method or "")[:10] if request is not None else "",
            path=request.path[:500] if request is not None else "",
            detail=str(event.detail)[:500],
        )
    except Exception:
        # Never turn the answer to a write that happened into an error page; the log alerts.
        log.exception("audit row not written: %s %s", event.kind, event.action)


def _is_download(response) -> bool:
    return response.get("Content-Disposition", "").lower().startswith("attachment")


def _from_request(request, response) -> _Event | None:
    """The act a request was, or None when it needs no row (a page read)."""
    event = getattr(request, _PENDING, None)
    unsafe = request.method not in SAFE_METHODS
    download = _is_download(response)
    if event is None and not unsafe and not download:
        return None
    match = request.resolver_match
    view = match.view_name if match else ""
    if event is None:
        if unsafe and view in LOGIN_VIEWS:
            event = _login_without_signal(request, view, response)
            if event is None:
                return None
        elif unsafe and view in LOGOUT_VIEWS:
            event = _Event("logout")
        else:
            event = _Event("export" if download and not unsafe else "write")
        if match and match.kwargs:
            event.object_id = str(match.kwargs.get("pk", match.kwargs.get("id", "")))
            event.object_repr = ", ".join(f"{k}={v}" for k, v in sorted(match.kwargs.items()))
    elif event.kind == "reveal" and download:
        event.kind = "export"
        event.detail = _("含完整敏感字段：%(fields)s") % {"fields": event.detail}
    if not event.action:
        event.action = view
    if event.user is None:
        event.user = getattr(request, "user", None)
    return event


def _login_without_signal(request, view: str, response) -> _Event | None:
    """A login request that sent no login signal: the token view (it authenticates without
    django's login()), the password step of a two-factor login, or a form refused before
    authenticate().

    The password step of a two-factor login (a redirect to the code page) makes no row: it logs
    nobody in. The code step is the login, and records it (a success through the login signal,
    a wrong code through the failure signal), so a two-factor login is one row like any other."""
    if response.status_code < 400 and view == "api_token":
        return _Event("login", user=_token_owner(response), detail=_("签发 API 令牌"))
    if 300 <= response.status_code < 400 and view in ("login", "admin:login"):
        return None  # the admin's login only sends to the site's (cppcc.admin)
    return _Event("login_failed", username=_name_tried(request, response), outcome="refused")


def _token_owner(response):
    from rest_framework.authtoken.models import Token

    key = (getattr(response, "data", None) or {}).get("token")
    token = Token.objects.select_related("user").filter(key=key).first() if key else None
    return token.user if token else None


def _name_tried(request, response) -> str:
    # Refused after the password passed (wrong code, no API role): no signal carried the name.
    drf_request = (getattr(response, "renderer_context", None) or {}).get("request")
    data = getattr(drf_request, "data", None) or request.POST
    return str(data.get("username", ""))[:150] if hasattr(data, "get") else ""


class AuditMiddleware:
    """Writes the one audit row of every write request, download and login/logout/reveal, after
    the response. Sits right after AuthenticationMiddleware: outside the session limits (whose
    timeout logout it must see) and outside axes (whose lockout answer it must see)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        setattr(request, _PENDING, None)
        response = self.get_response(request)
        event = _from_request(request, response)
        if event is not None:
            _write(event, request=request, response=response)
        return response


# --- signals: logins, lockouts, state changes outside requests ----------------------------------


@receiver(user_logged_in, dispatch_uid="cppcc_audit_login")
def _logged_in(sender, request, user, **kwargs):
    record("login", request=request, user=user)


@receiver(user_login_failed, dispatch_uid="cppcc_audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str((credentials or {}).get("username", ""))
    record("login_failed", request=request, username=username, outcome="refused")


@receiver(user_logged_out, dispatch_uid="cppcc_audit_logout")
def _logged_out(sender, request, user, **kwargs):
    record("logout", request=request, user=user)


@receiver(user_locked_out, dispatch_uid="cppcc_audit_lockout")
def _locked_out(sender, request, username=None, **kwargs):
    record("lockout", request=request, username=str(username or ""), outcome="refused")


def transition_saved(sender, instance, created, **kwargs):
    """A state change made by a task or a command: during a request the request's row and the
    Transition row already say it (connected in CppccConfig.ready)."""
    if not created or current_request() is not None:
        return
    _write(
        _Event(
            "transition",
            user=instance.by,
            action=f"{instance.field}: {instance.from_state} → {instance.to_state}",
            content_type=instance.content_type,
            object_id=str(instance.object_id),
            detail=instance.note,
        )
    )


# --- retention, access ------------------------------------------------------------------------

AUDIT_GROUP = "审计日志查看"
AUDIT_PERM = "cppcc.view_auditevent"


def retention_days() -> int:
    days = int(getattr(settings, "CPPCC_AUDIT_RETENTION_DAYS", LEAST_RETENTION_DAYS))
    if days < LEAST_RETENTION_DAYS:
        # The rules ask for at least 184 days; the PostgreSQL trigger would refuse it anyway.
        raise ImproperlyConfigured(
            f"CPPCC_AUDIT_RETENTION_DAYS must be at least {LEAST_RETENTION_DAYS} (got {days})"
        )
    return days


def prune(now=None) -> int:
    """Deletes audit rows older than the retention period; the only deletion there is
    (cppcc.tasks.prune_audit, daily). Safe to run twice. Returns the number of rows removed."""
    from .models import AuditEvent

    cutoff = (now or timezone.now()) - timedelta(days=retention_days())
    deleted, _per_model = AuditEvent.objects.filter(at__lt=cutoff)._prune()
    return deleted


def can_view_audit(user) -> bool:
    return getattr(user, "is_authenticated", False) and user.has_perm(AUDIT_PERM)


def ensure_audit_group(**kwargs) -> None:
    """The 系统管理员 role and a group of its own hold the audit permission (run after every
    migrate). Office staff do not by default: the trail shows every clerk's addresses and which
    members' ID numbers they opened; an administrator may add a named person to the group."""
    from django.contrib.auth.models import Group, Permission

    from .roles import Role

    perm = Permission.objects.filter(
        content_type__app_label="cppcc", codename="view_auditevent"
    ).first()
    if perm is None:
        return
    for name in (Role.ADMIN.value, AUDIT_GROUP):
        Group.objects.get_or_create(name=name)[0].permissions.add(perm)
