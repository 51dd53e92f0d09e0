"""Thin Celery tasks of the applicants app: they take ids and call services."""

from celery import shared_task
from django.dispatch import receiver

from .services import identity_submitted, run_automatic_verifier


@shared_task(name="applicants.run_identity_verifier", ignore_result=True)
def run_identity_verifier(identity_id: int) -> None:
    """Consult the configured automatic verifier (settings.IDENTITY_VERIFIER). Idempotent: an
    identity no longer pending is skipped."""
    run_automatic_verifier(identity_id)


@receiver(identity_submitted, dispatch_uid="applicants_queue_identity_verifier")
def queue_identity_verifier(sender, identity_id: int, **kwargs) -> None:
    run_identity_verifier.delay(identity_id)
