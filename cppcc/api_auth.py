"""API logins: tokens are refused to a person who still holds a temporary password.

The web pages send such a person to the password page (cppcc.middleware); the API cannot, so it
says why in Chinese. DRF imports this module while rest_framework.views is still loading, so
nothing here may import it (the token view is cppcc.views.obtain_auth_token).
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication as DRFTokenAuthentication
from rest_framework.authtoken.serializers import AuthTokenSerializer

MUST_CHANGE_PASSWORD = _("请先登录网页修改初始密码，再使用接口。")


class TokenAuthentication(DRFTokenAuthentication):
    def authenticate_credentials(self, key):
        user, token = super().authenticate_credentials(key)
        if user.must_change_password:
            raise exceptions.AuthenticationFailed(MUST_CHANGE_PASSWORD)
        return user, token


class TokenRequestSerializer(AuthTokenSerializer):
    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs["user"].must_change_password:
            raise exceptions.ValidationError({"detail": MUST_CHANGE_PASSWORD})
        return attrs
