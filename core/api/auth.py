"""Bearer tokens for the API that expire and can be revoked, without a table.

Design (chosen so that no model is needed in an app this layer does not own):

- A token is ``django.core.signing.dumps({"u": user pk, "j": token id, "p": password tag})``
  with its own salt: signed with SECRET_KEY and timestamped (TimestampSigner). Nobody can forge
  or alter one; ``loads(max_age=API_TOKEN_TTL_SECONDS)`` refuses it once it is older than the
  configured lifetime.
- Each issued token id is also written to the cache (Redis in production) under a key that
  lives exactly as long as the token. A token is accepted only while that key exists and names
  the same user: revoking (DELETE /api/v1/auth/token/) deletes the key. This fails closed: if the
  cache is flushed, every token stops working and the apps ask for a new login; none is revived.
- The password tag is a keyed hash of the user's password hash: changing or resetting the
  password invalidates every token of that account at once.
- A disabled account (``is_active`` False) is refused whatever its token.
- A staff token also ends after STAFF_IDLE_TIMEOUT_SECONDS without a request (the cache entry's
  lifetime, renewed on each use), like a staff session.

Without REDIS_URL the cache is per-process local memory, which is right for the embedded default
(one process) and the tests; several web processes need the shared Redis cache (as deployed).
A durable per-device token table (listing and revoking devices) would need a model in
applicants/models.py; see README.md.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

TOKEN_SALT = "config.api.token"  # noqa: S105 (a signing salt, not a secret)
KEYWORD = "Bearer"


def token_ttl() -> int:
    return int(getattr(settings, "API_TOKEN_TTL_SECONDS", 30 * 24 * 3600))


def _password_tag(user) -> str:
    return salted_hmac("config.api.token.password", user.password or "").hexdigest()[:16]


def _cache_key(token_id: str) -> str:
    return "apitoken:" + hashlib.sha256(token_id.encode()).hexdigest()[:40]


class IssuedToken:
    def __init__(self, key: str, expires_at: datetime.datetime):
        self.key = key
        self.expires_at = expires_at


def staff_idle_timeout() -> int:
    return int(getattr(settings, "STAFF_IDLE_TIMEOUT_SECONDS", 30 * 60))


def _cache_timeout(user) -> int:
    """Staff tokens also end after STAFF_IDLE_TIMEOUT_SECONDS without a request, like staff
    sessions (review.middleware); every use starts that time again."""
    if user.is_staff:
        return min(token_ttl(), staff_idle_timeout())
    return token_ttl()


def issue_token(user) -> IssuedToken:
    """A new token for ``user``, valid for API_TOKEN_TTL_SECONDS unless revoked (staff: and
    unless idle for STAFF_IDLE_TIMEOUT_SECONDS)."""
    ttl = token_ttl()
    token_id = secrets.token_urlsafe(16)
    key = signing.dumps({"u": user.pk, "j": token_id, "p": _password_tag(user)}, salt=TOKEN_SALT)
    cache.set(_cache_key(token_id), user.pk, timeout=_cache_timeout(user))
    return IssuedToken(key=key, expires_at=timezone.now() + datetime.timedelta(seconds=ttl))


def revoke_token(token_id: str) -> None:
    cache.delete(_cache_key(token_id))


def _refuse(message, code="token_invalid"):
    raise exceptions.AuthenticationFailed(message, code=code)


def user_for_token(key: str):
    """The user a token belongs to, and the token id; AuthenticationFailed otherwise."""
    try:
        payload = signing.loads(key, salt=TOKEN_SALT, max_age=token_ttl())
    except signing.SignatureExpired:
        _refuse(_("The token has expired. Log in again."), code="token_expired")
    except signing.BadSignature:
        _refuse(_("The token is not valid. Log in again."))
    if not isinstance(payload, dict) or not {"u", "j", "p"} <= payload.keys():
        _refuse(_("The token is not valid. Log in again."))
    token_id = str(payload["j"])
    if cache.get(_cache_key(token_id)) != payload["u"]:
        _refuse(_("The token was revoked or left unused too long. Log in again."), "token_revoked")
    user = get_user_model().objects.filter(pk=payload["u"]).first()
    if user is None or not user.is_active or _password_tag(user) != payload["p"]:
        _refuse(_("The token is not valid. Log in again."))
    if user.is_staff:
        cache.touch(_cache_key(token_id), _cache_timeout(user))
    return user, token_id


class BearerTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>``; ``request.auth`` is the token id (for revocation)."""

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != KEYWORD.lower().encode():
            return None
        if len(parts) != 2:
            _refuse(_("Send the header as: Authorization: Bearer <token>."))
        try:
            key = parts[1].decode("ascii")
        except UnicodeError:
            _refuse(_("The token is not valid. Log in again."))
        if len(key) > 512:
            _refuse(_("The token is not valid. Log in again."))
        return user_for_token(key)

    def authenticate_header(self, request):
        # Makes DRF answer 401 (not 403) to a request without credentials.
        return f'{KEYWORD} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "core.api.auth.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": str(
                _(
                    "A token from POST /api/v1/auth/token/. It expires after "
                    "API_TOKEN_TTL_SECONDS and is revoked by DELETE /api/v1/auth/token/ or a "
                    "password change."
                )
            ),
        }
