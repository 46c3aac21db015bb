"""API logins: DRF tokens that expire, are revoked, and are issued only to roles that need them.

A token is refused CPPCC_TOKEN_TTL_HOURS after it was issued (DRF's `Token.created`), and
deleted when its owner changes password (any path: RevokeTokensOnPasswordChange), is deactivated
(cppcc.accounts) or logs out (the web logout and DELETE on the token endpoint). A person who
still holds a temporary password gets no token either: the web pages send them to the password
page (cppcc.middleware); the API cannot, so it says why in Chinese.

DRF imports this module while rest_framework.views is still loading, so nothing here may import
it at module level (the token view is cppcc.views.obtain_auth_token).
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers
from rest_framework.authentication import TokenAuthentication as DRFTokenAuthentication
from rest_framework.authtoken.serializers import AuthTokenSerializer

from .roles import Role, has_role
from .validators import SerializerLimitsMixin

MUST_CHANGE_PASSWORD = _("请先登录网页修改初始密码，再使用接口。")
TOKEN_EXPIRED = _("令牌已过期，请重新获取。")
NO_API_ROLE = _("您的账号无需使用接口：委员请使用手机端页面，领导请使用网页驾驶舱。")
OTP_REQUIRED = _("该账号已开启两步验证，请在 otp 中填写验证器上的 6 位验证码。")
OTP_WRONG = _("两步验证码不正确或已过期。")

# Roles whose work needs the API: the office and the administrator (imports, other systems),
# town clerks (their town's records from the work office's tools) and handling units (replies
# from a department's own system). Members work in the phone portal and leaders read the
# dashboard pages: a token for them would only be one more credential to leak.
API_ROLES = (Role.ADMIN, Role.OFFICE, Role.TOWN, Role.UNIT)


def token_ttl() -> timedelta:
    return timedelta(hours=settings.CPPCC_TOKEN_TTL_HOURS)


def token_expires_at(token) -> datetime:
    return token.created + token_ttl()


def revoke_tokens(user) -> int:
    from rest_framework.authtoken.models import Token

    if user is None or user.pk is None:
        return 0
    count, _detail = Token.objects.filter(user_id=user.pk).delete()
    return count


def issue_token(user):
    """The person's valid token, or a new one when there is none or it has expired."""
    from rest_framework.authtoken.models import Token

    token = Token.objects.filter(user=user).first()
    if token is not None and token_expires_at(token) <= timezone.now():
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


class TokenAuthentication(DRFTokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if token_expires_at(token) <= timezone.now():
            token.delete()
            raise exceptions.AuthenticationFailed(TOKEN_EXPIRED)
        if user.must_change_password:
            raise exceptions.AuthenticationFailed(MUST_CHANGE_PASSWORD)
        return user, token


class RevokeTokensOnPasswordChange:
    """Listed in AUTH_PASSWORD_VALIDATORS for its password_changed() hook, which Django calls
    after a user with a new password is saved; it refuses no password."""

    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user=None):
        revoke_tokens(user)

    def get_help_text(self):
        return _("修改密码后，原有的接口令牌随即作废。")


class TokenRequestSerializer(SerializerLimitsMixin, AuthTokenSerializer):
    otp = serializers.CharField(
        label=_("两步验证码"),
        required=False,
        allow_blank=True,
        max_length=8,
        help_text=_("开启了两步验证的账号必填：验证器上的 6 位数字。"),
    )

    def validate(self, attrs):
        from . import two_factor

        attrs = super().validate(attrs)
        user = attrs["user"]
        if user.must_change_password:
            raise exceptions.ValidationError({"detail": MUST_CHANGE_PASSWORD})
        if two_factor.is_enabled(user):
            code = attrs.get("otp") or ""
            if not code:
                raise exceptions.ValidationError({"otp": [OTP_REQUIRED]})
            if not two_factor.verify(user, code, request=self.context.get("request")):
                raise exceptions.ValidationError({"otp": [OTP_WRONG]})
        if not has_role(user, *API_ROLES):
            raise exceptions.PermissionDenied(NO_API_ROLE)
        return attrs


class TokenResponseSerializer(SerializerLimitsMixin, serializers.Serializer):
    token = serializers.CharField(label=_("令牌"))
    expires_at = serializers.DateTimeField(label=_("过期时间"))
