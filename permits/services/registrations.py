"""Residence registration (居住登记) at a house code (seeds 002, 003, 004).

The person (one's own verified identity, or a verified dependent's) registers at a house by
typing or scanning its house code (门牌码); the registration always goes to that house's
station, which registers or rejects it. Later the person moves away and it is cancelled.
The eligibility facts permits need (since when, on which basis) are read in
``permits.selectors.registrations``.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core import clock
from core.errors import InvalidInput, NotAllowed, WrongState
from core.fsm import run_transition
from core.masking import mask_id_number
from core.permissions import staff_may
from core.uploads import clean_document
from notifications.services import notify
from permits.constants import Basis, RegistrationState
from permits.models import House, ResidenceRegistration
from permits.scoping import is_supervisor, station_id_of
from permits.selectors.registrations import find_house, holds_permit

from . import lessors as lessor_services
from . import reminders

logger = logging.getLogger(__name__)

OPEN_STATES = (RegistrationState.SUBMITTED, RegistrationState.REGISTERED)


# --- house codes ----------------------------------------------------------------------------


def house_qr_payload(house: House) -> str:
    """What the house's QR code holds: the registration page with the code filled in, so a
    phone camera opens it directly (seed 004, Quanzhou's "smart house")."""
    path = reverse("permits:registration_new")
    return f"{settings.SITE_URL.rstrip('/')}{path}?house={house.code}"


# --- applicant ------------------------------------------------------------------------------


def submit_registration(
    *,
    account,
    person,
    house_code: str,
    since: datetime.date,
    basis: str,
    proof,
    lessor_phone: str = "",
) -> ResidenceRegistration:
    """Register ``person`` (an identity the account filed) at the house with ``house_code``.

    ``lessor_phone``: the house is rented; its lessor is asked to confirm the address
    (``permits.services.lessors``), which stands for the lease when the basis is residence."""
    if person.account_id != account.pk:
        raise NotAllowed
    if not person.is_verified:
        raise InvalidInput(
            code="identity_not_verified",
            fields={
                "person": _("This identity is not verified yet. Registration needs it verified.")
            },
        )
    house = find_house(house_code)
    today = clock.today()
    errors = {}
    if since is None:
        errors["since"] = _("Enter the date you started living here.")
    elif since > today:
        errors["since"] = _("The date cannot be in the future.")
    elif since < person.birth_date:
        errors["since"] = _("The date cannot be before the date of birth.")
    if basis not in Basis.values:
        errors["basis"] = _("Choose employment, residence or study.")
    lessor_phone = (lessor_phone or "").strip()
    if lessor_phone:
        try:
            lessor_services.check_lessor_phone(lessor_phone, account=account)
        except InvalidInput as exc:
            errors.update(exc.field_messages())
    if not proof and not (lessor_phone and basis == Basis.RESIDENCE):
        errors["proof"] = _("Upload the proof document.")
    if errors:
        raise InvalidInput(fields=errors)
    if proof and not isinstance(proof, ContentFile):
        try:
            proof = clean_document(proof)
        except ValidationError as exc:
            raise InvalidInput.from_validation_error(exc, field="proof") from exc
    if ResidenceRegistration.objects.filter(person=person, state__in=OPEN_STATES).exists():
        raise _already_open()
    registration = ResidenceRegistration(
        person=person,
        house=house,
        station=house.station,
        since=since,
        basis=basis,
        proof=proof or "",
    )
    try:
        with transaction.atomic():
            registration.save()  # the model sets station from the house, never chosen
            registration.record_transition(
                name="submit",
                source="",
                target=RegistrationState.SUBMITTED,
                by=account,
                note=house.code,
            )
            if lessor_phone:
                lessor_services.request_confirmation(
                    user=account, registration=registration, lessor_phone=lessor_phone
                )
    except IntegrityError as exc:  # a second submission raced this one
        raise _already_open() from exc
    logger.info(
        "Registration %s submitted for %s at station %s",
        registration.pk,
        mask_id_number(person.id_number),
        house.station_id,
    )
    return registration


def _already_open() -> InvalidInput:
    return InvalidInput(
        code="registration_open",
        fields={
            "person": _(
                "This person already has a registration waiting or in force. When the person "
                "moves, cancel the old one first."
            )
        },
    )


# Moving away while holding a permit is the cancellation service (注销, seed 001 procedure 3):
# it cancels the registration with the permit once the card is back, never the one without the
# other.
PERMIT_HELD = _(
    "This person holds a residence permit. Apply for its cancellation (注销) instead: the "
    "residence registration is cancelled with the permit once the card is returned."
)


def cancel_registration(*, registration, by, moved_on: datetime.date | None = None):
    """The person moved away (001 procedure 3): the account that filed it, or staff of the
    station, cancels a registration in force."""
    is_owner = registration.person.account_id == getattr(by, "pk", None)
    if not (is_owner or can_review(by, registration)):
        raise NotAllowed
    if holds_permit(registration.person):
        raise WrongState(PERMIT_HELD, code="permit_held")
    moved_on = moved_on or clock.today()
    if moved_on < registration.since or moved_on > clock.today():
        raise InvalidInput(
            fields={"moved_on": _("The date must be between the registration date and today.")}
        )
    return run_transition(
        registration,
        "cancel",
        user=by,
        moved_on=moved_on,
        wrong_state=WrongState(_("Only a registration in force can be cancelled."), code="state"),
    )


# --- station --------------------------------------------------------------------------------


def can_review(user, registration) -> bool:
    """Officers of the registration's station, and supervisors, with the permission; never on
    a registration their own account filed (``core.permissions.staff_may``)."""
    owner_id = registration.person.account_id
    if not staff_may(user, "permits.review_registration", owner_id=owner_id):
        return False
    return is_supervisor(user) or station_id_of(user) == registration.station_id


def _decision_context(registration) -> dict:
    return {
        "registration": registration,
        "name": registration.person.full_name,
        "station": registration.station.name,
        "address": registration.house.address,
        "reason": registration.rejection_note,
    }


def _notify(registration, kind: str) -> None:
    last = registration.transitions.order_by("-pk").first()
    notify(
        registration.person.account,
        kind,
        _decision_context(registration),
        related=registration,
        event_key=f"{kind}:registration:{registration.pk}:{last.pk if last else 0}",
        link=reverse("permits:registration_detail", args=[registration.pk]),
    )


NOT_WAITING = _("This registration is not waiting for review.")


def register_residence(*, registration, by, note: str = ""):
    if not can_review(by, registration):
        raise NotAllowed

    def after(registration):
        _notify(registration, "registration_registered")
        reminders.offer_change_after_move(registration)

    return run_transition(
        registration,
        "register",
        user=by,
        note=note,
        after=after,
        wrong_state=WrongState(NOT_WAITING, code="state"),
    )


def reject_registration(*, registration, by, note: str):
    if not can_review(by, registration):
        raise NotAllowed
    note = (note or "").strip()
    if not note:
        raise InvalidInput(fields={"note": _("Say why, so the person can correct it.")})
    return run_transition(
        registration,
        "reject",
        user=by,
        note=note,
        after=lambda registration: _notify(registration, "registration_rejected"),
        wrong_state=WrongState(NOT_WAITING, code="state"),
    )
