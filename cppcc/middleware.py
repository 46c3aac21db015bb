import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect, resolve_url
from django.utils.translation import gettext as _


class SessionLimitMiddleware:
    """Ends a session after SESSION_IDLE_TIMEOUT without a request, and SESSION_ABSOLUTE_TIMEOUT
    after login whatever the activity (a shared office PC must not stay logged in for days)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = time.time()
            session = request.session
            started = session.setdefault("cppcc_login_at", now)
            last = session.get("cppcc_last_seen", now)
            idle = now - last > settings.SESSION_IDLE_TIMEOUT
            too_long = now - started > settings.SESSION_ABSOLUTE_TIMEOUT
            if idle or too_long:
                logout(request)
                messages.info(
                    request,
                    _("长时间未操作，已自动退出，请重新登录。")
                    if idle
                    else _("登录已超过12小时，请重新登录。"),
                )
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{resolve_url(settings.LOGIN_URL)}?next={request.path}")
            # Written at most once a minute so that reading pages does not rewrite the session row
            # on every request; the idle limit is accurate to that minute.
            if now - last >= 60 or "cppcc_last_seen" not in session:
                session["cppcc_last_seen"] = now
        return self.get_response(request)
