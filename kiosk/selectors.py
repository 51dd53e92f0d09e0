"""What the kiosk shows. On a public screen names and ID numbers are masked, as in lists."""

from __future__ import annotations

from dataclasses import dataclass, field

from applicants.selectors import dependents_of
from core.masking import mask_id_number, mask_name
from permits import service_types
from permits.models import ResidencePermit
from permits.selectors.applicant import current_permit, draft_of
from permits.selectors.applications import applications_of
from permits.selectors.materials import reuse_offer

STATUS_ROWS = 20


@dataclass
class RenewablePerson:
    identity: object
    permit: ResidencePermit
    reasons: list = field(default_factory=list)
    draft: object = None

    @property
    def masked_name(self) -> str:
        return mask_name(self.identity.full_name)


def kiosk_service() -> str:
    """The service the kiosk files: the one declared ``offered_at_kiosk`` (the renewal, whose
    flow needs no answers: the person, the materials, an SMS code)."""
    return service_types.codes(offered_at_kiosk=True)[0]


def renewable_people(user) -> list[RenewablePerson]:
    """The account's own identity and its dependents that hold a permit, each with its renewal
    draft, if one is open. ``reasons`` (why a renewal is refused today; empty: it may start) is
    left empty: the kiosk's view fills it from ``check_eligibility``, the service's own check."""
    people = []
    own = user.own_identity
    for identity in [*([own] if own else []), *dependents_of(user)]:
        permit = current_permit(identity)
        if permit is None:
            continue
        people.append(
            RenewablePerson(
                identity=identity,
                permit=permit,
                draft=draft_of(identity, kiosk_service()),
            )
        )
    return people


def material_rows(application) -> list[dict]:
    """Each material of the draft: done or not, and what the portal holds to use instead."""
    held = {m.requirement.code for m in application.current_materials()}
    return [
        {
            "code": requirement.code,
            "name": requirement.name,
            "description": requirement.description,
            "required": requirement.required,
            "done": requirement.code in held,
            "offer": None
            if requirement.code in held
            else reuse_offer(application, requirement.code),
        }
        for requirement in application.requirements()
    ]


def application_summary(application) -> dict:
    person = application.person
    return {
        "reference": application.reference,
        "service": application.get_service_display(),
        "state": application.get_state_display(),
        "name": mask_name(person.full_name),
        "id_number": mask_id_number(person.id_number),
        "permit_number": application.permit.number if application.permit_id else "",
        "submitted_at": application.submitted_at,
        "deadline": application.deadline,
        "station": application.station,
    }


def status_rows(user) -> list[dict]:
    rows = []
    for application in applications_of(user)[:STATUS_ROWS]:
        rows.append(
            {
                "pk": application.pk,
                "reference": application.reference,
                "service": application.get_service_display(),
                "state": application.get_state_display(),
                "name": mask_name(application.person.full_name),
                "updated_at": application.updated_at,
            }
        )
    return rows
