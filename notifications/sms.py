"""Sending one SmsMessage through the configured backend, at most once.

``deliver()`` works in two single-statement writes around the provider call:

1. claim the row: one ``UPDATE … SET status='sending', attempts=attempts+1 WHERE id=… AND
   status='queued' RETURNING …`` (committed at once); go on only if it matched;
2. call the backend (no lock or transaction held while the network is slow);
3. record the outcome on the row, only if it is still ``sending``: one ``UPDATE`` whose commit
   does not wait for the disk on PostgreSQL (see ``_ASYNC_COMMIT``: losing it to a database
   crash leaves the row ``sending``, which the sweep reconciles without a second SMS).

A redelivered or duplicate task finds the row ``sending`` or beyond and its UPDATE matches
nothing, so no path sends two SMS for one row; concurrent claims serialise on the row lock the
UPDATE takes, and the second one re-checks ``status='queued'`` after the first commits (READ
COMMITTED), so it matches nothing. (Issue 18: the claim was a transaction of lock, save and
commit, four round trips; now it is one. Its commit waits for the disk (PostgreSQL's
``synchronous_commit``, on by default), and must: a claim lost to a crash after the provider
call would let the row be sent again.)

The task claims in batches (issue 29, ``deliver_batch``): step 1 takes the message it is for
and up to SMS_CLAIM_BATCH-1 other due queued reminders in one statement (PostgreSQL, SKIP
LOCKED; a code or a result is never a batch mate, so it never waits behind others),
so a backlog shares one durable commit; steps 2 and 3 then run for each, as above. The task of a
message already taken finds nothing to do for it (and claims the next due ones, if any); when this
worker process itself settled it as a batch mate (sent, or failed for good), its task skips the
claim's round trip altogether (``_SETTLED_HERE``: a settled row never returns to ``queued``).
A batch mate that fails transiently gets its retry task with its backoff; should its own first
task come later, that task may try it before the backoff ends (one more counted attempt, never a
second SMS).

No answer is not "not sent" (issue 14): when the create call went out and its answer did not
come back (``UncertainSmsError``: read timeout), the row goes to ``unknown``, and ``reconcile()``
asks the provider (``find_sent``: its messages to that number since the attempt, matched by
text) before anything is resent: found, the row is ``sent`` with the provider's id; not found,
it is sent again as a counted attempt. A worker killed between 1 and 3 leaves the row
``sending``; once older than SMS_SENDING_TIMEOUT_SECONDS the sweep reconciles it the same way.
"""

import dataclasses
import functools
import logging
import random
import threading
from collections import OrderedDict
from datetime import timedelta

import phonenumbers
from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from .backends import (
    PermanentSmsError,
    SmsSendError,
    TransientSmsError,
    UncertainSmsError,
    get_backend,
    masked,
)
from .constants import SMS_STATUS_RANK, SmsStatus
from .models import SmsMessage
from .quiet_hours import quiet_until

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Outcome:
    status: str  # "sent", "retry", "unknown" (reconcile next), "failed" or "skipped"
    retry_in: float | None = None


SKIPPED = Outcome("skipped")


