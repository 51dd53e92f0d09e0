"""What every act shares: the transition runner, the permission and password checks, the
applicant's notice, the clock."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.errors import NotAllowed, RuleRefused, WrongPassword
from core.fsm import holds_transition_permission, run_transition
from core.uploads import clean_document
from notifications.services import notify
from permits import rules
from permits.constants import PermitStatus, ReplacementReason, Service
from permits.models import ApplicationTransition, PermitApplication


def _validate_upload(file):
    """The one shared upload check (core/uploads.py): JPEG/PNG/WebP or PDF by content,
    size-limited, images re-encoded without metadata. Returns the cleaned ContentFile."""
    return clean_document(file)


def _today() -> datetime.date:
    return timezone.localdate()


def _city_code() -> str:
    return settings.CITY_CODE


def _fire(
    application: PermitApplication,
    method: str,
    *,
    user,
    before: Callable[[PermitApplication], None] | None = None,
    after: Callable[[PermitApplication], None] | None = None,
    **kwargs,
) -> PermitApplication:
    """Run one transition for ``user`` through ``core.fsm.run_transition`` (``kwargs``: the
    transition's own, ``log_extra``); a statutory rule's refusal raised inside comes out as
    ``RuleRefused``. Any refusal changes nothing."""
    try:
        return run_transition(application, method, user=user, before=before, after=after, **kwargs)
    except rules.RuleViolation as violation:
        raise RuleRefused.from_rule(violation) from violation


def _check_perm(application, method: str, user) -> None:
    """The transition's permission (role and station scope, or the filer), whatever the state:
    checked before anything else so a refusal never tells an outsider more."""
    if not holds_transition_permission(application, method, user):
        raise NotAllowed()


def _check_password(user, password) -> None:
    if not password or not user.check_password(password):
        raise WrongPassword()


def _require_filer(user, application) -> None:
    if not (user and user.is_authenticated and user.pk == application.filed_by_id):
        raise NotAllowed()


def _last_log(application) -> ApplicationTransition:
    return application.transitions.order_by("-pk").first()


def _context(application, **extra) -> dict:
    context = {
        "name": application.person.full_name,
        "reference": application.reference,
        "service": Service(application.service).label,
    }
    context.update(extra)
    return context


def _notify(application, kind, *, event_key=None, document=None, **extra) -> None:
    """``document``: the paper the act issued (issue 16); the message links to it on the
    application's page."""
    link = reverse("permits:application_detail", args=[application.pk])
    if document is not None:
        link = f"{link}#document-{document.pk}"
    notify(
        application.filed_by,
        kind,
        _context(application, **extra),
        related=application,
        event_key=event_key,
        link=link,
    )


def _station_text(station) -> str:
    return f"{station.name}, {station.address} ({station.window_hours})"


def _is_lost_card_replacement(application) -> bool:
    return (
        application.service == Service.REPLACEMENT
        and (application.answers or {}).get("reason") == ReplacementReason.LOST
    )


def _report_card_lost(application, *, user) -> None:
    """Seed 002, replacement: a lost card stops verifying once its loss is reported with the
    submitted replacement (a damaged card stays valid until the new one is produced)."""
    permit = application.permit
    if _is_lost_card_replacement(application) and permit.status != PermitStatus.LOST:
        run_transition(permit, "report_lost", user=user, on=_today(), note=application.reference)


def _restore_after_lost_report(application, *, user) -> None:
    """Seeds 002, 003: a withdrawn or refused lost-card replacement puts the permit back to its
    earlier status (rules.status_after_lost_report_withdrawn); the reported card stays invalid,
    so the holder applies again for a card."""
    permit = application.permit
    if (
        _is_lost_card_replacement(application)
        and permit is not None
        and permit.status == PermitStatus.LOST
    ):
        run_transition(
            permit, "restore_after_lost_report", user=user, on=_today(), note=application.reference
        )


def _city_region_codes() -> tuple[str, ...]:
    return tuple(getattr(settings, "CITY_REGION_CODES", ()) or ())


def _deemed_acceptance_days() -> int:
    return int(getattr(settings, "DEEMED_ACCEPTANCE_WORKING_DAYS", rules.DEEMED_ACCEPTANCE_DAYS))
