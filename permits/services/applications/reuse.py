"""What the portal already holds, offered as an application's material instead of a new upload
(issue 15, point 14): the ID card photos of the verified identity, the residence proof given at
registration, and, for a renewal, last year's proof of the condition. Each goes through
``upload_material`` like any upload (checked, versioned, the draft locked). What is offered is
read by ``permits.selectors.materials.reuse_offer``."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from PIL import Image

from core.errors import InvalidInput
from core.masking import mask_name
from permits.models import LessorConfirmation, Material
from permits.selectors.materials import reuse_offer
from permits.services.rendering import html_to_pdf

from .applicant import upload_material


def _id_card_pdf(person) -> SimpleUploadedFile:
    """Both sides of the ID card (the back when there is one) as one two-page PDF."""
    pages = []
    for stored in (person.id_card_front, person.id_card_back):
        if stored:
            with stored.open("rb") as handle:
                pages.append(Image.open(io.BytesIO(handle.read())).convert("RGB"))
    out = io.BytesIO()
    pages[0].save(out, format="PDF", save_all=True, append_images=pages[1:])
    return SimpleUploadedFile("id-card.pdf", out.getvalue(), content_type="application/pdf")


def _lessor_certificate_pdf(confirmation) -> SimpleUploadedFile:
    """The lessor's confirmation as an accommodation certificate (住宿证明, seed 004): who
    confirmed which address for whom, and when."""
    html = render_to_string(
        "permits/documents/lessor_certificate.html",
        {
            "confirmation": confirmation,
            "tenant": mask_name(confirmation.registration.person.full_name),
        },
    )
    pdf = html_to_pdf(html)
    return SimpleUploadedFile("lessor-confirmation.pdf", pdf, content_type="application/pdf")


def _copy(stored, name) -> SimpleUploadedFile:
    with stored.open("rb") as handle:
        return SimpleUploadedFile(name, handle.read())


def reuse_material(*, user, application, requirement_code: str) -> Material:
    """Use what the portal holds as material ``requirement_code`` of the draft."""
    offer = reuse_offer(application, requirement_code)
    if offer is None:
        raise InvalidInput(_("Nothing held can be used for this material: upload a file."))
    source = offer["source"]
    confirmation = None
    if source.startswith("lessor:"):
        confirmation = LessorConfirmation.objects.select_related(
            "house", "registration__person"
        ).get(pk=int(source.split(":", 1)[1]))
        file = _lessor_certificate_pdf(confirmation)
    elif source == "identity":
        file = _id_card_pdf(application.person)
    elif source == "registration":
        file = _copy(application.registration.proof, "registration-proof")
    else:
        earlier = Material.objects.get(pk=int(source.split(":", 1)[1]))
        file = _copy(earlier.file, "earlier-proof")
    return upload_material(
        user=user,
        application=application,
        requirement_code=requirement_code,
        file=file,
        lessor_confirmation=confirmation,
    )
