"""Login failure handling with django-axes (settings ``AXES_*``): hooks named in settings.

One account is locked for one client address after ``AXES_FAILURE_LIMIT`` failed logins (the
applicant login page, the admin login and ``POST /api/v1/auth/token/`` alike); the owner logging
in from elsewhere is not affected. The answer says when to try again; a supervisor unlocks in the
admin (Access attempts: delete the attempt).
"""

from __future__ import annotations

import datetime

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.http import client_ip
from core.phones import normalize_phone


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
