"""Thin Celery tasks of the applicants app: they take ids and call services."""

import logging

from celery import shared_task
from django.dispatch import receiver
from kombu.exceptions import OperationalError

from .services import (
    deliver_phone_code,
    identity_submitted,
    phone_code_requested,
    run_automatic_verifier,
)

logger = logging.getLogger(__name__)


@shared_task(name="applicants.run_identity_verifier", ignore_result=True)
def run_identity_verifier(identity_id: int) -> None:
    """Consult the configured automatic verifier (settings.IDENTITY_VERIFIER). Idempotent: an
    identity no longer pending is skipped."""
    run_automatic_verifier(identity_id)


@receiver(identity_submitted, dispatch_uid="applicants_queue_identity_verifier")
def queue_identity_verifier(sender, identity_id: int, **kwargs) -> None:
    run_identity_verifier.delay(identity_id)


@shared_task(name="applicants.deliver_phone_code", ignore_result=True)
def deliver_phone_code_task(phone: str, purpose: str, language: str, request_id: str) -> None:
    """Issue 14: the SMS work of a code request, for registered and unknown numbers alike, so
    the request itself does the same work (and takes the same time) for both. Idempotent per
    request id."""
    deliver_phone_code(phone=phone, purpose=purpose, language=language, request_id=request_id)


@receiver(phone_code_requested, dispatch_uid="applicants_queue_phone_code")
def queue_phone_code(sender, phone, purpose, language, request_id, **kwargs) -> None:
    arguments = {"phone": phone, "purpose": purpose, "language": language}
    try:
        deliver_phone_code_task.delay(**arguments, request_id=request_id)
    except OperationalError:  # broker down: do the work now rather than lose the code
        logger.warning("Phone code task not enqueued (broker unavailable); delivered in-process")
        deliver_phone_code(**arguments, request_id=request_id)
