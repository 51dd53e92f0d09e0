"""Login failure handling with django-axes (settings ``AXES_*``): hooks named in settings.

One account is locked for one client address after ``AXES_FAILURE_LIMIT`` failed logins (the
applicant login page, the admin login and ``POST /api/v1/auth/token/`` alike); the owner logging
in from elsewhere is not affected. The answer says when to try again; a supervisor unlocks in the
admin (Access attempts: delete the attempt).
"""

from __future__ import annotations

import datetime

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.http import client_ip
from core.phones import normalize_phone
from core.second_factor import needs_second_factor


def login_name(request, credentials=None) -> str:
    """The account a login is for, as stored (E.164), whatever way the number was typed: the
    web forms post ``username``, the API ``phone``."""
    raw = ""
    if credentials:
        raw = credentials.get("phone") or credentials.get("username") or ""
    if not raw and request is not None:
        data = getattr(request, "data", None)
        if not hasattr(data, "get"):
            data = getattr(request, "POST", {})
        raw = data.get("username") or data.get("phone") or ""
    raw = str(raw or "")[:40]
    try:
        return normalize_phone(raw)
    except ValidationError:
        return raw.strip()


def cool_off() -> datetime.timedelta:
    return datetime.timedelta(minutes=int(getattr(settings, "AXES_COOLOFF_MINUTES", 15)))


def retry_at(request, credentials=None) -> datetime.datetime:
    """When this account may try again from this address: the last failure plus the cool-off."""
    from axes.models import AccessAttempt

    last = (
        AccessAttempt.objects.filter(
            username=login_name(request, credentials), ip_address=client_ip(request)
        )
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)
        .first()
    )
    return (last or timezone.now()) + cool_off()


def lockout_message(when: datetime.datetime) -> str:
    local = timezone.localtime(when)
    return _(
        "Too many failed log-ins for this account from your network. Try again after "
        "%(time)s (in about %(minutes)d minutes), or reset your password. Staff can ask a "
        "supervisor to unlock the account."
    ) % {
        "time": date_format(local, "H:i"),
        "minutes": max(1, int((when - timezone.now()).total_seconds() + 59) // 60),
    }


def lockout_response(request, original_response=None, credentials=None):
    """The answer to a locked login: the API's error shape (429, Retry-After) under /api/,
    otherwise a page (429) with the same message."""
    when = retry_at(request, credentials)
    message = lockout_message(when)
    retry_after = max(1, int((when - timezone.now()).total_seconds()))
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"code": "locked_out", "message": message, "fields": {}}, status=429
        )
    else:
        response = render(
            request,
            "applicants/locked_out.html",
            {"message": message, "retry_at": when},
            status=429,
        )
    response["Retry-After"] = str(retry_after)
    return response


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check, first in AUTHENTICATION_BACKENDS. Every login of the portal passes
    its request (web forms, the API); a call without one (a shell, a script) has no client
    address to lock and is left to the next backend."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _django_request(request):
    """The HttpRequest under a DRF Request (axes' middleware reads its flags there)."""
    return getattr(request, "_request", request)


def credentials_of(user) -> dict:
    return {"phone": user.get_username()}


def is_locked(request, user) -> bool:
    """True when ``user``'s account is locked for this request's client address (the lock of
    the logins)."""
    return AxesProxyHandler.is_locked(_django_request(request), credentials_of(user))


def answer_as_locked(request, user) -> None:
    """As axes' backend does for a refused login: AxesMiddleware turns this request's answer,
    whatever the view returns, into the lock's (429, when to retry)."""
    request = _django_request(request)
    request.axes_locked_out = True
    request.axes_credentials = credentials_of(user)


def locked_now(request) -> bool:
    """True once this request's failure reached the limit (the answer is the lock's)."""
    return bool(getattr(_django_request(request), "axes_locked_out", False))


def count_failure(request, user) -> None:
    """One more failure of ``user`` from this address, counted with the failed logins (and
    audit-recorded as one): at ``AXES_FAILURE_LIMIT`` the account is locked for the address and
    the answer to this request is already the lock's."""
    user_login_failed.send(
        sender=__name__, credentials=credentials_of(user), request=_django_request(request)
    )


def count_success(request, user) -> None:
    """A whole sign-in succeeded (the password, and for staff the second factor): this
    account's failures from this address are forgotten (``AXES_RESET_ON_SUCCESS`` is off, so
    that a right password alone never wipes the count of wrong second-factor codes)."""
    request = _django_request(request)
    address = client_ip(request)
    if not address:  # never all addresses' failures at once
        return
    AxesProxyHandler.reset_attempts(
        username=login_name(request, credentials_of(user)), ip_address=address
    )


def password_confirmed(request, user, password: str) -> bool:
    """The account's password typed again to confirm an act (submitting an application), counted
    like a login: a locked account is refused whatever was typed, and a wrong password is one
    more failure of the same lockout (so a stolen session cannot guess at the request rate).
    Without a request (a shell, a script) there is no address to lock: the password alone."""
    if request is not None and is_locked(request, user):
        answer_as_locked(request, user)
        return False
    if password and user.check_password(password):
        return True
    if request is not None:
        count_failure(request, user)
    return False


def forget_failures_on_login(sender, request, user, **kwargs) -> None:
    """``user_logged_in``: a login that needs nothing more (an applicant's) forgets the
    account's failures from this address; a staff login does so only once its second factor
    passed (``review.second_factor``), so wrong codes keep counting across password logins."""
    if request is not None and not needs_second_factor(user):
        count_success(request, user)
