"""Rendering a document's PDF (issue 16): an HTML template per kind
(``permits/templates/permits/documents/``) rendered in the document's language through Django's
translation machinery, laid out by WeasyPrint (A4, black on white, the station's name and seal
area, page numbers, the verification QR code and short code).

``render_and_store`` is idempotent: it renders only a document that has no PDF yet, and when
two renders race (the task and a download), the first stored wins and the other's file is
deleted. WeasyPrint may fetch nothing but ``data:`` URIs (no file, no network).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import re

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.qr import qr_svg
from permits import service_types
from permits.constants import (
    ApplicationRejectionReason,
    DeliveryMethod,
    DocumentKind,
    SupplementReason,
)
from permits.models import Document

__all__ = ["document_title", "render_and_store", "render_pdf"]

TITLES = {
    DocumentKind.ACCEPTANCE: _("Notice of acceptance"),
    DocumentKind.SUPPLEMENT: _("One-time notice of missing material"),
    DocumentKind.HANDOVER: _("Receipt of handover"),
    DocumentKind.RESIDENCE_CERTIFICATE: _("Residence certificate"),
}
REFUSAL_TITLES = {
    "not_accepted": _("Notice of non-acceptance"),
    "not_approved": _("Notice of refusal"),
}
# The law a refusal rests on, per reason (named in full on the paper).
LEGAL_BASIS = {
    ApplicationRejectionReason.NOT_ELIGIBLE: _(
        "Interim Regulations on Residence Permits, Art. 2 (the conditions for a residence "
        "permit) and Art. 9; Administrative Licensing Law, Art. 38."
    ),
    ApplicationRejectionReason.FALSE_INFORMATION: _(
        "Administrative Licensing Law, Art. 31 (the applicant answers for the truth of the "
        "material) and Art. 38; Interim Regulations on Residence Permits, Art. 9."
    ),
    ApplicationRejectionReason.MATERIALS_NOT_PROVIDED: _(
        "Interim Regulations on Residence Permits, Art. 9 (the material notified at one time was "
        "not supplied); Administrative Licensing Law, Arts. 32 and 38."
    ),
    ApplicationRejectionReason.OTHER: _(
        "Interim Regulations on Residence Permits, Art. 9; Administrative Licensing Law, Art. 38."
    ),
}
FONT_STACK = '"Noto Serif CJK SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", serif'


def document_title(document: Document) -> str:
    if document.kind == DocumentKind.REFUSAL:
        return str(
            REFUSAL_TITLES.get(document.payload.get("stage"), REFUSAL_TITLES["not_approved"])
        )
    return str(TITLES[DocumentKind(document.kind)])


def _date(value):
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _page_counter_css() -> str:
    """``Page 1 of 2`` in the active language, as a CSS ``content`` value."""
    parts = re.split(r"(%\(page\)s|%\(pages\)s)", gettext("Page %(page)s of %(pages)s"))
    tokens = []
    for part in parts:
        if part == "%(page)s":
            tokens.append("counter(page)")
        elif part == "%(pages)s":
            tokens.append("counter(pages)")
        elif part:
            tokens.append(_css_string(part))
    return " ".join(tokens)


def _qr_data_uri(url: str) -> str:
    svg = qr_svg(url, scale=4, border=2, standalone=True)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else (value or "")


def _context(document: Document) -> dict:
    payload = dict(document.payload)
    zh = document.language.startswith("zh")
    for key, value in list(payload.items()):
        if key.endswith(("_on", "_by", "_until", "deadline", "_since")) and isinstance(value, str):
            payload[key] = _date(value) or value
    payload["service_label"] = service_types.label(payload.get("service"))
    payload["reason_label"] = _label(ApplicationRejectionReason, payload.get("reason"))
    payload["legal_basis"] = LEGAL_BASIS.get(payload.get("reason"), LEGAL_BASIS["other"])
    payload["method_label"] = _label(DeliveryMethod, payload.get("method"))
    payload["items"] = [
        {
            "name": item.get("name_zh" if zh else "name_en") or item.get("code", ""),
            "reason": _label(SupplementReason, item.get("reason")),
            "note": item.get("note", ""),
        }
        for item in payload.get("items", [])
    ]
    verify_url = document.verification_url()
    return {
        "document": document,
        "facts": payload,
        "title": document_title(document),
        "issued_on": timezone.localdate(document.issued_at),
        "verify_url": verify_url,
        "qr_data_uri": _qr_data_uri(verify_url),
        "page_css": _page_counter_css(),
        "font_stack": FONT_STACK,
        "lang": "zh-Hans" if zh else "en",
    }


def render_html(document: Document) -> str:
    with translation.override(document.language):
        return render_to_string(f"permits/documents/{document.kind}.html", _context(document))


def render_pdf(document: Document) -> bytes:
    """The document's PDF bytes (nothing stored)."""
    from PIL import ImageFile
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Importing WeasyPrint makes Pillow accept truncated images process-wide; uploads in this
    # process must stay strict (core.uploads checks it too).
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    html = render_html(document)
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf(
        pdf_identifier=document.code.encode(),
    )


def render_and_store(*, document_id: int) -> Document:
    """Render and store the PDF of a document that has none yet (idempotent)."""
    document = Document.objects.select_related("station").get(pk=document_id)
    if document.is_rendered:
        return document
    data = render_pdf(document)
    digest = hashlib.sha256(data).hexdigest()
    storage = document.file.storage
    name = storage.save(
        document.file.field.generate_filename(document, f"{document.number}.pdf"),
        ContentFile(data),
    )
    rendered_at = timezone.now()
    won = Document.objects.filter(pk=document.pk, content_hash="").update(
        file=name, content_hash=digest, rendered_at=rendered_at
    )
    if not won:  # another render stored first: keep that one
        storage.delete(name)
    document.refresh_from_db()
    return document


def ensure_rendered(document: Document) -> Document:
    """The document with its PDF (rendered now if the task has not done it yet)."""
    if document.is_rendered:
        return document
    return render_and_store(document_id=document.pk)
