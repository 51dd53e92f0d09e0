"""What the portal already holds, offered as an application's material instead of a new upload
(issue 15, point 14): the ID card photos of the verified identity, the residence proof given at
registration, and, for a renewal, last year's proof of the condition. Each goes through
``upload_material`` like any upload (checked, versioned, the draft locked)."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image

from applicants.constants import IdentityState
from core.errors import InvalidInput
from permits.constants import ApplicationState, Basis
from permits.models import Material

from .applicant import upload_material

ID_CARD = "id_card"
RESIDENCE_PROOF = "residence_proof"
CONDITION_PROOFS = ("residence_proof", "employment_proof", "study_proof")
DONE_STATES = (ApplicationState.COLLECTED, ApplicationState.DELIVERED)


def _earlier_material(application, code) -> Material | None:
    return (
        Material.objects.filter(
            application__person=application.person,
            application__state__in=DONE_STATES,
            requirement__code=code,
            superseded=False,
        )
        .exclude(application=application)
        .order_by("-uploaded_at", "-pk")
        .first()
    )


def reuse_offer(application, code: str) -> dict | None:
    """What can stand in for material ``code`` of this draft: ``{"label", "source"}``, or
    None (nothing held, or nothing that fits)."""
    person = application.person
    if code == ID_CARD and person.state == IdentityState.VERIFIED and person.id_card_front:
        label = _("Use the ID card photos of your verified identity")
        return {"source": "identity", "label": label}
    if application.service_type.reuses_condition_proofs and code in CONDITION_PROOFS:
        earlier = _earlier_material(application, code)
        if earlier is not None:
            return {
                "source": f"material:{earlier.pk}",
                "label": _("Use the proof of your last application (uploaded on %(date)s)")
                % {"date": earlier.uploaded_at.date().isoformat()},
            }
    registration = application.registration
    if (
        code == RESIDENCE_PROOF
        and registration is not None
        and registration.basis == Basis.RESIDENCE
        and registration.proof
    ):
        return {"source": "registration", "label": _("Use the proof you gave at registration")}
    return None


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


def _copy(stored, name) -> SimpleUploadedFile:
    with stored.open("rb") as handle:
        return SimpleUploadedFile(name, handle.read())


def reuse_material(*, user, application, requirement_code: str) -> Material:
    """Use what the portal holds as material ``requirement_code`` of the draft."""
    offer = reuse_offer(application, requirement_code)
    if offer is None:
        raise InvalidInput(_("Nothing held can be used for this material: upload a file."))
    source = offer["source"]
    if source == "identity":
        file = _id_card_pdf(application.person)
    elif source == "registration":
        file = _copy(application.registration.proof, "registration-proof")
    else:
        earlier = Material.objects.get(pk=int(source.split(":", 1)[1]))
        file = _copy(earlier.file, "earlier-proof")
    return upload_material(
        user=user, application=application, requirement_code=requirement_code, file=file
    )
