"""Reads of the papers a station signs (issue 16): whose they are, and whether one is genuine.

- ``documents_of(user)``: the papers an account may download: the notices of the applications
  it filed, and the residence certificates of the people it holds identities for.
- ``staff_documents(user)``: the papers of the station a member of staff works at (all for a
  supervisor).
- ``check_document(code, content_hash=None)``: what the public may know about a paper: genuine
  or not valid (unknown or forged code, altered file, expired certificate), and when genuine its
  kind, number, issue date and the holder's masked name. Nothing else. A paper whose kind is
  not verifiable (``permits.papers``) answers as an unknown code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clock
from core.masking import mask_name
from permits import papers
from permits.models import Document
from permits.models.documents import normalise_code
from permits.scoping import scope_to_station

GENUINE, INVALID = "genuine", "invalid"
UNKNOWN, ALTERED, EXPIRED, NOT_READY = "unknown", "altered", "expired", "not_ready"
NO_LONGER_HOLDS = "no_longer_holds"
REASONS = {
    UNKNOWN: _("No paper was issued with this code: it is forged or mistyped."),
    ALTERED: _("The file differs from the paper the station issued: it was altered."),
    EXPIRED: _("The certificate has expired."),
    NOT_READY: _("The paper is being prepared; check again in a minute."),
    NO_LONGER_HOLDS: _(
        "The residence permit this paper rests on is no longer valid (cancelled or suspended)."
    ),
}
SHA256 = re.compile(r"^[0-9a-f]{64}$")


def documents_of(user) -> QuerySet[Document]:
    if not (user and user.is_authenticated):
        return Document.objects.none()
    return (
        Document.objects.filter(
            Q(application__filed_by=user) | Q(application__isnull=True, holder__account=user)
        )
        .select_related("application", "station", "holder")
        .order_by("-issued_at", "-pk")
    )


def staff_documents(user) -> QuerySet[Document]:
    # agency staff (issue 31): the papers of their agency's cases (the acceptance notice they
    # print at their window names the agency)
    return scope_to_station(
        Document.objects.select_related("station"), user, agency_field="application__agency"
    )


@dataclass(frozen=True)
class DocumentCheck:
    status: str
    reason: str = ""
    kind: str = ""
    number: str = ""
    issued_on: object = None
    valid_until: object = None
    masked_name: str = ""
    station_name: str = ""  # the issuing station, named on the public page
    title: str = ""  # the paper's own title, as printed on it

    @property
    def is_genuine(self) -> bool:
        return self.status == GENUINE

    @property
    def kind_label(self) -> str:
        return self.title or (papers.label(self.kind) if self.kind else "")

    @property
    def reason_text(self) -> str:
        return str(REASONS[self.reason]) if self.reason else ""


def normalise_hash(value: str) -> str:
    return (value or "").strip().lower()


def check_document(code: str, content_hash: str | None = None) -> DocumentCheck:
    code = normalise_code(code)
    document = (
        Document.objects.select_related("holder", "permit", "station").filter(code=code).first()
        if code
        else None
    )
    if document is None or not document.is_verifiable:  # a kind the public may not check
        return DocumentCheck(INVALID, UNKNOWN)
    if content_hash is not None:
        given = normalise_hash(content_hash)
        if not document.content_hash:
            return DocumentCheck(INVALID, NOT_READY)
        if given != document.content_hash:
            return DocumentCheck(INVALID, ALTERED)
    facts = {
        "kind": document.kind,
        "number": document.number,
        "issued_on": timezone.localdate(document.issued_at),
        "valid_until": document.valid_until,
        "title": document.title,
    }
    if document.is_expired():
        return DocumentCheck(INVALID, EXPIRED, **facts)
    if document.paper.no_longer_holds(document, today=clock.today()):
        return DocumentCheck(INVALID, NO_LONGER_HOLDS, **facts)
    return DocumentCheck(
        GENUINE,
        masked_name=mask_name(document.holder.full_name),
        station_name=document.station.name,
        **facts,
    )
