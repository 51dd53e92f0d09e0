"""Thin Celery tasks: they take ids and call notifications.sms."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="notifications.send_sms", max_retries=None, ignore_result=True)
def send_sms(self, sms_id: int) -> str:
    """Send one SmsMessage at most once; transient failures come back here after a backoff.

    The number of attempts is bounded by SMS_MAX_ATTEMPTS, counted on the row (not by Celery),
    so a lost retry is picked up by the sweep and still counts.
    """
    from .sms import SKIPPED, deliver_batch

    # The claim also takes up to SMS_CLAIM_BATCH-1 other due reminders (a backlog shares one
    # durable claim); their own tasks then find them taken and skip. Every message is sent before
    # this one's follow-up, which may raise Celery's Retry.
    own = SKIPPED
    for message_id, outcome in deliver_batch(sms_id):
        if message_id == sms_id:
            own = outcome
        else:
            follow_up(self, message_id, outcome, own=False)
    return follow_up(self, sms_id, own, own=True)


def follow_up(task, sms_id: int, outcome, *, own: bool) -> str:
    """After an attempt: a transient failure is tried again after its backoff (the task's own
    retry for its own message; a new task for a message it claimed in the batch), no answer is
    reconciled before any resend. In-process (no broker) both happen at once."""
    from .sms import deliver, reconcile

    while True:
        if outcome.status == "retry":
            if not task.request.is_eager:
                if own:
                    raise task.retry(countdown=outcome.retry_in)
                send_sms.apply_async(
                    (sms_id,), countdown=outcome.retry_in, **same_queue(task.request)
                )
                return outcome.status
            # Run in-process (no broker: `make run`, unit tests): try again at once, still
            # bounded by SMS_MAX_ATTEMPTS on the row.
            outcome = deliver(sms_id)
        elif outcome.status == "unknown":  # no answer: ask the provider before any resend
            if not task.request.is_eager:
                reconcile_sms.apply_async(
                    (sms_id,), countdown=outcome.retry_in, **same_queue(task.request)
                )
                return outcome.status
            outcome = reconcile(sms_id)
        else:
            return outcome.status


def same_queue(request) -> dict:
    """Follow-up work goes where this task came from (the `sms` queue as routed; a test's own
    queue in the services suite)."""
    queue = (getattr(request, "delivery_info", None) or {}).get("routing_key")
    return {"queue": queue} if queue else {}


@shared_task(bind=True, name="notifications.reconcile_sms", ignore_result=True)
def reconcile_sms(self, sms_id: int) -> str:
    """Settle an `unknown` SMS (or one left `sending` by a killed worker): ask the provider,
    and only if it does not have the message send it again (``notifications.sms.reconcile``).
    A provider that cannot be asked now leaves the row `unknown` for the sweep."""
    from .sms import reconcile

    outcome = reconcile(sms_id)
    if outcome.status == "retry":  # resent and failed transiently: the usual retry path
        send_sms.apply_async((sms_id,), countdown=outcome.retry_in, **same_queue(self.request))
    return outcome.status


@shared_task(name="notifications.sweep_queued_sms", ignore_result=True)
def sweep_queued_sms() -> int:
    """Re-enqueue messages stuck in `queued` (e.g. Redis was down when the request committed),
    and reconcile those `unknown` or left `sending` (see ``reconcile_sms``).

    Safe to run any time: a message already sent or being sent is skipped by the send task.
    """
    from django.db.models.functions import Now

    from .constants import SmsStatus
    from .models import SmsMessage
    from .sms import stale_queued, stale_unsettled

    enqueued = []
    for sms_id in stale_unsettled():  # no answer, or a worker killed mid-send: ask first
        try:
            reconcile_sms.delay(sms_id)
        except Exception:
            logger.warning("Sweep could not enqueue the reconciliation of SMS %s", sms_id)
            break
    for sms_id in stale_queued():
        try:
            send_sms.delay(sms_id)
        except Exception:  # broker still down: the next sweep tries again
            logger.warning("Sweep could not enqueue SMS %s; will try again", sms_id)
            break
        enqueued.append(sms_id)
    # Touched, so the next sweep leaves them to the tasks just enqueued for another while.
    SmsMessage.objects.filter(pk__in=enqueued, status=SmsStatus.QUEUED).update(updated_at=Now())
    if enqueued:
        logger.info("Sweep re-enqueued %s queued SMS", len(enqueued))
    return len(enqueued)