def retry_delay(attempts: int, *, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter for the retry after ``attempts`` failed attempts:
    base * 2**(attempts-1), capped, then scaled by a random factor in [0.5, 1]."""
    base = settings.SMS_RETRY_BASE_SECONDS
    cap = settings.SMS_RETRY_MAX_SECONDS
    delay = min(cap, base * (2 ** max(attempts - 1, 0)))
    return delay * (rng or random).uniform(0.5, 1.0)


@functools.lru_cache(maxsize=4096)
def is_valid_e164(phone: str) -> bool:
    """Whether ``phone`` is a valid number in E.164 form. Memoised (a pure function of the
    text): a backlog of reminders repeats its numbers, and parsing one costs about 0.2 ms."""
    if not phone.startswith("+"):
        return False
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(phone, None))
    except phonenumbers.NumberParseException:
        return False


_CLAIM_RETURNS = ("id", "recipient_phone", "body", "attempts")


@functools.cache
def _claim_sql(vendor: str, quiet: bool = False) -> str:
    quote = connection.ops.quote_name
    meta = SmsMessage._meta
    col = {f.name: quote(f.column) for f in meta.concrete_fields}
    returning = ", ".join(col[name] for name in _CLAIM_RETURNS)
    # Names from the model's metadata only; every value is a parameter.
    return (
        f"UPDATE {quote(meta.db_table)} SET {col['status']} = %s, "  # noqa: S608
        f"{col['attempts']} = {col['attempts']} + 1, {col['next_attempt_at']} = NULL, "
        f"{col['updated_at']} = %s, {col['last_attempt_at']} = %s "
        f"WHERE {col['id']} = %s AND {col['status']} = %s "
        # during the quiet hours a reminder is not taken (issue 30)
        + (f"AND {col['quiet_hours']} = %s " if quiet else "")
        + f"RETURNING {returning}"
    )


_UNSET = object()


def _claim(sms_id: int, *, until=_UNSET) -> SmsMessage | None:
    """Step 1: mark the row `sending` and count the attempt, only if it is still queued.

    One statement (UPDATE … WHERE status='queued' RETURNING), so one round trip. The returned
    instance carries only the fields ``deliver()`` uses (id, recipient, body, attempts) and the
    new status; it is never saved.
    """
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    if until is _UNSET:  # the end of the quiet hours now, unless the caller read it already
        until = quiet_until()
    params = [SmsStatus.SENDING.value, now, now, sms_id, SmsStatus.QUEUED.value]
    with connection.cursor() as cursor:
        cursor.execute(
            _claim_sql(connection.vendor, until is not None),
            params + [False] if until is not None else params,
        )
        row = cursor.fetchone()
    if row is None:
        if until is not None:  # a reminder in the quiet hours: it waits for their end
            SmsMessage.objects.filter(pk=sms_id, status=SmsStatus.QUEUED, quiet_hours=True).update(
                next_attempt_at=until
            )
        return None
    message = SmsMessage(**dict(zip(_CLAIM_RETURNS, row, strict=True)))
    message.status = SmsStatus.SENDING
    message.next_attempt_at = None
    message._state.adding = False
    return message


@functools.cache
def _claim_batch_sql() -> str:
    """PostgreSQL: the row asked for plus up to N-1 other due queued rows, in one statement.

    The others are reminders only (``quiet_hours``: the daily jobs' backlog, where batching
    pays): a code or a result a person waits for is never a batch mate, so it never waits behind
    others' provider calls; its own task claims it first. Every row, the one asked for
    included, is taken with ``FOR UPDATE SKIP LOCKED``: a row another claim holds is left to it,
    never waited for, so two claims never wait for each other (each may hold the other's asked
    row as a batch mate: waiting was a deadlock) and never take the same row (a row is locked,
    then re-checked ``queued`` on its newest version, READ COMMITTED). A claim that fails after
    taking a row leaves it ``queued`` for the sweep.

    Its cost does not grow with the table or the backlog: the batch mates are the oldest due
    reminders in the order of the partial index ``sms_unsettled`` (status, created_at), and
    the UPDATE finds its rows by primary key (``id = ANY(...)``). Before, ``id = X OR id IN
    (... ORDER BY id ...)`` walked the primary key through every message ever sent and then
    filtered the whole backlog: 141 ms a claim with 500,000 sent messages and 10,000 queued
    reminders, against 2.3 ms now (EXPLAIN ANALYZE, the bench database)."""
    quote = connection.ops.quote_name
    meta = SmsMessage._meta
    table = quote(meta.db_table)
    col = {f.name: quote(f.column) for f in meta.concrete_fields}
    returning = ", ".join(col[name] for name in _CLAIM_RETURNS)
    # Names from the model's metadata only; every value is a parameter.
    return (
        f"UPDATE {table} SET {col['status']} = %(sending)s, "  # noqa: S608
        f"{col['attempts']} = {col['attempts']} + 1, {col['next_attempt_at']} = NULL, "
        f"{col['updated_at']} = %(now)s, {col['last_attempt_at']} = %(now)s "
        f"WHERE {col['status']} = %(queued)s AND {col['id']} = ANY("
        # the row asked for: skipped when another claim holds it (as a batch mate), so no two
        # claims ever wait for each other's rows (a deadlock); that claim sends it
        f"ARRAY(SELECT {col['id']} FROM {table} WHERE {col['id']} = %(id)s "
        f"AND {col['status']} = %(queued)s FOR UPDATE SKIP LOCKED) || "
        f"ARRAY(SELECT {col['id']} FROM {table} WHERE {col['status']} = %(queued)s "
        # batch mates are reminders only: a code or a result is never kept waiting behind
        # others' provider calls (its own task claims it first)
        f"AND {col['quiet_hours']} AND {col['id']} <> %(id)s AND ({col['next_attempt_at']} IS NULL "
        f"OR {col['next_attempt_at']} <= %(now)s) ORDER BY {col['created_at']} LIMIT %(others)s "
        f"FOR UPDATE SKIP LOCKED)) "
        f"RETURNING {returning}"
    )


def _claim_batch(sms_id: int, limit: int) -> list[SmsMessage]:
    """Step 1 for up to ``limit`` messages: ``sms_id`` (if still queued) and the oldest other due
    queued ones, in one durable statement, so a backlog shares one commit's disk flush instead of
    paying one per message (issue 29). Each row is still claimed once, as by ``_claim``.
    Elsewhere than PostgreSQL (no SKIP LOCKED), or with ``limit`` 1, it is ``_claim``."""
    until = quiet_until()
    if limit <= 1 or connection.vendor != "postgresql" or until is not None:
        # (in the quiet hours one at a time: ``_claim`` leaves a reminder for the morning)
        message = _claim(sms_id, until=until)
        return [message] if message else []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    params = {
        "sending": SmsStatus.SENDING.value,
        "queued": SmsStatus.QUEUED.value,
        "now": now,
        "id": sms_id,
        "others": limit - 1,
    }
    with connection.cursor() as cursor:
        cursor.execute(_claim_batch_sql(), params)
        rows = cursor.fetchall()
    claimed = []
    for row in sorted(rows, key=lambda r: r[0] != sms_id):  # the one asked for first
        message = SmsMessage(**dict(zip(_CLAIM_RETURNS, row, strict=True)))
        message.status = SmsStatus.SENDING
        message.next_attempt_at = None
        message._state.adding = False
        claimed.append(message)
    return claimed


@functools.cache
def _record_sql(vendor: str, names: tuple[str, ...]) -> str:
    quote = connection.ops.quote_name
    meta = SmsMessage._meta
    sets = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in names)
    # Names from the model's metadata only; every value is a parameter.
    return (
        f"UPDATE {quote(meta.db_table)} SET {sets} "  # noqa: S608
        f"WHERE {quote(meta.pk.column)} = %s AND {quote(meta.get_field('status').column)} = %s"
    )


# PostgreSQL: the outcome is committed without waiting for its WAL flush (``SET LOCAL`` in the
# same round trip: a query string of several statements runs as one implicit transaction, and the
# setting ends with it). Safe because losing the outcome never sends a second SMS: a database crash
# in the next few hundred milliseconds can only leave the row ``sending`` (the claim itself is
# flushed before the provider is called), and the sweep reconciles it by asking the provider first.
# The next claim's flush writes this outcome to disk too (the WAL is one sequence).
_ASYNC_COMMIT = "SET LOCAL synchronous_commit TO OFF; "


def _record(message: SmsMessage, **fields) -> None:
    """Step 3: write the outcome, only over `sending` (a webhook may have moved it on).

    One statement with its SQL built once per set of fields (no queryset to compile per message),
    committed without waiting for the disk on PostgreSQL when not inside a caller's transaction."""
    fields["updated_at"] = timezone.now()
    names = tuple(sorted(fields))
    meta = SmsMessage._meta
    params = [meta.get_field(name).get_db_prep_save(fields[name], connection) for name in names]
    sql = _record_sql(connection.vendor, names)
    if connection.vendor == "postgresql" and connection.get_autocommit():
        sql = _ASYNC_COMMIT + sql
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, message.pk, SmsStatus.SENDING.value])


