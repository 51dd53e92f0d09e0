"""Phone codes: send a 6-digit SMS code, and accept it once (sign-up, password reset).

Rate limits (per number and per client address) are counted in the cache so they hold across
processes; a refusal is ``RateLimited``, a wrong code ``InvalidInput`` on the ``code`` field.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput, RateLimited
from core.phones import mask_phone, normalize_phone
from notifications.services import render_message, send_direct_sms

from ..constants import PhoneCodePurpose
from ..models import PhoneCode, User

logger = logging.getLogger(__name__)

CODE_TTL = datetime.timedelta(minutes=10)
CODE_MAX_TRIES = 5
HOUR = 3600


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# A station kiosk (issue 17) serves everyone in the hall from one address: its requests are
# counted per device (``kiosk_source(pk)`` in place of the client address) against limits of
# their own (KIOSK_PHONE_CODES_PER_HOUR, KIOSK_CODE_CHECKS_PER_HOUR); the per-number limits
# hold as everywhere.
KIOSK_SOURCE_PREFIX = "kiosk-device:"


def kiosk_source(device_pk: int) -> str:
    return f"{KIOSK_SOURCE_PREFIX}{device_pk}"


def _source_limit(client_ip: str, name: str, default: int, kiosk_name: str, kiosk_default: int):
    if client_ip.startswith(KIOSK_SOURCE_PREFIX):
        return _setting(kiosk_name, kiosk_default)
    return _setting(name, default)


def normalized_phone(phone: str) -> str:
    """The number in E.164, or InvalidInput on the ``phone`` field."""
    try:
        return normalize_phone(phone)
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc, field="phone") from exc


def _phone_key(phone: str) -> str:
    """Cache keys never hold a phone number (or a client address) in clear."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{phone}".encode()).hexdigest()[:32]


def _hit(key: str, limit: int, window: int) -> bool:
    """Count one event in a fixed window; True while within ``limit``. Atomic on Redis."""
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def _code_hash(*, phone: str, purpose: str, code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = salted_hmac(
        "applicants.PhoneCode", f"{salt}:{phone}:{purpose}:{code}", algorithm="sha256"
    ).hexdigest()
    return f"{salt}${digest}"


def _code_matches(phone_code: PhoneCode, code: str) -> bool:
    salt, _sep, _digest = phone_code.code_hash.partition("$")
    expected = _code_hash(
        phone=phone_code.phone, purpose=phone_code.purpose, code=code.strip(), salt=salt
    )
    return constant_time_compare(expected, phone_code.code_hash)


# Sent once per accepted code request; applicants.tasks queues the delivery on the SMS queue.
# Arguments: phone, purpose, language, request_id.
phone_code_requested = Signal()


def request_phone_code(*, phone: str, purpose: str, client_ip: str = "") -> None:
    """Ask for a 6-digit code to ``phone`` for ``purpose``.

    The request does the same work for every number: rate limits (per number and per client
    address, in the cache so they hold across processes), then one task on the SMS queue
    (``deliver_phone_code``). Whether the number has an account is looked at only there, so
    neither the answer nor its timing tells (sign-up for a registered number gets an SMS saying
    so instead of a code, a reset for an unknown number sends nothing).
    """
    purpose = PhoneCodePurpose(purpose)
    phone = normalized_phone(phone)
    key = _phone_key(phone)
    interval = _setting("PHONE_CODE_MIN_INTERVAL_SECONDS", 60)
    if interval > 0 and not cache.add(f"phonecode:gap:{purpose}:{key}", 1, timeout=interval):
        raise RateLimited(
            _("A code was sent less than %(seconds)d seconds ago. Wait a moment and try again."),
            params={"seconds": interval},
            retry_after=interval,
        )
    too_many = RateLimited(
        _("Too many codes were asked for. Try again in an hour."), retry_after=HOUR
    )
    ip_limit = _source_limit(
        client_ip, "PHONE_CODE_MAX_PER_IP_PER_HOUR", 20, "KIOSK_PHONE_CODES_PER_HOUR", 200
    )
    if client_ip and not _hit(f"phonecode:ip:{_phone_key(client_ip)}", ip_limit, HOUR):
        raise too_many
    if not _hit(f"phonecode:hour:{key}", _setting("PHONE_CODE_MAX_PER_HOUR", 5), HOUR):
        raise too_many
    phone_code_requested.send(
        sender=request_phone_code,
        phone=phone,
        purpose=str(purpose),
        language=translation.get_language() or settings.LANGUAGE_CODE,
        request_id=secrets.token_hex(16),
    )


def deliver_phone_code(*, phone: str, purpose: str, language: str, request_id: str) -> None:
    """The work behind one code request (the SMS worker runs it): a code and its SMS, or the
    "already has an account" SMS, or nothing for a reset of an unknown number. A redelivered
    task for the same request does nothing."""
    if not cache.add(f"phonecode:task:{request_id}", 1, timeout=HOUR):
        return
    purpose = PhoneCodePurpose(purpose)
    with translation.override(language):
        _deliver(phone=phone, purpose=purpose, request_id=request_id)


def _deliver(*, phone: str, purpose: str, request_id: str) -> None:
    accounts = User.objects.filter(phone=phone)
    if purpose in (PhoneCodePurpose.SIGN_IN, PhoneCodePurpose.CONFIRM_SUBMIT):
        # Kiosk codes: applicants' own active accounts only (staff sign in with their second
        # factor, never at a kiosk).
        accounts = accounts.filter(is_active=True, is_staff=False)
    has_account = accounts.exists()
    if purpose == PhoneCodePurpose.SIGN_UP and has_account:
        send_direct_sms(
            phone=phone,
            text=gettext(
                "Someone asked to sign up with this number, which already has an account. "
                "If you forgot your password, use 'Forgot password' on the login page."
            ),
            idempotency_key=f"phone_code:exists:{request_id}",
        )
        return
    # A lessor needs no account: the number is the one a tenant named, never one typed here.
    if (
        purpose not in (PhoneCodePurpose.SIGN_UP, PhoneCodePurpose.LESSOR_CONFIRM)
        and not has_account
    ):
        logger.info("%s code not sent: no account for %s", purpose, mask_phone(phone))
        return

    code = f"{secrets.randbelow(1_000_000):06d}"
    now = timezone.now()
    with transaction.atomic():
        # Only the newest code counts: older ones stop working.
        PhoneCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True).update(
            used_at=now
        )
        phone_code = PhoneCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=_code_hash(phone=phone, purpose=purpose, code=code),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
        send_direct_sms(
            phone=phone,
            text=_code_sms_text(code),
            idempotency_key=f"phone_code:{phone_code.pk}",
        )


