"""Throttling per client address and per user (or per phone number before login).

A view names its scope with ``throttle_scope`` (``login``, ``sign_up``, ``sms_code``, ``upload``,
``verify``; ``api`` when it names none). Two throttles apply to every API view:

- ``IPThrottle``: rate ``<scope>_ip``, keyed by the client address (REMOTE_ADDR, or the address
  API_NUM_PROXIES proxies in from the right of X-Forwarded-For);
- ``UserThrottle``: rate ``<scope>_user``, keyed by the signed-in user, or for anonymous calls by
  the view's ``throttle_subject(request)`` (e.g. the phone number asked for), never in clear.

Rates live in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (settings; API_THROTTLE_RATES overrides);
a scope without a rate is not throttled. Counts are kept in the cache (Redis in production).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class _ScopedThrottle(SimpleRateThrottle):
    suffix = ""

    def __init__(self):  # the rate is known only once the view is
        pass

    def allow_request(self, request, view):
        base = getattr(view, "throttle_scope", None) or "api"
        self.scope = f"{base}_{self.suffix}"
        self.rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # read now: tests override
        if not self.rate:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)


class IPThrottle(_ScopedThrottle):
    suffix = "ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class UserThrottle(_ScopedThrottle):
    suffix = "user"

    def get_cache_key(self, request, view):
        if request.user and request.user.is_authenticated:
            ident = f"u{request.user.pk}"
        else:
            subject_of = getattr(view, "throttle_subject", None)
            subject = subject_of(request) if subject_of else ""
            if not subject:
                return None  # anonymous and nothing to key on: the IP throttle applies
            digest = hashlib.sha256(f"{settings.SECRET_KEY}:{subject}".encode()).hexdigest()
            ident = "s" + digest[:32]
        return self.cache_format % {"scope": self.scope, "ident": ident}


class UploadScopeMixin:
    """Views that take files: writes count against the ``upload`` rates, reads do not."""

    @property
    def throttle_scope(self):
        request = getattr(self, "request", None)
        if request is not None and request.method in ("POST", "PUT", "PATCH"):
            return "upload"
        return "api"