def deliver(sms_id: int) -> Outcome:
    message = _claim(sms_id)
    if message is None:
        return SKIPPED
    return _send(message)


# Batch mates this process claimed and settled (sent, or failed for good), by id: each one's own
# task comes after and would claim nothing (a settled row never returns to ``queued``: only
# ``sending`` rows are re-queued, by a retry or in the quiet hours), so it skips the claim's
# round trip (issue 29). Only what this process did; bounded (the oldest are forgotten, and
# their tasks claim as before).
_SETTLED_HERE: OrderedDict[int, None] = OrderedDict()
_SETTLED_LIMIT = 10_000
_SETTLED_LOCK = threading.Lock()
_FINAL = frozenset({"sent", "failed"})


def _remember_settled(ids) -> None:
    with _SETTLED_LOCK:
        for sms_id in ids:
            _SETTLED_HERE[sms_id] = None
        while len(_SETTLED_HERE) > _SETTLED_LIMIT:
            _SETTLED_HERE.popitem(last=False)


def _settled_here(sms_id: int) -> bool:
    """Whether this process settled ``sms_id`` as a batch mate (forgotten once asked: its own
    task comes once)."""
    with _SETTLED_LOCK:
        return _SETTLED_HERE.pop(sms_id, False) is None


def forget_settled() -> None:
    """Forget the batch mates settled here (tests: ids are reused after a rollback)."""
    with _SETTLED_LOCK:
        _SETTLED_HERE.clear()


