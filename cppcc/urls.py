from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from consultations import api as consultations_api
from members import api as members_api
from proposals import api as proposals_api
from reports import api as reports_api
from reports import summary_api
from studios import api as studios_api

from . import audit_views, search_views, trash_views, views
from .forms import PasswordChangeForm

router = DefaultRouter()
for module in (
    members_api,
    studios_api,
    consultations_api,
    proposals_api,
    summary_api,
    reports_api,
):
    for prefix, viewset, basename in module.routes:
        router.register(prefix, viewset, basename=basename)

admin.site.site_header = _("政协履职 · 系统管理")
admin.site.site_title = _("政协履职")
admin.site.index_title = _("系统管理")

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/login/code/", views.login_otp, name="login_otp"),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", views.two_factor_settings, name="two_factor"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(form_class=PasswordChangeForm, success_url="/"),
        name="password_change",
    ),
    path("accounts/manage/", views.account_list, name="account_list"),
    path("accounts/manage/new/", views.account_create, name="account_create"),
    path("accounts/manage/<int:pk>/", views.account_edit, name="account_edit"),
    path(
        "accounts/manage/<int:pk>/password/",
        views.account_reset_password,
        name="account_reset_password",
    ),
    path(
        "accounts/manage/<int:pk>/two-factor/",
        views.account_reset_two_factor,
        name="account_reset_two_factor",
    ),
    path(
        "accounts/manage/<int:pk>/deactivate/",
        views.account_set_active,
        {"active": False},
        name="account_deactivate",
    ),
    path(
        "accounts/manage/<int:pk>/activate/",
        views.account_set_active,
        {"active": True},
        name="account_activate",
    ),
    path("no-role/", views.no_role, name="no_role"),
    path("portal/", views.portal, name="portal"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox_read"),
    path("inbox/<int:pk>/", views.notification_open, name="notification_open"),
    path("healthz/", views.health, name="health"),
    path("audit/", audit_views.audit_list, name="audit_list"),
    path("audit/export/", audit_views.audit_export, name="audit_export"),
    path("search/<slug:kind>/", search_views.search, name="search"),
    path("trash/", trash_views.trash, name="trash"),
    path("trash/export/", trash_views.trash_export, name="trash_export"),
    path("trash/<slug:kind>/<int:pk>/delete/", trash_views.delete_confirm, name="trash_delete"),
    path("trash/<slug:kind>/<int:pk>/restore/", trash_views.restore, name="trash_restore"),
    path("robots.txt", views.robots),
    # Browsers ask for /favicon.ico on every page, the admin's included.
    path("favicon.ico", views.favicon),
    path("members/", include("members.urls")),
    path("studios/", include("studios.urls")),
    path("consultations/", include("consultations.urls")),
    path("proposals/", include("proposals.urls")),
    path("reports/", include("reports.urls")),
    path("api/v1/", include(router.urls)),
    path("api/v1/auth/token/", views.obtain_auth_token, name="api_token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api_docs"),
    path("admin/", admin.site.urls),
]
