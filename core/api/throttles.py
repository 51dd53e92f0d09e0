"""Throttling per client address and per user (or per phone number before login).

A view names its scope with ``throttle_scope`` (``login``, ``sign_up``, ``sms_code``, ``upload``,
``verify``; ``api`` when it names none). Two throttles apply to every API view:

- ``IPThrottle``: rate ``<scope>_ip``, keyed by the client address (``core.http.client_ip``:
  django-ipware with PROXY_COUNT);
- ``UserThrottle``: rate ``<scope>_user``, keyed by the signed-in user, or for anonymous calls by
  the view's ``throttle_subject(request)`` (e.g. the phone number asked for) together with the
  client address, never in clear: someone guessing a number's password from one address uses up
  that address's allowance for the number, not the owner's (limits that protect a number whatever
  the address, e.g. SMS codes per number, are the services' own).

Rates live in REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (settings; API_THROTTLE_RATES overrides);
a scope without a rate is not throttled. Counts are kept in the cache (Redis in production);
while the cache is unreachable the throttles let calls through (fail open) with a warning in the
log, so the API keeps answering (issue 14); the services' own limits (SMS codes) still hold.
"""

from __future__ import annotations

import hashlib
import logging

from django.conf import settings
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from core.http import client_ip

logger = logging.getLogger(__name__)

try:  # what a cache that cannot be reached raises (redis-py's errors are not OSErrors;
    # django-redis wraps them in ConnectionInterrupted)
    from django_redis.exceptions import ConnectionInterrupted
    from redis.exceptions import RedisError

    CACHE_DOWN: tuple[type[BaseException], ...] = (RedisError, ConnectionInterrupted, OSError)
except ImportError:  # pragma: no cover - redis is a dependency
    CACHE_DOWN = (OSError,)


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
        try:
            return super().allow_request(request, view)
        except CACHE_DOWN as exc:  # the cache (Redis) is unreachable: fail open, and say so
            logger.warning(
                "Throttle %s not applied: the cache is unreachable (%s)",
                self.scope,
                type(exc).__name__,
            )
            return True


class IPThrottle(_ScopedThrottle):
    suffix = "ip"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request) or "-"}


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
            address = client_ip(request)
            digest = hashlib.sha256(
                f"{settings.SECRET_KEY}:{subject}:{address}".encode()
            ).hexdigest()
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
