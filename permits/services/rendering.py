"""Rendering a document's PDF (issue 16): the HTML template its kind declares
(``permits.papers``; the built-in ones in ``permits/templates/permits/documents/``) rendered in
the document's language through Django's translation machinery, laid out by WeasyPrint (A4,
black on white, the station's name and seal area, page numbers, and on a verifiable kind the
verification QR code and short code).

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
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from core import page_cache
from core.qr import qr_svg
from permits import papers
from permits.models import Document

__all__ = [
    "document_title",
    "ensure_rendered",
    "render_and_store",
    "render_html",
    "render_html_body",
    "render_pdf",
]

FONT_STACK = '"Noto Serif CJK SC", "Noto Sans CJK SC", "WenQuanYi Micro Hei", serif'


def document_title(document: Document) -> str:
    """The heading printed on ``document`` (declared by its kind, ``permits.papers``)."""
    return papers.get(document.kind).title_for(document)


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


def _context(document: Document, paper) -> dict:
    payload = dict(document.payload)
    for key, value in list(payload.items()):
        if key.endswith(("_on", "_by", "_until", "deadline", "_since")) and isinstance(value, str):
            payload[key] = _date(value) or value
    context = {
        "document": document,
        "facts": paper.printed_facts(payload, document),
        "title": paper.title_for(document),
        "issued_on": timezone.localdate(document.issued_at),
        "verifiable": paper.verifiable,
        "page_css": _page_counter_css(),
        "font_stack": FONT_STACK,
        "lang": "zh-Hans" if document.language.startswith("zh") else "en",
    }
    if paper.verifiable:
        context["verify_url"] = document.verification_url()
        context["qr_data_uri"] = _qr_data_uri(context["verify_url"])
    return context


def render_html(document: Document) -> str:
    """The paper's HTML, from its kind's template, in the document's language."""
    paper = papers.get(document.kind)
    with translation.override(document.language):
        return paper.get_template().render(_context(document, paper))


def render_html_body(document: Document) -> str:
    """The paper's content (what its ``<body>`` holds, without style attributes), to show inside
    a page of the portal's own: the kiosk prints a paper from its page, whose idle timer clears
    it (issue 27)."""
    html = render_html(document)
    match = re.search(r"<body[^>]*>(.*)</body>", html, flags=re.S)
    body = match.group(1) if match else html
    # the page's Content-Security-Policy allows no inline style: the page's CSS lays it out
    return re.sub(r'\sstyle="[^"]*"', "", body)


def html_to_pdf(html: str, *, identifier: bytes | None = None) -> bytes:
    """A PDF drawn by WeasyPrint from ``html``, reading nothing but ``data:`` URLs."""
    from PIL import ImageFile
    from weasyprint import HTML
    from weasyprint.urls import URLFetcher

    # Importing WeasyPrint makes Pillow accept truncated images process-wide; uploads in this
    # process must stay strict (core.uploads checks it too).
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    fetcher = URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    return HTML(string=html, url_fetcher=fetcher, base_url=None).write_pdf(
        pdf_identifier=identifier
    )


def render_pdf(document: Document) -> bytes:
    """The document's PDF bytes (nothing stored)."""
    return html_to_pdf(render_html(document), identifier=document.code.encode())


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
    with transaction.atomic():
        won = Document.objects.filter(pk=document.pk, content_hash="").update(
            file=name, content_hash=digest, rendered_at=rendered_at
        )
        if won:
            page_cache.bump_for(document)  # an UPDATE sends no post_save
    if not won:  # another render stored first: keep that one
        storage.delete(name)
    document.refresh_from_db()
    return document


def ensure_rendered(document: Document) -> Document:
    """The document with its PDF (rendered now if the task has not done it yet)."""
    if document.is_rendered:
        return document
    return render_and_store(document_id=document.pk)
