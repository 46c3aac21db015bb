"""Login lockout: per (user name, address), with a higher limit per address.

django-axes counts failures under AXES_LOCKOUT_PARAMETERS = [(user name, address), address] and
locks when the larger count reaches the failure limit. The address count always includes the
pair's, so one limit would lock by address alone; `failure_limit` gives the pair's limit once
that pair has failed often enough, and the address limit otherwise. So five wrong passwords for
`office` from one address lock `office` there only (its owner still logs in from elsewhere), and
an address that tries many names is locked for all of them.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings


def _pair_attempts(request, credentials):
    return AccessAttempt.objects.filter(
        username=get_client_username(request, credentials),
        ip_address=request.axes_ip_address,
    )


def failure_limit(request, credentials) -> int:
    """AXES_FAILURE_LIMIT: compared by axes with the address's failures in the cool-off time."""
    from axes.attempts import get_cool_off_threshold

    pair_limit = settings.CPPCC_LOGIN_FAILURE_LIMIT
    failures = sum(
        _pair_attempts(request, credentials)
        .filter(attempt_time__gte=get_cool_off_threshold(request))
        .values_list("failures_since_start", flat=True)
    )
    if failures >= pair_limit:
        return pair_limit
    return settings.CPPCC_LOGIN_ADDRESS_FAILURE_LIMIT


class LockoutHandler(AxesDatabaseHandler):
    """A successful login clears that name's failures from that address only: axes would clear
    the whole address's count, and a prober holding one valid login could reset it at will."""

    def reset_user_attempts(self, request, credentials=None) -> int:
        count, _detail = _pair_attempts(request, credentials).delete()
        return count
