"""A material of several pages (a lease has many): each file checked like any upload, then
put together as one PDF, one item with pages for the officer (issue 15, point 15)."""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image
from pypdf import PdfReader, PdfWriter

from core.errors import InvalidInput
from core.uploads import clean_document

from .applicant import upload_material

MAX_PAGES_FILES = 20


def _one_pdf(files) -> SimpleUploadedFile:
    writer = PdfWriter()
    for file in files:
        try:
            cleaned = clean_document(file)  # the one upload check, file by file
        except ValidationError as exc:
            name = getattr(file, "name", "")
            raise InvalidInput(
                _("%(name)s: %(reason)s") % {"name": name, "reason": " ".join(exc.messages)},
                code="invalid_upload",
            ) from exc
        cleaned.seek(0)
        data = cleaned.read()
        if data.startswith(b"%PDF"):
            for page in PdfReader(io.BytesIO(data)).pages:
                writer.add_page(page)
        else:
            page = io.BytesIO()
            Image.open(io.BytesIO(data)).convert("RGB").save(page, format="PDF")
            page.seek(0)
            writer.add_page(PdfReader(page).pages[0])
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile("pages.pdf", out.getvalue(), content_type="application/pdf")


def upload_material_pages(*, user, application, requirement_code: str, files):
    """Upload one material made of ``files`` (one file: as it is)."""
    files = list(files)
    if not files:
        raise InvalidInput(_("Choose at least one file."))
    if len(files) > MAX_PAGES_FILES:
        raise InvalidInput(
            _("At most %(count)d files for one material.") % {"count": MAX_PAGES_FILES}
        )
    file = files[0] if len(files) == 1 else _one_pdf(files)
    return upload_material(
        user=user, application=application, requirement_code=requirement_code, file=file
    )
