from django.apps import apps
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import User

# Permission names are stored in English when the tables are made ("Can add historical 委员");
# the pickers show them built from the Chinese model names instead.
PERMISSION_ACTIONS = {"add": _("新增"), "change": _("修改"), "delete": _("删除"), "view": _("查看")}


def _model_name(model) -> str:
    # simple-history's record models point at the model they record (instance_type).
    recorded = getattr(model, "instance_type", None)
    if recorded is None:
        return str(model._meta.verbose_name)
    owner = recorded._meta.auto_created or recorded  # a many-to-many table's owning model
    suffix = _t("（修改记录）") if owner is recorded else _t("（关联修改记录）")
    return f"{owner._meta.verbose_name}{suffix}"


def permission_label(perm: Permission) -> str:
    model = perm.content_type.model_class()
    if model is None:
        return perm.name
    app = apps.get_app_config(perm.content_type.app_label).verbose_name
    name = _model_name(model)
    action, _sep, rest = perm.codename.partition("_")
    if action in PERMISSION_ACTIONS and rest == model._meta.model_name:
        return f"{app}｜{name}｜{PERMISSION_ACTIONS[action]}"
    return f"{app}｜{name}｜{perm.name}"


class ChinesePermissionsMixin:
    def formfield_for_manytomany(self, db_field, request=None, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request=request, **kwargs)
        if formfield is not None and db_field.related_model is Permission:
            formfield.label_from_instance = permission_label
        return formfield


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    # Django 6.1 appends this warning outside gettext, so it stayed English.
    usable_password_help_text = format_lazy(
        '{}<ul id="id_unusable_warning" class="messagelist"><li class="warning">{}</li></ul>',
        auth_forms.SetUnusablePasswordMixin.usable_password_help_text,
        _("如果禁用，该用户当前的密码将丢失。"),
    )


@admin.register(User)
class CppccUserAdmin(ChinesePermissionsMixin, SimpleHistoryAdmin, UserAdmin):
    """For what the accounts page (/accounts/manage/) leaves out: administrator logins and
    superusers. Everyday logins are made there, with the role rules checked."""

    list_display = ["username", "display_name", "is_active", "is_superuser", "last_login"]
    list_filter = ["is_active", "is_superuser", "groups"]
    search_fields = ["username", "display_name", "email"]
    raw_id_fields = ["member"]
    change_password_form = AdminPasswordChangeForm
    fieldsets = (
        *UserAdmin.fieldsets,
        (
            _("政协履职"),
            {
                "fields": (
                    "display_name",
                    "town",
                    "handling_unit",
                    "member",
                    "must_change_password",
                )
            },
        ),
    )


admin.site.unregister(Group)


@admin.register(Group)
class CppccGroupAdmin(ChinesePermissionsMixin, GroupAdmin):
    pass


def login_through_the_site(request, extra_context=None):
    """The admin's own login page takes the password alone, which would let a person with
    two-factor sign-in on (cppcc.two_factor) skip the code: it sends to the site's login, which
    asks for both and then returns to the admin. Someone logged in without admin rights is
    refused rather than sent to log in again (the login would send them straight back)."""
    if request.user.is_authenticated:
        raise PermissionDenied
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    return redirect_to_login(next_url, reverse("login"))


admin.site.login = login_through_the_site
