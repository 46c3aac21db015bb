"""Two-factor sign-in (TOTP, django-otp) for staff and administrator accounts.

A person turns it on from their own page: a new, unconfirmed TOTP device is made, its secret
shown once as text and an otpauth URI, and it counts only after a code from the authenticator is
confirmed. Once on, the login page's password step does not log in: it parks the user in the
session (`begin_login`) and the code step logs in (`finish_login`). The API token endpoint asks
for the same code (cppcc.api_auth). A wrong code counts as a failed login for django-axes (and
for whatever else listens to `user_login_failed`), so guessing codes ends in the same lockout
as guessing passwords; django-otp's own throttle slows each device further.
"""

import base64
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.signals import user_login_failed
from django.db import transaction
from django.utils.translation import gettext as _

from .roles import is_staff_like
from .workflow import WorkflowError

PENDING_KEY = "cppcc_otp_pending"


def _devices():
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects


def may_use(user) -> bool:
    """Staff roles (administrator, office, town clerk, leader) may turn it on; members sign in on
    their phones with the portal, and handling units share one login per department."""
    return is_staff_like(user)


def confirmed_device(user):
    if user is None or not getattr(user, "pk", None):
        return None
    return _devices().filter(user_id=user.pk, confirmed=True).first()


def is_enabled(user) -> bool:
    return confirmed_device(user) is not None


def secret_of(device) -> str:
    """The key as authenticator apps take it by hand (base32, in groups of four)."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _clean(code: str) -> str:
    return "".join(str(code or "").split())


def _failed(user, request) -> None:
    # Same signal a wrong password sends: axes counts it toward the lockout.
    if request is not None:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.get_username()}, request=request
        )


def verify(user, code: str, *, request=None) -> bool:
    """Checks a code against the person's confirmed device; a wrong one counts as a failure."""
    device = confirmed_device(user)
    if device is not None and device.verify_token(_clean(code)):
        return True
    _failed(user, request)
    return False


@transaction.atomic
def start(user):
    """A fresh unconfirmed device (any earlier unconfirmed one is dropped), to be confirmed."""
    if not may_use(user):
        raise WorkflowError(_("只有机关工作人员、镇街工作人员、领导和系统管理员可以开启两步验证。"))
    if is_enabled(user):
        raise WorkflowError(_("两步验证已经开启。"))
    _devices().filter(user_id=user.pk, confirmed=False).delete()
    return _devices().create(user=user, name=_("验证器"), confirmed=False)


def pending_device(user):
    return _devices().filter(user_id=user.pk, confirmed=False).first()


@transaction.atomic
def confirm(user, code: str):
    device = pending_device(user)
    if device is None:
        raise WorkflowError(_("请先点击“开启两步验证”生成密钥。"))
    if not device.verify_token(_clean(code)):
        raise WorkflowError(_("验证码不正确，请核对验证器上的时间和密钥后重试。"))
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device


@transaction.atomic
def disable(user, code: str, *, request=None) -> None:
    """Turning it off asks for a current code, so a session left open cannot remove it."""
    if not is_enabled(user):
        raise WorkflowError(_("两步验证尚未开启。"))
    if not verify(user, code, request=request):
        raise WorkflowError(_("两步验证码不正确或已过期。"))
    _devices().filter(user_id=user.pk).delete()


def remove_devices(user) -> int:
    """Used by the administrator's reset (cppcc.accounts)."""
    count, _detail = _devices().filter(user_id=user.pk).delete()
    return count


# --- the login's second step ---------------------------------------------------------------


def begin_login(request, user) -> None:
    """After the right password: remember who is signing in, without logging them in."""
    request.session[PENDING_KEY] = {
        "user": user.pk,
        "backend": user.backend,
        "at": time.time(),
    }


def pending_user(request):
    """The person whose password passed within CPPCC_OTP_PENDING_SECONDS, or None."""
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None
    if time.time() - pending.get("at", 0) > settings.CPPCC_OTP_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is not None:
        user.backend = pending["backend"]
    return user


def finish_login(request, user, code: str) -> bool:
    if not verify(user, code, request=request):
        return False
    request.session.pop(PENDING_KEY, None)
    auth_login(request, user, backend=user.backend)
    return True


def cancel_login(request) -> None:
    request.session.pop(PENDING_KEY, None)
