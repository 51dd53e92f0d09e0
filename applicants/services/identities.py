"""Identity verification (实名认证): the account holder files an identity, an officer (or the
automatic verifier) verifies or rejects it. Every state change is a transition fired by
``core.fsm.run_transition`` (row lock, version check, history row); refusals are
``core.errors`` ServiceErrors."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.dispatch import Signal
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput, NotAllowed, WrongState
from core.fsm import run_transition
from core.masking import mask_id_number
from core.permissions import staff_may
from notifications.services import notify

from ..constants import IdentityRejectionReason, IdentityState, Relationship
from ..id_numbers import parse_id_number
from ..models import Identity, User
from ..verifiers import get_verifier

logger = logging.getLogger(__name__)

PHOTO_FIELDS = ("id_card_front", "id_card_back", "face_photo")


def parsed_id_number(id_number: str):
    """The ID number's facts, or InvalidInput on the ``id_number`` field."""
    try:
        return parse_id_number(id_number)
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc, field="id_number") from exc


def apply_identity_data(identity: Identity, *, full_name: str, id_number: str, files: dict):
    facts = parsed_id_number(id_number)
    identity.full_name = (full_name or "").strip()
    if not identity.full_name:
        raise InvalidInput(fields={"full_name": _("Enter the full name as on the ID card.")})
    identity.id_number = facts.number
    identity.birth_date = facts.birth_date
    identity.sex = facts.sex
    for field, upload in files.items():
        if upload:
            setattr(identity, field, upload)  # stored (under a random name) when saved
    return facts


def require_files(identity: Identity, fields) -> None:
    missing = {field: _("Upload this photo.") for field in fields if not getattr(identity, field)}
    if missing:
        raise InvalidInput(fields=missing)


def save_and_submit(identity: Identity, *, by) -> Identity:
    """The data saved first (a filed identity: refused if it changed since it was loaded), then
    submitted, in the runner's one transaction."""
    run_transition(
        identity,
        "submit",
        user=by,
        before=lambda identity: identity.save(),
        conflict=InvalidInput(
            fields={"id_number": _("You have already filed an identity with this ID number.")}
        ),
    )
    _schedule_automatic_check(identity)
    return identity


# Sent after commit when an identity awaits an automatic verifier; ``applicants.tasks`` answers by
# queueing the check (services never import tasks: tasks import services).
identity_submitted = Signal()


def _schedule_automatic_check(identity: Identity) -> None:
    if not get_verifier().automatic:
        return
    transaction.on_commit(lambda: identity_submitted.send(sender=Identity, identity_id=identity.pk))


def ensure_resubmittable(identity: Identity) -> None:
    if identity.state not in (IdentityState.UNVERIFIED, IdentityState.REJECTED):
        raise WrongState(
            _("This identity is already submitted; it cannot be changed now."), code="state"
        )


def submit_own_identity(
    *,
    account: User,
    full_name: str,
    id_number: str,
    id_card_front=None,
    id_card_back=None,
    face_photo=None,
) -> Identity:
    """File (or, after a rejection, correct and resubmit) the account holder's own identity."""
    identity = account.own_identity or Identity(account=account, relationship=Relationship.SELF)
    if identity.pk:
        ensure_resubmittable(identity)
    files = {"id_card_front": id_card_front, "id_card_back": id_card_back}
    files["face_photo"] = face_photo
    facts = apply_identity_data(identity, full_name=full_name, id_number=id_number, files=files)
    if (
        Identity.objects.filter(account=account, id_number=facts.number)
        .exclude(pk=identity.pk)
        .exists()
    ):
        raise InvalidInput(
            fields={"id_number": _("You have already filed this ID number for a dependent.")}
        )
    require_files(identity, PHOTO_FIELDS)
    return save_and_submit(identity, by=account)