def deliver_batch(sms_id: int, *, limit: int | None = None) -> list[tuple[int, Outcome]]:
    """``deliver`` for ``sms_id`` and, in the same claim, up to ``limit``-1 other due queued
    messages (SMS_CLAIM_BATCH): each sent once and its outcome recorded on its own row.
    Returns (id, outcome) for every message claimed; ``sms_id`` first when it was.

    The batch's ``sent`` outcomes are written together at its end, in one statement on
    PostgreSQL (committed without waiting for the disk, as ``_record``): a crash before it leaves
    those rows ``sending``, which the sweep reconciles by asking the provider, never by a resend.
    Other outcomes (retry, unknown, failed) are written at once, as by ``deliver``."""
    if _settled_here(sms_id):  # claimed and settled here as a batch mate: nothing to claim
        return []
    limit = settings.SMS_CLAIM_BATCH if limit is None else limit
    claimed = _claim_batch(sms_id, limit)
    if len(claimed) <= 1:
        return [(message.pk, _send(message)) for message in claimed]
    sent: list[tuple[SmsMessage, str]] = []
    outcomes = [(message.pk, _send(message, sent=sent)) for message in claimed]
    _record_sent(sent)
    _remember_settled(pk for pk, outcome in outcomes if pk != sms_id and outcome.status in _FINAL)
    return outcomes


def _record_sent(sent: list[tuple[SmsMessage, str]]) -> None:
    """The ``sent`` outcomes of a batch, only over rows still ``sending``."""
    if not sent:
        return
    if connection.vendor != "postgresql":
        for message, provider_id in sent:
            _sent(message, provider_id, how="sent")
        return
    quote = connection.ops.quote_name
    meta = SmsMessage._meta
    col = {f.name: quote(f.column) for f in meta.concrete_fields}
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    values = ", ".join(["(%s::bigint, %s)"] * len(sent))
    sql = (
        f"UPDATE {quote(meta.db_table)} AS m SET {col['status']} = %s, "  # noqa: S608
        f"{col['provider_id']} = v.provider_id, {col['sent_at']} = %s, "
        f"{col['updated_at']} = %s, {col['error_code']} = '', {col['error_message']} = '' "
        f"FROM (VALUES {values}) AS v(id, provider_id) "
        f"WHERE m.{col['id']} = v.id AND m.{col['status']} = %s"
    )
    params = [SmsStatus.SENT.value, now, now]
    for message, provider_id in sent:
        params += [message.pk, provider_id or ""]
    params.append(SmsStatus.SENDING.value)
    if connection.get_autocommit():
        sql = _ASYNC_COMMIT + sql
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    for message, _provider_id in sent:
        logger.info(
            "SMS %s sent to %s (attempt %s)",
            message.pk,
            masked(message.recipient_phone),
            message.attempts,
        )


def _send(message: SmsMessage, *, sent: list | None = None) -> Outcome:
    """Steps 2 and 3 for a row this worker holds in ``sending`` (its attempt counted). With
    ``sent``, a success is appended there for the caller to record (``_record_sent``)."""
    try:
        if not is_valid_e164(message.recipient_phone):
            raise PermanentSmsError("invalid phone number", code="invalid_number")
        provider_id = get_backend().send(to=message.recipient_phone, body=message.body)
    except UncertainSmsError as exc:
        return _unknown(message, exc)
    except SmsSendError as exc:
        return _failed_attempt(message, exc)
    except Exception as exc:  # a bug or misconfiguration: keep the row retryable, report it
        logger.exception("SMS %s: unexpected error from the backend", message.pk)
        return _failed_attempt(message, TransientSmsError(repr(exc)[:300], code="error"))
    if sent is not None:
        sent.append((message, provider_id))
    else:
        _sent(message, provider_id, how="sent")
    return Outcome("sent")


