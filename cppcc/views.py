import functools
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from rest_framework.authtoken.views import ObtainAuthToken

from . import accounts
from .api_auth import TokenRequestSerializer
from .audit import object_history
from .forms import AccountFilterForm, AccountForm
from .models import User
from .navigation import registry
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

        return wrapped

    return decorator


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
    member = request.user.member
    sections = []
    for section in registry.portal:
        context = section.context(request, member)
        if context is not None:
            sections.append({"template": section.template, "context": context})
    return render(request, "portal/home.html", {"member": member, "sections": sections})


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
    ids = request.POST.getlist("id") or None
    count = mark_read(request.user, ids)
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


class _ObtainAuthToken(ObtainAuthToken):
    serializer_class = TokenRequestSerializer


# POST username and password for an API token; refused while the password is a temporary one.
obtain_auth_token = _ObtainAuthToken.as_view()


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