def _code_sms_text(code: str) -> str:
    """The SMS text of the ``phone_code`` kind, in the language of the page that asked."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    _title, _body, sms = render_message(
        kind="phone_code",
        context={"code": code, "valid_minutes": int(CODE_TTL.total_seconds() // 60)},
        language=language,
    )
    return sms


def _check_code_attempt_limits(*, phone: str, client_ip: str) -> None:
    """Count one code check per number and per client address (across processes, in the cache).

    Counted before the code is looked at, so a flood of guesses is refused whatever it guesses.
    """
    too_many = RateLimited(
        fields={"code": _("Too many code checks. Try again in an hour.")}, retry_after=HOUR
    )
    ip_limit = _source_limit(
        client_ip, "PHONE_CODE_CHECKS_PER_IP_PER_HOUR", 30, "KIOSK_CODE_CHECKS_PER_HOUR", 300
    )
    if client_ip and not _hit(f"phonecode:check:ip:{_phone_key(client_ip)}", ip_limit, HOUR):
        raise too_many
    phone_limit = _setting("PHONE_CODE_CHECKS_PER_NUMBER_PER_HOUR", 15)
    if not _hit(f"phonecode:check:number:{_phone_key(phone)}", phone_limit, HOUR):
        raise too_many


WRONG_CODE = _("The code is wrong or has expired. Ask for a new code.")


def wrong_code() -> InvalidInput:
    return InvalidInput(code="code_wrong", fields={"code": WRONG_CODE})


def code_just_used(*, phone: str, purpose: str, code: str, within_seconds: int = 60) -> bool:
    """Whether ``code`` is the code for ``phone`` accepted in the last ``within_seconds``: the
    same form sent twice (a double tap), whose first sending is still at work or done."""
    since = timezone.now() - datetime.timedelta(seconds=within_seconds)
    recent = PhoneCode.objects.filter(phone=phone, purpose=purpose, used_at__gte=since).order_by(
        "-used_at"
    )[:1]
    return any(_code_matches(phone_code, code or "") for phone_code in recent)


def consume_phone_code(*, phone: str, purpose: str, code: str, client_ip: str = "") -> None:
    """Accept the newest code for ``phone`` once, or raise InvalidInput (field ``code``), or
    RateLimited when too many codes were checked.

    The attempt counter is written in a transaction of its own that commits before the error is
    raised: call this outside any ``transaction.atomic()`` block, or a rollback of the caller's
    block would undo the count and let the code be guessed without limit.
    """
    if any(
        not getattr(block, "_from_testcase", False)  # the test runner's own outer transaction
        for block in transaction.get_connection().atomic_blocks
    ):
        raise RuntimeError("consume_phone_code() must not run inside an atomic block")
    _check_code_attempt_limits(phone=phone, client_ip=client_ip)
    now = timezone.now()
    outcome = "wrong"
    remaining = 0
    with transaction.atomic():
        phone_code = (
            PhoneCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        if phone_code is None or phone_code.expires_at <= now:
            outcome = "wrong"
        elif phone_code.attempts >= CODE_MAX_TRIES:
            outcome = "exhausted"
        elif _code_matches(phone_code, code or ""):
            phone_code.used_at = now
            phone_code.save(update_fields=["used_at"])
            outcome = "ok"
        else:
            PhoneCode.objects.filter(pk=phone_code.pk).update(attempts=F("attempts") + 1)
            remaining = CODE_MAX_TRIES - phone_code.attempts - 1
            outcome = "exhausted" if remaining <= 0 else "wrong_with_tries"
    if outcome == "ok":
        return
    if outcome == "exhausted":
        raise InvalidInput(
            code="code_exhausted",
            fields={"code": _("Too many wrong tries with this code. Ask for a new code.")},
        )
    if outcome == "wrong_with_tries":
        message = _("The code is wrong or has expired. %(remaining)d tries left.")
        raise InvalidInput(code="code_wrong", fields={"code": message % {"remaining": remaining}})
    raise wrong_code()
