"""Issuing the papers a station signs (issue 16): a document row in the deciding act's own
transaction, its PDF rendered after commit.

- ``issue_for_application(application, kind, by=, event_key=, note=, from_state=)``: called by
  the services that decide (accept, the one-time notice, reject, the handover) inside their
  transaction. The number is taken from a counter row locked in that transaction (dense per
  station and year: a rolled-back act gives its number back). The same ``(kind, event_key)``
  twice returns the first row: a retried act never issues a second paper.
- ``issue_residence_certificate(user=, permit=, language=)``: on demand, for a holder with a
  usable permit; one per permit, language and day (asking twice gives the same paper). Any
  ``ON_DEMAND`` kind goes through ``issue_on_demand(kind, user=, permit=, language=)``.
- What each kind says, and when it is issued, is declared once in its module of
  ``permits.papers`` (the registry): these functions dispatch on it.
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

from core import clock
from permits import papers
from permits.constants import DocumentKind
from permits.models import Counter, Document

logger = logging.getLogger(__name__)

__all__ = [
    "issue_for_application",
    "issue_on_demand",
    "issue_residence_certificate",
]


def _language(value: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    return value if value in codes else settings.LANGUAGE_CODE


def _next_number(station, year: int) -> tuple[int, str]:
    """The next serial of ``station`` in ``year`` (the counter row is locked until commit), and
    the number printed: city, the station's short code, year, serial (HK0105-2026-000001)."""
    serial = Counter.next_value(f"document:{station.pk}:{year}")
    return serial, f"{settings.CITY_CODE}{station.paper_code}-{year}-{serial:06d}"


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


# --- the papers of a case, and the papers asked for on demand ----------------------------------


def issue_for_application(
    application, kind: str, *, by, event_key: str, note: str = "", from_state: str = ""
) -> Document:
    """The paper of the act just taken on ``application`` (call it inside the act's transaction,
    after the transition). ``event_key`` names the act (the application is added to it);
    ``note`` and ``from_state`` go to the kind's ``facts`` (``permits.papers``)."""
    paper = papers.get(kind)
    if paper.issued != papers.APPLICATION_ACT:
        raise ValueError(f"{paper.code} is not a notice of a case")
    return _create(
        kind=paper.code,
        station=application.station,
        holder=application.person,
        by=by,
        event_key=f"application:{application.pk}:{event_key}",
        language=application.filed_by.language,
        payload=paper.payload(application, note=note, from_state=from_state),
        application=application,
        permit=application.permit,
    )


def issue_on_demand(kind: str, *, user, permit, language: str = "") -> Document:
    """A paper the holder of ``permit`` asks for (``kind`` is an ``ON_DEMAND`` paper): the kind
    checks that ``user`` may have it today; asking again the same day, in the same language,
    gives the same paper."""
    paper = papers.get(kind)
    if paper.issued != papers.ON_DEMAND:
        raise ValueError(f"{paper.code} is not issued on demand")
    today = clock.today()
    paper.check(user=user, permit=permit, today=today)
    language = _language(language or settings.LANGUAGE_CODE)
    with transaction.atomic():
        return _create(
            kind=paper.code,
            station=permit.station,
            holder=permit.holder,
            by=user,
            event_key=f"permit:{permit.pk}:{today.isoformat()}:{language}",
            language=language,
            payload=paper.facts(permit, today=today),
            permit=permit,
            valid_until=paper.valid_until(today),
        )


def issue_residence_certificate(*, user, permit, language: str = "") -> Document:
    """Proof of residence (居住证明) for a holder with a usable permit, on demand (issue 16;
    ``permits.papers.residence_certificate``): valid for 30 days. Only the account that holds
    the permit (or files for its holder) may ask; asking again the same day gives the same
    paper."""
    return issue_on_demand(
        DocumentKind.RESIDENCE_CERTIFICATE, user=user, permit=permit, language=language
    )
