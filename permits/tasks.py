"""Daily jobs of the permits app (Celery beat entries in config/celery.py). Thin: they call
``permits.services.permits`` (and its reads in ``permits.selectors.permits``) and are
idempotent (safe to run twice, or to be redelivered)."""

from celery import shared_task

from core import clock
from core.jobs import single_run


@shared_task(name="permits.suspend_overdue_permits", ignore_result=True)
@single_run
def suspend_overdue_permits() -> int:
    """Suspend every active permit past ``valid_until`` (one set-based UPDATE), then notify the
    holders of every permit suspended today, in chunks (each notice once, by event key)."""

    from .selectors.permits import suspended_permit_ids
    from .services.permits import NOTIFY_CHUNK, suspend_overdue_permits

    today = clock.today()
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
@single_run
def send_endorsement_reminders() -> int:
    """Remind holders on the day the renewal window opens and 7 days before ``valid_until``
    (each reminder once): one query finds them, chunks of notices go to their own tasks."""

    from .selectors.permits import endorsement_reminders_due
    from .services.permits import NOTIFY_CHUNK

    today = clock.today()
    due = endorsement_reminders_due(today=today)
    for start in range(0, len(due), NOTIFY_CHUNK):
        notify_endorsement_due.delay(due[start : start + NOTIFY_CHUNK], today.isoformat())
    return len(due)


@shared_task(name="permits.notify_endorsement_due", ignore_result=True)
def notify_endorsement_due(reminders: list, today: str) -> int:
    import datetime

    from .services.permits import notify_endorsement_due as notify_due

    return notify_due(
        reminders=[(pk, which) for pk, which in reminders],
        today=datetime.date.fromisoformat(today),
    )


@shared_task(name="permits.deem_submissions_accepted", ignore_result=True)
@single_run
def deem_submissions_accepted() -> int:
    """Administrative Licensing Law Art. 32: submissions neither accepted nor answered within
    ``DEEMED_ACCEPTANCE_WORKING_DAYS`` working days count as accepted (one set-based UPDATE);
    the applicants are then told in chunks (each notice once, by event key)."""

    from .selectors.permits import deemed_accepted_ids
    from .services.permits import NOTIFY_CHUNK, deem_overdue_submissions_accepted

    today = clock.today()
    count = deem_overdue_submissions_accepted(today=today)
    ids = deemed_accepted_ids(on=today)
    for start in range(0, len(ids), NOTIFY_CHUNK):
        notify_deemed_accepted.delay(ids[start : start + NOTIFY_CHUNK])
    return count


@shared_task(name="permits.notify_deemed_accepted", ignore_result=True)
def notify_deemed_accepted(application_ids: list[int]) -> int:
    from .services.permits import notify_deemed_accepted as notify_accepted

    return notify_accepted(application_ids=application_ids)


@shared_task(name="permits.delete_expired_files", ignore_result=True)
@single_run
def delete_expired_files() -> dict:
    """Delete ID photos, materials and proofs past their retention period (in batches); purge
    old SMS records and My Affairs entries (notifications.services.delete_old_records)."""
    from notifications.services import delete_old_records

    from .services.retention import delete_expired_files as delete

    totals = delete()
    totals["purged"] = delete_old_records()
    return totals


# A side effect run after the act committed: any failure retried with backoff and jitter, up to
# 8 times (the act is never undone by it).
RETRIED_AFTER_COMMIT = {
    "autoretry_for": (Exception,),
    "retry_backoff": 5,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 8,
}


@shared_task(
    name="permits.render_document",
    ignore_result=True,
    **RETRIED_AFTER_COMMIT,
)
def render_document(document_id: int) -> None:
    """Render and store a document's PDF after the act that issued it committed (issue 16).
    Idempotent (a rendered document is left alone); retried with backoff on any failure. The
    decision is already committed: a render that keeps failing loses nothing (the download
    renders it again)."""
    from .services.rendering import render_and_store

    render_and_store(document_id=document_id)


@shared_task(name="permits.send_uncollected_card_reminders", ignore_result=True)
@single_run
def send_uncollected_card_reminders() -> int:
    """Cards produced 7 and 30 days ago and not collected (each reminder once)."""
    from .services.reminders import send_uncollected_card_reminders as send

    return send()


@shared_task(name="permits.send_change_due_reminders", ignore_result=True)
@single_run
def send_change_due_reminders() -> int:
    """Holders who moved: 7 days before the change application is due (once)."""
    from .services.reminders import send_change_due_reminders as send

    return send()


@shared_task(name="permits.send_turned_16_notices", ignore_result=True)
@single_run
def send_turned_16_notices() -> int:
    """Agents of minors who turn 16 today (once)."""
    from .services.reminders import send_turned_16_notices as send

    return send()


@shared_task(name="permits.send_appointment_reminders", ignore_result=True)
@single_run
def send_appointment_reminders() -> int:
    """Pickup appointments tomorrow: one reminder SMS each."""
    from .services.appointments import send_appointment_reminders as send

    return send()


@shared_task(
    name="permits.mark_photo_receipt_used",
    ignore_result=True,
    **RETRIED_AFTER_COMMIT,
)
def mark_photo_receipt_used(number: str) -> None:
    """Tell the studio service a receipt number was used (issue 31, point 3), after the portal's
    own record committed: idempotent for the studio, retried with backoff. The portal refuses a
    second use on its own record whatever the studio answers."""
    from .photo_receipts import get_backend

    get_backend().mark_used(number)
