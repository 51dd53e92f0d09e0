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
    from .sms import deliver

    while True:
        outcome = deliver(sms_id)
        if outcome.status != "retry":
            return outcome.status
        if not self.request.is_eager:
            raise self.retry(countdown=outcome.retry_in)
        # Run in-process (no broker: `make run`, unit tests): try again at once, still bounded
        # by SMS_MAX_ATTEMPTS on the row.


@shared_task(name="notifications.sweep_queued_sms", ignore_result=True)
def sweep_queued_sms() -> int:
    """Re-enqueue messages stuck in `queued` (e.g. Redis was down when the request committed).

    Safe to run any time: a message already sent or being sent is skipped by the send task.
    """
    from django.db.models.functions import Now

    from .constants import SmsStatus
    from .models import SmsMessage
    from .sms import stale_queued

    enqueued = []
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
