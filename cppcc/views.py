import functools
from collections.abc import Callable

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_lockout_response
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from . import accounts, two_factor
from .api_auth import (
    TokenRequestSerializer,
    TokenResponseSerializer,
    issue_token,
    revoke_tokens,
    token_expires_at,
)
from .audit import object_history
from .forms import AccountFilterForm, AccountForm, LoginForm, OtpForm
from .models import User
from .navigation import registry, rendered_sections
from .notifications import mark_read
from .roles import HOME_PRIORITY, Role, has_role, is_staff_like, roles_of
from .workflow import WorkflowError

# Landing page of each role, as a URL name; the first role in HOME_PRIORITY a person holds wins.
HOME_URLS = {
    # The administrator works in the app; the Django admin is one link in their navigation.
    Role.ADMIN: "account_list",
    Role.OFFICE: "reports:office_home",
    Role.LEADER: "reports:dashboard",
    Role.TOWN: "reports:town_home",
    Role.UNIT: "proposals:unit_home",
    Role.MEMBER: "portal",
}


class RoleRequiredMixin(LoginRequiredMixin):
    """Lets in only holders of `roles`; anyone else gets 403 (a logged-out visitor, the login)."""

    roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not has_role(request.user, *self.roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def allowed_if(test: Callable[[object], bool]):
    """A view decorator: log in first, then 403 unless `test(user)` holds. Each app names its
    gates with it (staff_required, office_required …) so the rule reads at the view."""

    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not test(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        # Read by may_open: a link is shown only to who passes the gate it leads to.
        wrapped.allowed_test = test
        return wrapped

    return decorator


def may_open(user, url: str) -> bool:
    """Whether `user` passes the gate of the view `url` leads to (its allowed_if test, or the
    roles of a RoleRequiredMixin view), so that a page links only what its reader may open.
    The gate only: which records a view shows is its queryset's business (404)."""
    from urllib.parse import urlsplit

    from django.urls import Resolver404, resolve

    try:
        func = resolve(urlsplit(url).path).func
    except Resolver404:
        return False
    test = getattr(func, "allowed_test", None)
    if test is not None:
        return bool(test(user))
    view_class = getattr(func, "view_class", None)
    if view_class is not None and issubclass(view_class, RoleRequiredMixin):
        return has_role(user, *view_class.roles)
    return True


# Office pages are for staff roles; members use /portal/ and handling units their own home page.
staff_required = allowed_if(is_staff_like)


def form_flow(
    request,
    form,
    action: Callable[[dict], object],
    *,
    success: str | Callable[[object], str],
    redirect_to: object | Callable[[object], object],
) -> HttpResponse | None:
    """The write half of a form page: on a valid POST, calls `action(form.cleaned_data)` (one
    service or workflow function), adds the success message and returns the redirect.

    Returns None when the page is to be shown (again) with the form: a GET, an invalid form, or
    a refused write. This is the one place where a refusal becomes a form error: a WorkflowError
    becomes a non-field error with its Chinese message; a ValidationError (members' services
    validate the model) keeps its field errors on their fields. `success` and `redirect_to` may
    be callables taking what the action returned (e.g. the new record).
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except WorkflowError as exc:
        form.add_error(None, exc.message)
        return None
    except ValidationError as exc:
        form.add_error(None, exc)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)


def home_url_for(user) -> str:
    roles = roles_of(user)
    for role in HOME_PRIORITY:
        if role in roles:
            return reverse(HOME_URLS[role])
    return reverse("no_role")


def home(request):
    if not request.user.is_authenticated:
        return redirect("login")
    return redirect(home_url_for(request.user))


def no_role(request):
    return render(request, "cppcc/no_role.html", status=403)


def portal(request):
    """The member's phone-first home; each app contributes its blocks (cppcc.navigation)."""
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    if not has_role(request.user, Role.MEMBER) or request.user.member_id is None:
        raise PermissionDenied
    # Read once, scoped, with what "who I am" shows: every section gets this same object rather
    # than reading the member again (issue 13). The model comes through the relation so that
    # cppcc imports no app.
    member_model = User._meta.get_field("member").related_model
    member = (
        member_model.objects.visible_to(request.user)
        .select_related("sector", "special_committee")
        .filter(pk=request.user.member_id)
        .first()
    )
    if member is None:
        raise PermissionDenied
    blocks = rendered_sections(request, registry.portal, member, f"member-{member.pk}")
    return render(request, "portal/home.html", {"member": member, "blocks": blocks})


def inbox(request):
    if not request.user.is_authenticated:
        return redirect(f"{reverse('login')}?next={request.path}")
    qs = request.user.notifications.all()
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    template = (
        "portal/inbox.html" if roles_of(request.user) == {Role.MEMBER} else "cppcc/inbox.html"
    )
    return render(request, template, {"page_obj": page})


@require_POST
def inbox_read(request):
    if not request.user.is_authenticated:
        raise Http404
    raw = request.POST.getlist("id")
    ids = [int(i) for i in raw if i.isdigit() and int(i) < 2**63]
    # Ids that are not ids are refused: dropping them would leave an empty list, which means
    # "mark everything read".
    if raw and not ids:
        return HttpResponseBadRequest(_("无效的通知编号。"))
    count = mark_read(request.user, ids or None)
    if count:
        messages.success(request, _("已标记 %(n)d 条通知为已读。") % {"n": count})
    return redirect("inbox")


def notification_open(request, pk: int):
    """Marks one notification read and follows its link."""
    if not request.user.is_authenticated:
        return redirect("login")
    note = request.user.notifications.filter(pk=pk).first()
    if note is None:
        raise Http404
    mark_read(request.user, [note.pk])
    return redirect(note.url or "inbox")


def health(request):
    """Used by the docker-compose health check and the load balancer."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# --- signing in and out ---------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """The password step. For a person with two-factor sign-in on it does not log in: the code
    step (login_otp) does, within CPPCC_OTP_PENDING_SECONDS."""

    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        user = form.get_user()
        if not two_factor.is_enabled(user):
            return super().form_valid(form)
        two_factor.begin_login(self.request, user)
        url = reverse("login_otp")
        next_url = self.get_redirect_url()
        return redirect(f"{url}?{urlencode({'next': next_url})}" if next_url else url)


def login_otp(request):
    """The code step of a two-factor sign-in."""
    user = two_factor.pending_user(request)
    if user is None:
        messages.info(request, _("请先输入用户名和密码。"))
        return redirect("login")
    credentials = {"username": user.get_username()}
    if not AxesProxyHandler.is_allowed(request, credentials):
        two_factor.cancel_login(request)
        return get_lockout_response(request, None, credentials)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.finish_login(request, user, form.cleaned_data["otp"]):
            next_url = request.POST.get("next", "")
            safe = url_has_allowed_host_and_scheme(
                next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
            return redirect(next_url if safe and next_url else settings.LOGIN_REDIRECT_URL)
        form.add_error("otp", two_factor_wrong_code())
    return render(
        request,
        "registration/login_otp.html",
        {"form": form, "next": request.GET.get("next") or request.POST.get("next", "")},
    )


def two_factor_wrong_code() -> str:
    return _("验证码不正确或已过期，请输入验证器上当前的 6 位数字。")


class LogoutView(auth_views.LogoutView):
    """Logging out of the pages also revokes the person's API token."""

    def post(self, request, *args, **kwargs):
        revoke_tokens(request.user if request.user.is_authenticated else None)
        return super().post(request, *args, **kwargs)


@allowed_if(two_factor.may_use)
def two_factor_settings(request):
    """Turn two-factor sign-in on (start, then confirm with a code) or off (with a code)."""
    user = request.user
    action = request.POST.get("action") if request.method == "POST" else None
    form = OtpForm(request.POST if action in ("confirm", "disable") else None)
    if action == "start":
        try:
            two_factor.start(user)
        except WorkflowError as exc:
            messages.error(request, exc.message)
        return redirect("two_factor")
    moves = {
        "confirm": (
            lambda data: two_factor.confirm(user, data["otp"]),
            _("已开启两步验证，下次登录时需输入验证码。"),
        ),
        "disable": (
            lambda data: two_factor.disable(user, data["otp"], request=request),
            _("已关闭两步验证。"),
        ),
    }
    if action in moves:
        move, success = moves[action]
        done = form_flow(request, form, move, success=success, redirect_to="two_factor")
        if done is not None:
            return done
    enabled = two_factor.is_enabled(user)
    pending = None if enabled else two_factor.pending_device(user)
    return _no_store(
        render(
            request,
            "cppcc/two_factor.html",
            {
                "form": form,
                "action": action,
                "enabled": enabled,
                "pending": pending,
                "secret": two_factor.secret_of(pending) if pending else "",
                "otpauth_uri": pending.config_url if pending else "",
            },
        )
    )


def csrf_failure(request, reason="", template_name=None):
    """CSRF_FAILURE_VIEW: the site's own page, in Chinese, still 403."""
    return render(request, "403_csrf.html", {"reason": reason}, status=403)


# --- API tokens ----------------------------------------------------------------------------


@extend_schema_view(
    post=extend_schema(
        summary="获取接口令牌",
        description=(
            "用户名和密码换取令牌，请求头写 `Authorization: Token <令牌>`。令牌自签发起 "
            "CPPCC_TOKEN_TTL_HOURS 小时（默认 12 小时）后失效，之后的请求答 401"
            "（“令牌已过期，请重新获取。”）；修改密码、账号停用、退出登录后立即作废。"
            "开启两步验证的账号须同时填写 otp。仅机关工作人员、系统管理员、镇街工作人员和"
            "承办单位可以获取，委员和领导答 403。"
        ),
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(description="用户名、密码或两步验证码不正确，或仍为临时密码"),
            403: OpenApiResponse(description="该角色不需要使用接口"),
        },
        auth=[],
    ),
    delete=extend_schema(
        summary="作废当前令牌（退出）",
        request=None,
        responses={
            204: OpenApiResponse(description="已作废"),
            401: OpenApiResponse(description="未认证，或令牌已过期（令牌已过期，请重新获取。）"),
        },
    ),
)
class TokenView(ObtainAuthToken):
    """POST: a token (the valid one, or a new one after expiry); DELETE: revoke it."""

    serializer_class = TokenRequestSerializer

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return []

    def get_authenticators(self):
        # Asking for a new token must not fail on the expired one a script still sends.
        # (The schema generator builds the view without a request.)
        if getattr(self.request, "method", None) == "POST":
            return []
        return super().get_authenticators()

    def post(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = issue_token(serializer.validated_data["user"])
        response = Response({"token": token.key, "expires_at": token_expires_at(token)})
        response["Cache-Control"] = "no-store"
        return response

    def delete(self, request, *args, **kwargs):
        revoke_tokens(request.user)
        return Response(status=204)


obtain_auth_token = TokenView.as_view()


def favicon(request):
    # Resolved per request: the hashed name exists only after collectstatic in production.
    from django.contrib.staticfiles.storage import staticfiles_storage

    return redirect(staticfiles_storage.url("favicon.ico"), permanent=True)


def robots(request):
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")


# --- accounts (the system administrator's page) ------------------------------------------------

admin_required = allowed_if(lambda user: has_role(user, Role.ADMIN))


def _no_store(response: HttpResponse) -> HttpResponse:
    # A page showing a temporary password must not stay in the browser's cache or history.
    response["Cache-Control"] = "no-store"
    return response


def _role_labels(user: User) -> list[str]:
    """From the prefetched groups, in Role order (no query per row)."""
    names = {g.name for g in user.groups.all()}
    if user.is_superuser:
        names.add(Role.ADMIN)
    return [role.label for role in Role if role.value in names]


@admin_required
def account_list(request):
    form = AccountFilterForm(request.GET or None)
    qs = (
        User.objects.select_related("town", "handling_unit", "member")
        .prefetch_related("groups")
        .order_by("-is_active", "username")
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            qs = qs.filter(Q(username__icontains=q) | Q(display_name__icontains=q))
        if data["role"] == Role.ADMIN:
            qs = qs.filter(Q(groups__name=Role.ADMIN) | Q(is_superuser=True)).distinct()
        elif data["role"]:
            qs = qs.filter(groups__name=data["role"])
        if data["active"]:
            qs = qs.filter(is_active=data["active"] == "1")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    rows = [(user, _role_labels(user)) for user in page]
    return render(
        request,
        "cppcc/account_list.html",
        {"filter_form": form, "page_obj": page, "rows": rows},
    )


def _account_fields(data: dict) -> dict:
    return {
        "display_name": data["display_name"],
        "email": data["email"],
        "roles": data["roles"],
        "town": data["town"],
        "handling_unit": data["handling_unit"],
        "member_register": data["member_register"],
    }


def _password_page(request, account: User, password: str, *, created: bool) -> HttpResponse:
    return _no_store(
        render(
            request,
            "cppcc/account_password.html",
            {"account": account, "password": password, "created": created},
        )
    )


@admin_required
def account_create(request):
    form = AccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            account, password = accounts.account_create(
                by=request.user,
                username=form.cleaned_data["username"],
                **_account_fields(form.cleaned_data),
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            return _password_page(request, account, password, created=True)
    return render(request, "cppcc/account_form.html", {"form": form, "account": None})


@admin_required
def account_edit(request, pk: int):
    account = get_object_or_404(User.objects.select_related("member"), pk=pk)
    form = AccountForm(request.POST or None, instance=account)
    done = form_flow(
        request,
        form,
        lambda data: accounts.account_update(account, by=request.user, **_account_fields(data)),
        success=_("已保存账号“%(name)s”。") % {"name": account.username},
        redirect_to="account_list",
    )
    if done is not None:
        return done
    return render(
        request,
        "cppcc/account_form.html",
        {
            "form": form,
            "account": account,
            "roles": _role_labels(account),
            "history": object_history(account),
            "two_factor_on": two_factor.is_enabled(account),
        },
    )


@admin_required
@require_POST
def account_reset_password(request, pk: int):
    account = get_object_or_404(User, pk=pk)
    try:
        password = accounts.account_reset_password(account, by=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
        return redirect("account_edit", pk=account.pk)
    return _password_page(request, account, password, created=False)


@admin_required
@require_POST
def account_set_active(request, pk: int, active: bool):
    account = get_object_or_404(User, pk=pk)
    move = accounts.account_activate if active else accounts.account_deactivate
    try:
        move(account, by=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        done = _("已启用账号“%(name)s”。") if active else _("已停用账号“%(name)s”。")
        messages.success(request, done % {"name": account.username})
    return redirect("account_edit", pk=account.pk)


@admin_required
@require_POST
def account_reset_two_factor(request, pk: int):
    account = get_object_or_404(User, pk=pk)
    try:
        accounts.account_reset_two_factor(account, by=request.user)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("已关闭账号“%(name)s”的两步验证。") % {"name": account.username}
        )
    return redirect("account_edit", pk=account.pk)
