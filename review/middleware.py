"""Staff session security: idle expiry, the audit line for every permission refusal, and the
second factor every staff session needs."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from core.second_factor import is_verified, needs_second_factor

from . import audit
from .access import load_staff_access

LAST_ACTIVITY_KEY = "_staff_last_activity"
# The stored timestamp is renewed at most this often, so a page with many parallel requests
# (thumbnails) does not write the session each time; the idle limit is exact to this much.
ACTIVITY_RESOLUTION_SECONDS = 30


def staff_idle_timeout() -> int:
    return int(getattr(settings, "STAFF_IDLE_TIMEOUT_SECONDS", 1800))


class StaffSessionMiddleware:
    """For staff accounts, end the session after STAFF_IDLE_TIMEOUT_SECONDS without a request
    (default 30 minutes); applicants keep SESSION_COOKIE_AGE. Also writes an audit line for every
    response refused with 403 (PermissionDenied from a view or the admin, CSRF failures).

    Placed after AuthenticationMiddleware and MessageMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        self._expire_idle_staff(request)
        response = self.get_response(request)
        if response.status_code == 403:
            audit.log_permission_refused(request, response)
        return response

    def _expire_idle_staff(self, request) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not user.is_staff:
            return
        timeout = staff_idle_timeout()
        now = int(time.time())
        last = request.session.get(LAST_ACTIVITY_KEY)
        if isinstance(last, int | float) and now - last > timeout:
            audit.log_event("staff_idle_logout", request=request, idle_seconds=int(now - last))
            logout(request)
            if hasattr(request, "_messages"):
                messages.info(
                    request,
                    _("You were logged out after %(minutes)d minutes without activity.")
                    % {"minutes": max(1, timeout // 60)},
                )
            return
        if isinstance(last, int | float) and now - last < ACTIVITY_RESOLUTION_SECONDS:
            return
        request.session[LAST_ACTIVITY_KEY] = now
        # The server-side session ends too, even if the browser keeps the cookie.
        request.session.set_expiry(timeout)


# Paths a signed-in member of staff reaches before the second factor: the step itself, logging
# out, static files and language switching; the API answers for itself (403 on staff endpoints).
SECOND_FACTOR_OPEN_PATHS = (
    "/admin/second-factor/",
    "/admin/logout/",
    "/accounts/logout/",
    "/i18n/",
    "/static/",
    "/api/",
    "/healthz",
    "/metrics",
)


class StaffSecondFactorMiddleware:
    """A staff session without a verified second factor (django-otp) reaches only the
    second-factor step: every other page, the admin first, redirects there (enrolment with a QR
    code on the first login, the code of the authenticator app afterwards). For a verified
    session it reads the user's permissions, groups and station at once
    (``review.access.load_staff_access``).

    Placed after django-otp's OTPMiddleware and StaffSessionMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and needs_second_factor(user):
            if is_verified(user):
                # Permissions, groups and station in one query, not one each (issue 18).
                load_staff_access(user)
            elif not request.path.startswith(SECOND_FACTOR_OPEN_PATHS):
                target = reverse("second_factor")
                return redirect(f"{target}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