def _sent(message: SmsMessage, provider_id: str, *, how: str) -> None:
    _record(
        message,
        status=SmsStatus.SENT,
        provider_id=provider_id or "",
        sent_at=timezone.now(),
        error_code="",
        error_message="",
    )
    logger.info(
        "SMS %s %s to %s (attempt %s)",
        message.pk,
        how,
        masked(message.recipient_phone),
        message.attempts,
    )


def _unknown(message: SmsMessage, exc: SmsSendError) -> Outcome:
    """The provider may have the message: ask it (``reconcile``) after a pause, never resend."""
    delay = retry_delay(message.attempts)
    _record(
        message,
        status=SmsStatus.UNKNOWN,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        error_code=exc.code[:20],
        error_message=exc.message[:1000],
    )
    logger.warning(
        "SMS %s attempt %s got no answer (%s); asking the provider in %.1fs",
        message.pk,
        message.attempts,
        exc.code,
        delay,
    )
    return Outcome("unknown", retry_in=delay)


def _reconcilable():
    """Rows to ask the provider about: ``unknown``, or ``sending`` for longer than
    SMS_SENDING_TIMEOUT_SECONDS (the worker holding them is gone)."""
    from django.db.models import Q

    cutoff = timezone.now() - timedelta(seconds=settings.SMS_SENDING_TIMEOUT_SECONDS)
    return Q(status=SmsStatus.UNKNOWN) | Q(status=SmsStatus.SENDING) & (
        Q(last_attempt_at__lt=cutoff) | Q(last_attempt_at__isnull=True, updated_at__lt=cutoff)
    )


def reconcile(sms_id: int) -> Outcome:
    """Settle a row whose last attempt has no known outcome, without a second SMS.

    The row is taken (``sending`` again, under its row lock, so two reconcilers never both act),
    then the provider is asked for a message with its text to its number since the attempt:
    found, the row is ``sent`` with that id; not found, the message never reached the provider and
    is sent again as a new counted attempt (or ``failed`` once SMS_MAX_ATTEMPTS are used); the
    provider not answering leaves the row ``unknown`` for the next try (the sweep)."""
    now = timezone.now()
    with transaction.atomic():
        message = (
            SmsMessage.objects.select_for_update()
            .filter(_reconcilable(), pk=sms_id)
            .only(
                "id",
                "recipient_phone",
                "body",
                "attempts",
                "last_attempt_at",
                "updated_at",
                "quiet_hours",
            )
            .first()
        )
        if message is None:
            return SKIPPED
        since = message.last_attempt_at or message.updated_at
        SmsMessage.objects.filter(pk=message.pk).update(
            status=SmsStatus.SENDING, next_attempt_at=None, updated_at=now
        )
    message.status = SmsStatus.SENDING
    try:
        provider_id = get_backend().find_sent(
            to=message.recipient_phone, body=message.body, since=since
        )
    except SmsSendError as exc:
        return _unknown(message, exc)
    if provider_id:
        _sent(message, provider_id, how="found at the provider (not resent)")
        return Outcome("sent")
    if message.attempts >= settings.SMS_MAX_ATTEMPTS:
        return _failed_attempt(
            message, PermanentSmsError("not at the provider after the last attempt", code="lost")
        )
    until = quiet_until() if message.quiet_hours else None
    if until is not None:
        # Not at the provider, and a reminder in the quiet hours (issue 30): it waits, queued,
        # for their end (the sweep sends it then), as ``_claim`` would leave it.
        SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.SENDING).update(
            status=SmsStatus.QUEUED, next_attempt_at=until, updated_at=timezone.now()
        )
        logger.info(
            "SMS %s not found at the provider; it waits for the quiet hours' end", message.pk
        )
        return SKIPPED
    # Not at the provider: a new attempt, counted, from `sending` (this worker holds the row).
    counted = SmsMessage.objects.filter(pk=message.pk, status=SmsStatus.SENDING).update(
        attempts=F("attempts") + 1, last_attempt_at=timezone.now(), updated_at=timezone.now()
    )
    if not counted:
        return SKIPPED
    message.attempts += 1
    logger.info("SMS %s not found at the provider; sending it again", message.pk)
    return _send(message)


def stale_unsettled(*, limit: int = 500) -> list[int]:
    """Ids of messages to reconcile: ``unknown`` and due, or left ``sending`` too long."""
    from django.db.models import Q

    now = timezone.now()
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=now)
    return list(
        SmsMessage.objects.filter(_reconcilable())
        .filter(due | Q(status=SmsStatus.SENDING))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


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
