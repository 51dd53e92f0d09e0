"""The one channel every result takes to the applicant: "My Affairs" inbox + SMS (seed 002 ③).

``notify()`` runs in the caller's transaction; the SMS is enqueued only once that transaction
commits. The event key makes a second call for the same event a no-op.
"""

import logging

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.template import Context
from django.utils import timezone, translation

from core import page_cache

from . import channels
from .constants import SENT_AT_ANY_HOUR, NotificationKind
from .models import Notification, SmsMessage
from .quiet_hours import quiet_until
from .selectors import forget_unread_count
from .texts import text_engine, tidy

logger = logging.getLogger(__name__)


def default_event_key(*, user, kind: str, related=None) -> str:
    if related is None:
        return f"{kind}:user:{user.pk}"
    return f"{kind}:{related._meta.label_lower}:{related.pk}:user:{user.pk}"


def signed(text: str) -> str:
    """Every SMS starts with the sender's signature in 【】 (carriers require it in China), the
    one set by ``SMS_SIGNATURE``."""
    signature = settings.SMS_SIGNATURE.strip().strip("【】")
    if not signature or text.startswith(f"【{signature}】"):
        return text
    return f"【{signature}】{text}"


def render_message(*, kind: str, context: dict, language: str) -> tuple[str, str, str]:
    """Title, inbox body and SMS text for ``kind`` in ``language``.

    Templates: notifications/templates/notifications/kinds/<kind>/{title,body,sms}.txt; the
    context variables each kind uses are listed at the top of its body.txt.
    """
    engine = text_engine()
    if isinstance(context.get("items"), str):  # one missing item given as a plain string
        context = {**context, "items": [context["items"]]}
    base = f"notifications/kinds/{kind}"
    with translation.override(language):
        ctx = Context(context, autoescape=False)
        title = engine.get_template(f"{base}/title.txt").render(ctx)
        body = engine.get_template(f"{base}/body.txt").render(ctx)
        sms = engine.get_template(f"{base}/sms.txt").render(ctx)
    return (
        tidy(title, single_line=True),
        tidy(body, single_line=False),
        tidy(sms, single_line=True),
    )


def notify(
    user,
    kind: str,
    context: dict | None = None,
    *,
    related=None,
    event_key: str | None = None,
    link: str = "",
    sms: bool = True,
    at_any_hour: bool | None = None,
) -> Notification:
    """Create the inbox entry and the SMS row for one event; send the SMS after commit.

    ``event_key`` names the event (default: kind + related object + user). Calling again with
    the same key returns the existing notification and sends nothing.

    ``at_any_hour``: whether the SMS may leave during the quiet hours (default: by its kind,
    ``SENT_AT_ANY_HOUR``); a reminder made during them waits, queued, until they end.
    """
    kind = NotificationKind(kind)
    if link and (not link.startswith("/") or link.startswith("//")):
        raise ValueError("link must be a path inside the portal, e.g. /applications/12/")
    key = event_key or default_event_key(user=user, kind=kind, related=related)
    existing = Notification.objects.filter(event_key=key).first()
    if existing is not None:
        return existing

    title, body, sms_text = render_message(
        kind=kind, context=dict(context or {}), language=user.language
    )
    # Another channel carries only what would go by SMS (``sms=False``: the inbox alone).
    routes = [(channel, channel.route(user)) for channel in channels.registered() if sms]
    taken = [(channel, sms_too) for channel, (by_channel, sms_too) in routes if by_channel]
    if taken and not any(sms_too for _channel, sms_too in taken):
        sms = False
    if at_any_hour is None:
        at_any_hour = kind in SENT_AT_ANY_HOUR
    related_fields = {}
    if related is not None:
        related_fields = {
            "related_type": ContentType.objects.get_for_model(related),
            "related_id": related.pk,
        }
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=user,
                kind=kind,
                event_key=key,
                title=title,
                body=body,
                link=link,
                **related_fields,
            )
            message = None
            if sms and user.phone:
                message = SmsMessage.objects.create(
                    recipient_phone=user.phone,
                    body=signed(sms_text),
                    idempotency_key=f"notification:{notification.pk}",
                    notification=notification,
                    quiet_hours=not at_any_hour,
                    # waits for the morning (the sweep sends it then) rather than being refused
                    next_attempt_at=None if at_any_hour else quiet_until(),
                )
            rows = [
                (
                    channel,
                    # the SMS a refusing channel sends instead keeps this event's hour
                    channel.create(
                        notification, sms_text=signed(sms_text), at_any_hour=at_any_hour
                    ),
                )
                for channel, _sms_too in taken
            ]
    except IntegrityError:
        # A concurrent call for the same event won the race: that one is the event.
        return Notification.objects.get(event_key=key)
    if message is not None and message.next_attempt_at is None:
        enqueue_sms(message.pk)
    for channel, pk in rows:
        if pk is not None:
            transaction.on_commit(lambda channel=channel, pk=pk: channel.enqueue(pk))
    return notification


