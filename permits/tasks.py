"""Daily jobs of the permits app (Celery beat entries in config/celery.py). Thin: they call
``permits.services.permits`` and are idempotent (safe to run twice, or to be redelivered)."""

from celery import shared_task


@shared_task(name="permits.suspend_overdue_permits", ignore_result=True)
def suspend_overdue_permits() -> int:
    """Suspend every active permit past ``valid_until`` (one set-based UPDATE), then notify the
    holders of every permit suspended today, in chunks (each notice once, by event key)."""
    from django.utils import timezone

    from .services.permits import NOTIFY_CHUNK, suspend_overdue_permits, suspended_permit_ids

    today = timezone.localdate()
    count = suspend_overdue_permits(today=today)
    ids = suspended_permit_ids(on=today)
    for start in range(0, len(ids), NOTIFY_CHUNK):
        notify_suspended_holders.delay(ids[start : start + NOTIFY_CHUNK])
    return count


@shared_task(name="permits.notify_suspended_holders", ignore_result=True)
def notify_suspended_holders(permit_ids: list[int]) -> int:
    from .services.permits import notify_suspended_holders as notify_holders

    return notify_holders(permit_ids=permit_ids)


@shared_task(name="permits.send_endorsement_reminders", ignore_result=True)
def send_endorsement_reminders() -> int:
    """Remind holders 30 and 7 days before ``valid_until`` (each reminder once)."""
    from .services.permits import send_endorsement_reminders as send

    return send()
