"""Issuing the papers a station signs (issue 16): a document row in the deciding act's own
transaction, its PDF rendered after commit.

- ``issue_for_application(application, kind, by=, event_key=, **facts)``: called by the services
  that decide (accept, the one-time notice, reject, the handover) inside their transaction. The
  number is taken from a counter row locked in that transaction (dense per station and year:
  a rolled-back act gives its number back). The same ``(kind, event_key)`` twice returns the
  first row: a retried act never issues a second paper.
- ``issue_residence_certificate(user=, permit=, language=)``: on demand, for a holder with a
  usable permit; one per permit, language and day (asking twice gives the same paper).
- After commit a task (``permits.tasks.render_document``, retried with backoff) renders and
  stores the PDF; the download renders it itself if the task has not yet succeeded, so a failed
  render never loses a decision or a paper.
"""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import NotAllowed, NotEligible
from permits import rules
from permits.constants import (
    ApplicationState,
    DocumentKind,
    PermitStatus,
)
from permits.models import Counter, Document

logger = logging.getLogger(__name__)

__all__ = [
    "issue_for_application",
    "issue_residence_certificate",
]


def _language(value: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return value if value in codes else settings.LANGUAGE_CODE


def _next_number(station, year: int) -> tuple[int, str]:
    """The next serial of ``station`` in ``year`` (the counter row is locked until commit)."""
    serial = Counter.next_value(f"document:{station.pk}:{year}")
    return serial, f"{station.code.upper()}-{year}-{serial:06d}"


def _station_facts(station) -> dict:
    return {
        "station_name": station.name,
        "station_address": station.address,
        "station_phone": station.phone,
        "authority": settings.ISSUING_AUTHORITY,
    }


def _create(*, kind, station, holder, by, event_key, language, payload, **fields) -> Document:
    existing = Document.objects.filter(kind=kind, event_key=event_key).first()
    if existing is not None:
        return existing
    now = timezone.now()
    year = timezone.localdate(now).year
    serial, number = _next_number(station, year)
    document = Document.objects.create(
        kind=kind,
        station=station,
        holder=holder,
        year=year,
        serial=serial,
        number=number,
        event_key=event_key,
        issued_at=now,
        issued_by=by if getattr(by, "pk", None) else None,
        language=_language(language),
        payload={**_station_facts(station), **payload},
        **fields,
    )
    transaction.on_commit(partial(_enqueue_render, document.pk), robust=True)
    return document


def _enqueue_render(document_id: int) -> None:
    """After commit: the decision is kept whatever happens here (a broker down, or in eager mode
    a render that failed every retry): the download renders a paper that has no PDF yet."""
    from permits.tasks import render_document

    try:
        render_document.delay(document_id)
    except Exception:
        logger.exception(
            "Document %s: render not done now; the download will render it", document_id
        )


# --- the notices of a case -----------------------------------------------------------------------


def _case_facts(application) -> dict:
    person = application.person
    return {
        "reference": application.reference or "",
        "service": application.service,
        "name": person.full_name,
        "id_number_masked": person.masked_id_number,
        "submitted_on": _date(application.submitted_at),
    }


def _date(moment) -> str:
    return timezone.localdate(moment).isoformat() if moment else ""


def _acceptance_facts(application) -> dict:
    mode = rules.configured_day_mode()
    accepted_on = timezone.localdate(application.accepted_at or timezone.now())
    deadline = application.deadline or rules.decision_deadline(accepted_on, mode=mode)
    return {
        "accepted_on": accepted_on.isoformat(),
        "decision_days": rules.DECISION_DAYS,
        "day_mode": str(mode),
        "deadline": deadline.isoformat(),
    }


def _supplement_facts(application, note: str) -> dict:
    requirements = {r.code: r for r in application.requirements()}
    items = []
    for item in application.flagged_items or []:
        requirement = requirements.get(item.get("code", ""))
        items.append(
            {
                "code": item.get("code", ""),
                "name_zh": requirement.name_zh if requirement else item.get("code", ""),
                "name_en": requirement.name_en if requirement else item.get("code", ""),
                "reason": item.get("reason", ""),
                "note": item.get("note", ""),
            }
        )
    mode = rules.configured_day_mode()
    requested_on = timezone.localdate(application.supplement_requested_at or timezone.now())
    return {
        "items": items,
        "officer_note": note or "",
        "requested_on": requested_on.isoformat(),
        "supply_by": rules.supply_due_by(requested_on, mode=mode).isoformat(),
        "supply_days": rules.SUPPLY_DAYS,
        "day_mode": str(mode),
    }


def _refusal_facts(application, *, from_state: str) -> dict:
    decided_on = timezone.localdate(application.decided_at or timezone.now())
    reconsider_by, sue_by = rules.remedy_deadlines(decided_on)
    return {
        # Before acceptance the station does not accept the application (不予受理); after it,
        # it does not approve it (不予批准).
        "stage": "not_accepted" if from_state != ApplicationState.ACCEPTED else "not_approved",
        "reason": application.rejection_reason,
        "reason_note": application.rejection_note,
        "decided_on": decided_on.isoformat(),
        "reconsideration_days": rules.RECONSIDERATION_DAYS,
        "reconsider_by": reconsider_by.isoformat(),
        "lawsuit_months": rules.LAWSUIT_MONTHS,
        "sue_by": sue_by.isoformat(),
    }


def _handover_facts(application) -> dict:
    permit = application.permit
    return {
        "method": application.delivery_method,
        "completed_on": _date(application.completed_at or timezone.now()),
        "mailed_on": _date(application.mailed_at),
        "tracking_number": application.tracking_number,
        "recipient_name": application.mail_recipient_name,
        "mail_address": application.mail_address,
        "by_agent": application.collected_by_agent,
        "permit_number": permit.number if permit else "",
        "card_serial": application.new_card_serial or (permit.card_serial if permit else ""),
        "valid_until": permit.valid_until.isoformat() if permit else "",
    }


def issue_for_application(
    application, kind: str, *, by, event_key: str, note: str = "", from_state: str = ""
) -> Document:
    """The paper of the act just taken on ``application`` (call it inside the act's transaction,
    after the transition). ``event_key`` names the act (the application is added to it)."""
    kind = DocumentKind(kind)
    payload = _case_facts(application)
    if kind == DocumentKind.ACCEPTANCE:
        payload.update(_acceptance_facts(application))
    elif kind == DocumentKind.SUPPLEMENT:
        payload.update(_supplement_facts(application, note))
    elif kind == DocumentKind.REFUSAL:
        payload.update(_refusal_facts(application, from_state=from_state))
    elif kind == DocumentKind.HANDOVER:
        payload.update(_handover_facts(application))
    else:
        raise ValueError(f"{kind} is not a notice of a case")
    return _create(
        kind=kind,
        station=application.station,
        holder=application.person,
        by=by,
        event_key=f"application:{application.pk}:{event_key}",
        language=application.filed_by.language,
        payload=payload,
        application=application,
        permit=application.permit,
    )


# --- the residence certificate (居住证明) ------------------------------------------------------


def issue_residence_certificate(*, user, permit, language: str = "") -> Document:
    """Proof of residence for a holder with a usable permit, on demand (issue 16): name, masked ID
    number, address, permit number, continuous residence since ``continuous_since`` and the
    years and months that makes today; valid for 30 days. Only the account that holds the
    permit (or files for its holder) may ask; asking again the same day gives the same paper."""
    if not (user and user.is_authenticated and permit.holder.account_id == user.pk):
        raise NotAllowed()
    today = timezone.localdate()
    if permit.status != PermitStatus.ACTIVE or rules.is_endorsement_overdue(
        permit.valid_until, today
    ):
        raise NotEligible(
            _("A residence certificate is issued only on a permit in use (active and endorsed)."),
            code="permit_not_usable",
        )
    language = _language(language or settings.LANGUAGE_CODE)
    years, months = rules.years_and_months(permit.continuous_since, today)
    holder = permit.holder
    payload = {
        "name": holder.full_name,
        "id_number_masked": holder.masked_id_number,
        "address": permit.house.address,
        "permit_number": permit.number,
        "permit_valid_until": permit.valid_until.isoformat(),
        "continuous_since": permit.continuous_since.isoformat(),
        "years": years,
        "months": months,
        "issued_on": today.isoformat(),
    }
    with transaction.atomic():
        return _create(
            kind=DocumentKind.RESIDENCE_CERTIFICATE,
            station=permit.station,
            holder=holder,
            by=user,
            event_key=f"permit:{permit.pk}:{today.isoformat()}:{language}",
            language=language,
            payload=payload,
            permit=permit,
            valid_until=rules.residence_certificate_valid_until(today),
        )
