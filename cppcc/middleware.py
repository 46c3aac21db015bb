import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .navigation import expire_badges

HEALTH_PATH = "/healthz/"
MUST_CHANGE_PASSWORD = gettext_lazy("请先修改管理员设置的临时密码，再继续使用。")


class HealthCheckMiddleware:
    """Answers the health check before SecurityMiddleware and CommonMiddleware read the Host
    header. The container's own check (docker-compose) and a load balancer call the server by
    its address, which ALLOWED_HOSTS does not list in production, so validating the host would
    answer 400 (DisallowedHost) and the container would never become healthy. Only this path,
    whose answer reveals nothing, skips the check; every other request is validated as before.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTH_PATH and request.method in ("GET", "HEAD"):
            from .views import health

            return health(request)
        return self.get_response(request)


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


class PasswordChangeRequiredMiddleware:
    """A person whose password an administrator set (a new login, a reset) goes to the password
    page until they choose their own (PasswordChangeForm clears the flag). The API answers 403
    with the reason instead; token requests are refused in cppcc.api_auth."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and getattr(user, "must_change_password", False)
            and not self._allowed(request.path_info)
        ):
            if request.path_info.startswith("/api/"):
                return JsonResponse({"detail": str(MUST_CHANGE_PASSWORD)}, status=403)
            # The password page says why (registration/password_change_form.html).
            return redirect("password_change")
        return self.get_response(request)

    @staticmethod
    def _allowed(path: str) -> bool:
        allowed = (reverse("password_change"), reverse("logout"), HEALTH_PATH, "/favicon.ico")
        return path in allowed or path.startswith(settings.STATIC_URL)


class TodoBadgeMiddleware:
    """Marks the navigation's to-do badges stale after a successful POST (cppcc.navigation)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            request.method == "POST"
            and response.status_code < 400
            and getattr(request, "user", None) is not None
            and request.user.is_authenticated
        ):
            expire_badges(request)
        return response
