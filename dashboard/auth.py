"""The authentication backend that refuses a login before any password is checked when
its address, or its username from that address, has failed too often."""

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.helpers import get_credentials
from django.conf import settings

from dashboard.throttle import client_ip, failures_from


class ThrottledBackend(AxesStandaloneBackend):
    """django-axes' lock on (username, address), plus LOGIN_ADDRESS_FAILURE_LIMIT failures
    from one address across all usernames: one address cannot try every username."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is not None and (
            failures_from(client_ip(request)) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT
        ):
            # AxesMiddleware answers a flagged request with the lockout page (429).
            request.axes_locked_out = True
            request.axes_credentials = get_credentials(username=username)
            raise AxesBackendPermissionDenied("too many failed logins from this address")
        return super().authenticate(request, username, password, **kwargs)