def _check_verifier(by, identity: Identity) -> None:
    """``by`` None is the system (an automatic verifier); a person must be staff with the
    permission, and never decides an identity their own account filed (separation of duties)."""
    if by is not None and not staff_may(
        by, "applicants.verify_identity", owner_id=identity.account_id
    ):
        raise NotAllowed


DUPLICATE_VERIFIED = _(
    "Another account already has a verified identity with this ID number. Reject this one "
    "(reason: name or ID number does not match) or ask the other account holder first."
)
NOT_PENDING = _("This identity is not waiting for verification.")


def _notify_decision(identity: Identity, kind: str) -> None:
    last = identity.transitions.order_by("-pk").first()
    notify(
        identity.account,
        kind,
        {
            "identity": identity,
            "name": identity.full_name,
            "full_name": identity.full_name,
            "masked_id_number": mask_id_number(identity.id_number),
            "is_dependent": identity.is_dependent,
            "reason": ": ".join(
                str(part)
                for part in (
                    identity.get_rejection_reason_display() if identity.rejection_reason else "",
                    identity.rejection_note,
                )
                if part
            ),
            "note": identity.rejection_note,
        },
        related=identity,
        event_key=f"{kind}:identity:{identity.pk}:{last.pk if last else 0}",
        link=reverse("applicants:me"),
    )


def _other_verified_exists(identity: Identity) -> bool:
    """A friendly early answer; the database constraint is what really guarantees it."""
    return (
        Identity.objects.filter(id_number=identity.id_number, state=IdentityState.VERIFIED)
        .exclude(pk=identity.pk)
        .exists()
    )


def verify_identity(*, identity: Identity, by, note: str = "") -> Identity:
    """An officer (or the automatic verifier, ``by=None``) accepts a pending identity."""
    _check_verifier(by, identity)
    if _other_verified_exists(identity):
        raise InvalidInput(DUPLICATE_VERIFIED, code="duplicate_verified")
    run_transition(
        identity,
        "verify",
        user=by,
        note=note,
        check_permission=False,  # _check_verifier: stricter, and the system acts without one
        after=lambda identity: _notify_decision(identity, "identity_verified"),
        wrong_state=WrongState(NOT_PENDING, code="state"),
        conflict=InvalidInput(DUPLICATE_VERIFIED, code="duplicate_verified"),
    )
    logger.info("Identity %s verified", mask_id_number(identity.id_number))
    return identity


def reject_identity(*, identity: Identity, by, reason: str, note: str = "") -> Identity:
    """An officer rejects a pending identity with a reason from the list and free text."""
    _check_verifier(by, identity)
    if reason not in IdentityRejectionReason.values:
        raise InvalidInput(fields={"reason": _("Choose a reason from the list.")})
    if reason == IdentityRejectionReason.OTHER and not (note or "").strip():
        raise InvalidInput(fields={"note": _("Explain the reason when you choose 'Other'.")})
    run_transition(
        identity,
        "reject",
        user=by,
        reason=reason,
        note=(note or "").strip(),
        check_permission=False,  # _check_verifier: stricter, and the system acts without one
        after=lambda identity: _notify_decision(identity, "identity_rejected"),
        wrong_state=WrongState(NOT_PENDING, code="state"),
    )
    logger.info("Identity %s rejected (%s)", mask_id_number(identity.id_number), reason)
    return identity


def run_automatic_verifier(identity_id: int) -> None:
    """Ask the configured verifier about a pending identity (called by the Celery task)."""
    identity = Identity.objects.filter(pk=identity_id, state=IdentityState.PENDING).first()
    if identity is None:
        return
    try:
        result = get_verifier().check(identity)
    except Exception:
        logger.exception("Identity verifier failed; left for an officer")
        return
    if result is None:
        return
    if result.verified:
        verify_identity(identity=identity, by=None, note=result.note)
    else:
        reject_identity(
            identity=identity,
            by=None,
            reason=result.reason or IdentityRejectionReason.DATA_MISMATCH,
            note=result.note,
        )
