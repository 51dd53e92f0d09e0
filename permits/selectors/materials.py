"""What the portal already holds that can stand in for an application's material (issue 15,
point 14): the ID card photos of the verified identity, the residence proof given at
registration, the lessor's confirmation of the registered house (issue 31), and, for a renewal,
last year's proof of the condition. Reads only: using an offer
is ``permits.services.applications.reuse_material``."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.constants import IdentityState
from permits.constants import ApplicationState, Basis
from permits.models import Material
from permits.selectors.lessors import confirmed_for

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
    if code in application.service_type.lessor_confirmable(application):
        confirmation = confirmed_for(registration)
        if confirmation is not None:
            return {
                "source": f"lessor:{confirmation.pk}",
                "label": _("Use your lessor's confirmation of %(address)s (given on %(date)s)")
                % {
                    "address": registration.house.address,
                    "date": timezone.localdate(confirmation.decided_at).isoformat(),
                },
            }
    if (
        code == RESIDENCE_PROOF
        and registration is not None
        and registration.basis == Basis.RESIDENCE
        and registration.proof
    ):
        return {"source": "registration", "label": _("Use the proof you gave at registration")}
    return None
