"""Daily job of the review app: audit records past ``AUDIT_RETENTION_DAYS`` are deleted (the
only way an ``AuditEvent`` is ever deleted), in batches, with a count logged."""

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.jobs import single_run

logger = logging.getLogger("portal.audit")


def delete_old_audit_events(*, now=None, batch_size: int = 5000) -> int:
    from .models import AuditEvent

    cutoff = (now or timezone.now()) - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    deleted = 0
    while True:
        pks = list(
            AuditEvent.objects.filter(at__lt=cutoff)
            .order_by("pk")
            .values_list("pk", flat=True)[:batch_size]
        )
        if not pks:
            break
        # QuerySet.delete: one DELETE per batch (AuditEvent.delete refuses single rows).
        deleted += AuditEvent.objects.filter(pk__in=pks).delete()[0]
    logger.info("event=audit_retention_deleted rows=%d", deleted)
    return deleted


@shared_task(name="review.delete_old_audit_events", ignore_result=True)
@single_run
def delete_old_audit_events_task() -> int:
    return delete_old_audit_events()
