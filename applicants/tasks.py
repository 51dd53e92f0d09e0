"""Thin Celery tasks of the applicants app: they take ids and call services."""

from celery import shared_task


@shared_task(name="applicants.run_identity_verifier", ignore_result=True)
def run_identity_verifier(identity_id: int) -> None:
    """Consult the configured automatic verifier (settings.IDENTITY_VERIFIER). Idempotent: an
    identity no longer pending is skipped."""
    from .services import run_automatic_verifier

    run_automatic_verifier(identity_id)
