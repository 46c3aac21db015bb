from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .accounts import KEPT_ROLES, MANAGED_ROLES
from .models import User
from .roles import MEMBER_REGISTER_GROUP, Role, roles_of


class LoginForm(auth_forms.AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "用户名或密码不正确。同一账号从同一地址连续输错 5 次，将在该地址被锁定 30 分钟。"
        ),
        "inactive": _("该账号已停用，请联系系统管理员。"),
    }

    def clean(self):
        try:
            return super().clean()
        except ValidationError as exc:
            # ModelBackend answers "no such user" for a deactivated login; a person who typed
            # the right password is told why instead of retrying until the lockout.
            if getattr(exc, "code", None) == "invalid_login" and self._deactivated():
                raise ValidationError(self.error_messages["inactive"], code="inactive") from exc
            raise

    def _deactivated(self) -> bool:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        user = User.objects.filter(username=username, is_active=False).first()
        return bool(user and password and user.check_password(password))


class OtpForm(forms.Form):
    """A code from the authenticator app (two-factor sign-in, cppcc.two_factor)."""

    otp = forms.RegexField(
        label=_("验证码"),
        regex=r"^\s*\d{6}\s*$",
        max_length=8,
        error_messages={"invalid": _("请输入验证器上显示的 6 位数字。")},
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "form-control",
                "autofocus": True,
            }
        ),
    )


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """The password page; choosing one's own password ends a temporary one's obligation."""

    def save(self, commit=True):
        self.user.must_change_password = False
        return super().save(commit=commit)


def _related_queryset(field_name: str):
    # cppcc names the apps' models only through its own foreign keys (no import of the apps).
    return User._meta.get_field(field_name).related_model._default_manager.all()


class AccountForm(forms.Form):
    """Create or edit a login of the roles MANAGED_ROLES; the service checks the same rules,
    the form says them next to the field."""

    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("登录时输入，字母、数字或 @ . + - _，创建后不能修改。"),
    )
    display_name = forms.CharField(label=_("姓名"), max_length=50)
    email = forms.EmailField(
        label=_("电子邮箱"), required=False, help_text=_("填写后，通知同时发送到该邮箱。")
    )
    roles = forms.MultipleChoiceField(
        label=_("角色"),
        choices=[(r.value, r.label) for r in MANAGED_ROLES],
        widget=forms.CheckboxSelectMultiple,
    )
    town = forms.ModelChoiceField(
        label=_("所属镇街"),
        queryset=_related_queryset("town"),
        required=False,
        help_text=_("镇街工作人员必填。"),
    )
    handling_unit = forms.ModelChoiceField(
        label=_("所属承办单位"),
        queryset=_related_queryset("handling_unit"),
        required=False,
        help_text=_("承办单位账号必填。"),
    )
    member_register = forms.BooleanField(
        label=_("委员名册管理（可查看委员身份证号、手机号等敏感信息）"),
        required=False,
        help_text=_("仅限机关工作人员。"),
    )

    def __init__(self, *args, instance: User | None = None, **kwargs):
        self.instance = instance
        if instance is not None:
            names = {g.name for g in instance.groups.all()}
            kwargs.setdefault(
                "initial",
                {
                    "username": instance.username,
                    "display_name": instance.display_name,
                    "email": instance.email,
                    "roles": [r.value for r in MANAGED_ROLES if r.value in names],
                    "town": instance.town_id,
                    "handling_unit": instance.handling_unit_id,
                    "member_register": MEMBER_REGISTER_GROUP in names,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["town"].queryset = self.fields["town"].queryset.order_by("order", "name")
        units = self.fields["handling_unit"].queryset
        # A unit no longer in use is offered only to the login that already answers for it.
        keep = instance.handling_unit_id if instance is not None else None
        self.fields["handling_unit"].queryset = (
            units.filter(is_active=True) | units.filter(pk=keep)
        ).order_by("name")
        if instance is not None:
            self.fields["username"].disabled = True
            self.fields["username"].help_text = ""
            # A member's or an administrator's login keeps that role (granted on the member
            # page or in the Django admin) and needs no box ticked here.
            if roles_of(instance) & KEPT_ROLES:
                self.fields["roles"].required = False

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if self.instance is None and User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("用户名“%(name)s”已被使用。"), params={"name": username})
        return username

    def clean(self):
        data = super().clean()
        roles = set(data.get("roles") or ())
        if Role.TOWN in roles and not data.get("town"):
            self.add_error("town", _("镇街工作人员必须选择所属镇街。"))
        if Role.UNIT in roles and not data.get("handling_unit"):
            self.add_error("handling_unit", _("承办单位账号必须选择所属承办单位。"))
        if data.get("member_register") and Role.OFFICE not in roles:
            self.add_error("member_register", _("只有机关工作人员可以授予“委员名册管理”权限。"))
        return data


ACTIVE_CHOICES = [("", _("全部")), ("1", _("启用")), ("0", _("停用"))]


class AccountFilterForm(forms.Form):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("用户名或姓名")}),
    )
    role = forms.ChoiceField(
        label=_("角色"), required=False, choices=[("", _("全部"))] + list(Role.choices)
    )
    active = forms.ChoiceField(label=_("状态"), required=False, choices=ACTIVE_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            is_select = isinstance(field, forms.ChoiceField)
            field.widget.attrs["class"] = (
                "form-select form-select-sm" if is_select else "form-control form-control-sm"
            )
