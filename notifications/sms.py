"""Sending one SmsMessage through the configured backend, at most once.

``deliver()`` works in two single-statement writes around the provider call:

1. claim the row: one ``UPDATE … SET status='sending', attempts=attempts+1 WHERE id=… AND
   status='queued' RETURNING …`` (committed at once); go on only if it matched;
2. call the backend (no lock or transaction held while the network is slow);
3. record the outcome on the row, only if it is still ``sending``.

A redelivered or duplicate task finds the row ``sending`` or beyond and its UPDATE matches
nothing, so no path sends two SMS for one row; concurrent claims serialise on the row lock the
UPDATE takes, and the second one re-checks ``status='queued'`` after the first commits (READ
COMMITTED), so it matches nothing. A worker that dies between 1 and 3 leaves the row ``sending``
(shown in the admin) rather than risking a second SMS. (Issue 18: the claim was a transaction of
lock, save and commit, four round trips; now it is one.)
"""

import dataclasses
import functools
import logging
import random
from datetime import timedelta

import phonenumbers
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from .backends import PermanentSmsError, SmsSendError, TransientSmsError, get_backend, masked
from .constants import SMS_STATUS_RANK, SmsStatus
from .models import SmsMessage

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Outcome:
    status: str  # "sent", "retry", "failed" or "skipped"
    retry_in: float | None = None


SKIPPED = Outcome("skipped")


def retry_delay(attempts: int, *, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter for the retry after ``attempts`` failed attempts:
    base * 2**(attempts-1), capped, then scaled by a random factor in [0.5, 1]."""
    base = settings.SMS_RETRY_BASE_SECONDS
    cap = settings.SMS_RETRY_MAX_SECONDS
    delay = min(cap, base * (2 ** max(attempts - 1, 0)))
    return delay * (rng or random).uniform(0.5, 1.0)


def is_valid_e164(phone: str) -> bool:
    if not phone.startswith("+"):
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(phone, None))
    except phonenumbers.NumberParseException:
        return False


_CLAIM_RETURNS = ("id", "recipient_phone", "body", "attempts")


@functools.cache
def _claim_sql(vendor: str) -> str:
    quote = connection.ops.quote_name
    meta = SmsMessage._meta
    col = {f.name: quote(f.column) for f in meta.concrete_fields}
    returning = ", ".join(col[name] for name in _CLAIM_RETURNS)
    # Names from the model's metadata only; every value is a parameter.
    return (
        f"UPDATE {quote(meta.db_table)} SET {col['status']} = %s, "  # noqa: S608
        f"{col['attempts']} = {col['attempts']} + 1, {col['next_attempt_at']} = NULL, "
        f"{col['updated_at']} = %s WHERE {col['id']} = %s AND {col['status']} = %s "
        f"RETURNING {returning}"
    )


def _claim(sms_id: int) -> SmsMessage | None:
    """Step 1: mark the row `sending` and count the attempt, only if it is still queued.

    One statement (UPDATE … WHERE status='queued' RETURNING), so one round trip. The returned
    instance carries only the fields ``deliver()`` uses (id, recipient, body, attempts) and the
    new status; it is never saved.
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            _claim_sql(connection.vendor),
            [SmsStatus.SENDING.value, now, sms_id, SmsStatus.QUEUED.value],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    message = SmsMessage(**dict(zip(_CLAIM_RETURNS, row, strict=True)))
    message.status = SmsStatus.SENDING
    message.next_attempt_at = None
    message._state.adding = False
    return message


def _record(message: SmsMessage, **fields) -> None:
    """Step 3: write the outcome, only over `sending` (a webhook may have moved it on)."""
    fields["updated_at"] = timezone.now()
    SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.SENDING).update(**fields)


def deliver(sms_id: int) -> Outcome:
    message = _claim(sms_id)
    if message is None:
        return SKIPPED
    try:
        if not is_valid_e164(message.recipient_phone):
            raise PermanentSmsError("invalid phone number", code="invalid_number")
        provider_id = get_backend().send(to=message.recipient_phone, body=message.body)
    except SmsSendError as exc:
        return _failed_attempt(message, exc)
    except Exception as exc:  # a bug or misconfiguration: keep the row retryable, report it
        logger.exception("SMS %s: unexpected error from the backend", message.pk)
        return _failed_attempt(message, TransientSmsError(repr(exc)[:300], code="error"))
    _record(
        message,
        status=SmsStatus.SENT,
        provider_id=provider_id or "",
        sent_at=timezone.now(),
        error_code="",
        error_message="",
    )
    logger.info(
        "SMS %s sent to %s (attempt %s)",
        message.pk,
        masked(message.recipient_phone),
        message.attempts,
    )
    return Outcome("sent")


def _failed_attempt(message: SmsMessage, exc: SmsSendError) -> Outcome:
    error = {"error_code": exc.code[:20], "error_message": exc.message[:1000]}
    if exc.transient and message.attempts < settings.SMS_MAX_ATTEMPTS:
        delay = retry_delay(message.attempts)
        _record(
            message,
            status=SmsStatus.QUEUED,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
            **error,
        )
        logger.warning(
            "SMS %s attempt %s failed (%s); retry in %.1fs",
            message.pk,
            message.attempts,
            exc.code,
            delay,
        )
        return Outcome("retry", retry_in=delay)
    _record(message, status=SmsStatus.FAILED, **error)
    logger.warning(
        "SMS %s failed for good after %s attempt(s) (%s)", message.pk, message.attempts, exc.code
    )
    return Outcome("failed")


# Twilio's MessageStatus values mapped onto ours; others (accepted, queued, scheduled…) say
# nothing we do not know yet and are ignored.
TWILIO_STATUS_MAP = {
    "sending": SmsStatus.SENDING,
    "sent": SmsStatus.SENT,
    "delivered": SmsStatus.DELIVERED,
    "read": SmsStatus.DELIVERED,
    "undelivered": SmsStatus.UNDELIVERED,
    "failed": SmsStatus.FAILED,
    "canceled": SmsStatus.FAILED,
}


def moves_forward(current: str, new: str) -> bool:
    """A status only ever moves forward (a late `sent` after `delivered` is ignored)."""
    return SMS_STATUS_RANK[SmsStatus(new)] > SMS_STATUS_RANK[SmsStatus(current)]


def apply_provider_status(*, provider_id: str, provider_status: str, error_code: str = "") -> bool:
    """A delivery report from the provider. Returns True when the row changed."""
    new = TWILIO_STATUS_MAP.get((provider_status or "").lower())
    if new is None or not provider_id:
        return False
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().filter(provider_id=provider_id).first()
        if message is None or not moves_forward(message.status, new):
            return False
        message.status = new
        fields = ["status", "updated_at"]
        if error_code:
            message.error_code = str(error_code)[:20]
            fields.append("error_code")
        message.save(update_fields=fields)
    return True


def stale_queued(*, older_than: timedelta | None = None, limit: int = 500) -> list[int]:
    """Ids of messages left `queued` (never enqueued, or their task was lost) and now due."""
    now = timezone.now()
    cutoff = now - (older_than or timedelta(seconds=settings.SMS_SWEEP_AFTER_SECONDS))
    grace = timedelta(seconds=settings.SMS_SWEEP_AFTER_SECONDS)
    from django.db.models import Q

    return list(
        SmsMessage.objects.filter(status=SmsStatus.QUEUED, updated_at__lt=cutoff)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=now - grace))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
