"""Bearer tokens for the API: signed, expiring, revocable, one table row per signed-in device.

- A token is ``django.core.signing.dumps({"u": user pk, "j": token id, "p": password tag})``
  (staff: also ``"o"``, the second-factor device of the login) with its own salt: signed with
  SECRET_KEY and timestamped. Nobody can forge or alter one; ``loads(max_age=
  API_TOKEN_TTL_SECONDS)`` refuses it once it is older than the configured lifetime.
- Each issued token has a row in ``core.models.ApiToken`` (the SHA-256 digest of its random id,
  never the token): a token is accepted only while its row exists, names the same user and has
  not expired. Revoking (DELETE /api/v1/auth/token/, or "sign out" of a device on the account
  page) deletes the row. The check is a database read, so the API keeps answering while the
  cache (Redis) is down (issue 14).
- The password tag is a keyed hash of the user's password hash, kept in the token and on its
  row: changing or resetting the password ends every token of that account at once (their rows
  are deleted on their next use and no longer listed).
- A disabled account (``is_active`` False) is refused whatever its token.
- A staff token also ends after STAFF_IDLE_TIMEOUT_SECONDS without a request, like a staff
  session (``last_used_at``, written at most once a minute).
"""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from core import page_cache
from core.models import ApiToken
from core.second_factor import device_of, mark_verified

TOKEN_SALT = "config.api.token"  # noqa: S105 (a signing salt, not a secret)
KEYWORD = "Bearer"
LAST_USED_EVERY = datetime.timedelta(seconds=60)  # how often last_used_at is written


def token_ttl() -> int:
    return int(getattr(settings, "API_TOKEN_TTL_SECONDS", 30 * 24 * 3600))


def _password_tag(user) -> str:
    return salted_hmac("config.api.token.password", user.password or "").hexdigest()[:16]


def _digest(token_id: str) -> str:
    return hashlib.sha256(token_id.encode()).hexdigest()


class IssuedToken:
    def __init__(self, key: str, expires_at: datetime.datetime):
        self.key = key
        self.expires_at = expires_at


def staff_idle_timeout() -> int:
    return int(getattr(settings, "STAFF_IDLE_TIMEOUT_SECONDS", 30 * 60))


def issue_token(user, *, second_factor=None, device: str = "") -> IssuedToken:
    """A new token for ``user``, valid for API_TOKEN_TTL_SECONDS unless revoked (staff: and
    unless idle for STAFF_IDLE_TIMEOUT_SECONDS). ``second_factor``: the django-otp device that
    verified a staff login; without it the staff endpoints refuse the token. ``device``: what
    the account page shows for it (else the User-Agent of its first request)."""
    now = timezone.now()
    expires_at = now + datetime.timedelta(seconds=token_ttl())
    token_id = secrets.token_urlsafe(16)
    tag = _password_tag(user)
    payload = {"u": user.pk, "j": token_id, "p": tag}
    if second_factor is not None:
        payload["o"] = second_factor.persistent_id
    key = signing.dumps(payload, salt=TOKEN_SALT)
    # this account's dead rows go as a new one comes (expired, or from an earlier password)
    ApiToken.objects.filter(user=user).exclude(password_tag=tag, expires_at__gt=now).delete()
    ApiToken.objects.create(
        user=user,
        digest=_digest(token_id),
        password_tag=tag,
        device=(device or "")[:200],
        last_used_at=now,
        expires_at=expires_at,
    )
    return IssuedToken(key=key, expires_at=expires_at)


def revoke_token(token_id: str) -> None:
    ApiToken.objects.filter(digest=_digest(token_id)).delete()


def signed_in_devices(user):
    """The account's live tokens (one per signed-in device), most recently used first."""
    return ApiToken.objects.filter(
        user=user, password_tag=_password_tag(user), expires_at__gt=timezone.now()
    ).order_by("-last_used_at", "-pk")


def revoke_device(user, token_pk) -> bool:
    """Sign one device of ``user`` out (its token row deleted); False if it is not theirs."""
    deleted, _rows = ApiToken.objects.filter(user=user, pk=token_pk).delete()
    return bool(deleted)


def _refuse(message, code="token_invalid"):
    raise exceptions.AuthenticationFailed(message, code=code)


def user_for_token(key: str, *, device: str = ""):
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
    row = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(token_id), user_id=payload["u"])
        .first()
    )
    if row is None:
        _refuse(_("The token was revoked or left unused too long. Log in again."), "token_revoked")
    user, now = row.user, timezone.now()
    if (
        not user.is_active
        or _password_tag(user) != payload["p"]
        or row.password_tag != payload["p"]
    ):
        row.delete()
        _refuse(_("The token is not valid. Log in again."))
    if row.expires_at <= now:
        row.delete()
        _refuse(_("The token has expired. Log in again."), code="token_expired")
    if user.is_staff and row.last_used_at < now - datetime.timedelta(seconds=staff_idle_timeout()):
        row.delete()
        _refuse(_("The token was revoked or left unused too long. Log in again."), "token_revoked")
    changes = {}
    if row.last_used_at < now - LAST_USED_EVERY:
        changes["last_used_at"] = now
    if device and not row.device:
        changes["device"] = device[:200]
    if changes:
        with transaction.atomic():
            ApiToken.objects.filter(pk=row.pk).update(**changes)
            page_cache.bump([user.pk])  # the personal center lists the devices' last use
    if user.is_staff:
        mark_verified(user, device_of(user, payload.get("o")))
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
        return user_for_token(key, device=request.META.get("HTTP_USER_AGENT", ""))

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
