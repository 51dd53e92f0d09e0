"""Reads of the lessor's confirmation (issue 31): the link's token, and the confirmation that
stands for a registration's lease. Writes are ``permits.services.lessors``."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import NotAllowed, WrongState

from ..constants import LessorConfirmationState, RegistrationState
from ..models import LessorConfirmation

LINK_SALT = "permits.lessor-link"


def confirmation_from_token(token: str) -> LessorConfirmation:
    """The confirmation a link names. Forged, tampered, superseded by a newer link or naming
    another house: ``NotAllowed``; expired or already decided: ``WrongState``."""
    max_age = settings.LESSOR_LINK_MAX_AGE_DAYS * 86400
    try:
        payload = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise WrongState(
            _("This link has expired. Ask your tenant to send it again."), code="link_expired"
        ) from None
    except signing.BadSignature:
        raise NotAllowed() from None
    if not isinstance(payload, dict):
        raise NotAllowed()
    confirmation = (
        LessorConfirmation.objects.select_related(
            "house", "registration", "registration__person", "registration__house"
        )
        .filter(pk=payload.get("c"))
        .first()
    )
    if (
        confirmation is None
        or not confirmation.link_nonce
        or payload.get("n") != confirmation.link_nonce
        # bound to the address: the house the link was made for is the confirmation's house,
        # which is the registration's
        or payload.get("h") != confirmation.house_id
        or confirmation.registration.house_id != confirmation.house_id
    ):
        raise NotAllowed()
    if confirmation.state != LessorConfirmationState.PENDING:
        raise WrongState(_("This link has already been used. Thank you."), code="link_used")
    if confirmation.registration.state not in (
        RegistrationState.SUBMITTED,
        RegistrationState.REGISTERED,
    ):
        raise WrongState(
            _("This registration has ended: nothing is left to confirm. Thank you."),
            code="registration_ended",
        )
    return confirmation


def confirmed_for(registration) -> LessorConfirmation | None:
    """The lessor's confirmation of this registration's own house, if one was given."""
    if registration is None:
        return None
    return (
        LessorConfirmation.objects.filter(
            registration=registration,
            house_id=registration.house_id,
            state=LessorConfirmationState.CONFIRMED,
        )
        .order_by("-decided_at", "-pk")
        .first()
    )


def latest_for(registration) -> LessorConfirmation | None:
    """The newest confirmation asked for this registration (for its page and the desk)."""
    return (
        LessorConfirmation.objects.filter(registration=registration)
        .order_by("-requested_at", "-pk")
        .first()
    )


def describe(confirmation: LessorConfirmation | None) -> str:
    """Who confirmed, and when, in the officer's words (the desk and the registration)."""
    if confirmation is None:
        return ""
    facts = {
        "name": confirmation.lessor_name,
        "phone": confirmation.masked_phone,
        "requested": _local(confirmation.requested_at),
        "decided": _local(confirmation.decided_at),
    }
    if confirmation.state == LessorConfirmationState.CONFIRMED:
        text = _("Confirmed by the lessor %(name)s (%(phone)s, phone proven) at %(decided)s")
    elif confirmation.state == LessorConfirmationState.DECLINED:
        text = _("Declined by the lessor (%(phone)s) at %(decided)s")
    else:
        text = _("Asked of the lessor (%(phone)s) at %(requested)s; no answer yet")
    return str(text) % facts


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""