def send_notification_sms(
    notification: Notification, *, text: str, at_any_hour: bool | None = None
) -> SmsMessage | None:
    """The event's SMS when another channel could not carry it (issue 26): the same idempotency
    key as ``notify()``'s own SMS, so it exists at most once whoever asks, however often.
    ``at_any_hour``: as ``notify()`` was told for the event (None: by its kind)."""
    phone = notification.recipient.phone
    if not phone:
        return None
    # A reminder keeps the quiet hours by SMS too (issue 30): it waits for the morning.
    if at_any_hour is None:
        at_any_hour = notification.kind in SENT_AT_ANY_HOUR
    message, created = SmsMessage.objects.get_or_create(
        idempotency_key=f"notification:{notification.pk}",
        defaults={
            "recipient_phone": phone,
            "body": signed(text),
            "notification": notification,
            "quiet_hours": not at_any_hour,
            "next_attempt_at": None if at_any_hour else quiet_until(),
        },
    )
    if created and message.next_attempt_at is None:
        enqueue_sms(message.pk)
    return message


def send_direct_sms(*, phone: str, text: str, idempotency_key: str) -> SmsMessage:
    """An SMS without an inbox entry (phone codes go to a number that may have no account)."""
    message, created = SmsMessage.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={"recipient_phone": phone, "body": signed(text)},
    )
    if created:
        enqueue_sms(message.pk)
    return message


def enqueue_sms(sms_id: int) -> None:
    """Enqueue the send once the current transaction commits; never raise into the request."""
    from .tasks import send_sms

    def _publish():
        try:
            send_sms.delay(sms_id)
        except Exception:  # broker down: the row stays queued and the sweep sends it later
            logger.warning("SMS %s not enqueued (broker unavailable); sweep will retry", sms_id)

    transaction.on_commit(_publish)


def mark_read(*, user, notification: Notification) -> None:
    """Mark one of ``user``'s notifications read (the first time it is opened)."""
    if notification.recipient_id != user.pk or notification.read_at is not None:
        return
    now = timezone.now()
    with transaction.atomic():
        marked = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=now
        )
        if marked:
            page_cache.bump([user.pk])  # an UPDATE sends no post_save: the pages show it read
    notification.read_at = now
    forget_unread_count(user.pk)


def mark_all_read(*, user) -> int:
    with transaction.atomic():
        marked = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
            read_at=timezone.now()
        )
        if marked:
            page_cache.bump([user.pk])
    forget_unread_count(user.pk)
    return marked


def delete_old_records(*, now=None, batch_size: int = 5000) -> dict[str, int]:
    """The retention job's purge of the two tables that grow with every case (issue 28): SMS
    records settled more than ``SMS_RETENTION_DAYS`` ago (never one still queued, sending or
    unknown) and My Affairs entries older than ``NOTIFICATION_RETENTION_DAYS``. In batches by
    primary key (one DELETE each), found through the BRIN index on created_at (PostgreSQL), so
    the tables and their indexes stay the size of the retention period. Returns and logs the
    counts."""
    from datetime import timedelta

    from .constants import UNSETTLED_STATUSES

    now = now or timezone.now()
    kinds = {
        "sms": SmsMessage.objects.exclude(status__in=UNSETTLED_STATUSES).filter(
            created_at__lt=now - timedelta(days=settings.SMS_RETENTION_DAYS)
        ),
        "notifications": Notification.objects.filter(
            created_at__lt=now - timedelta(days=settings.NOTIFICATION_RETENTION_DAYS)
        ),
    }
    deleted = {}
    for kind, due in kinds.items():
        count = 0
        while True:
            pks = list(due.order_by().values_list("pk", flat=True)[:batch_size])
            if not pks:
                break
            # the watched rows' page bumps (My Affairs lists them) as one UPDATE per batch
            with transaction.atomic(), page_cache.collected():
                deleted_rows = due.model.objects.filter(pk__in=pks).delete()[1]
            count += deleted_rows.get(due.model._meta.label, 0)
        deleted[kind] = count
        logger.info("event=retention_purged kind=%s rows=%d", kind, count)
    return deleted
