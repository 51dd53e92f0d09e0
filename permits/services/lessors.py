"""The lessor's confirmation of a tenant's address (issue 31; seed 001 procedure 1, seed 004).

A registration at a rented house (or an address change filed under it) names the lessor's
phone; the lessor gets a single-use link by SMS (``send_direct_sms``, the SMS queue), proves the
phone with a code (``applicants`` phone codes, purpose ``lessor_confirm``), sees only the
address and the masked tenant, and confirms or declines. The link is signed with
``SECRET_KEY`` (``django.core.signing``), carries a random nonce kept on the row (a newer link
makes an older one stop working) and the house's id (it never speaks for another house), and
works once: a decided confirmation refuses its link. A confirmed lessor stands for the lease
among an application's materials (``permits.selectors.materials.reuse_offer``)."""

from __future__ import annotations

import datetime
import logging
import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from applicants.constants import PhoneCodePurpose
from applicants.services.phone_codes import (
    consume_phone_code,
    normalized_phone,
    request_phone_code,
)
from core.errors import InvalidInput, NotAllowed, RateLimited, WrongState
from core.fsm import run_transition
from core.masking import mask_name
from core.phones import mask_phone
from notifications.constants import NotificationKind
from notifications.services import notify, send_direct_sms

from ..constants import LessorConfirmationState, RegistrationState
from ..models import LessorConfirmation
from ..selectors.lessors import LINK_SALT, confirmation_from_token

logger = logging.getLogger(__name__)

RESEND_INTERVAL = datetime.timedelta(seconds=60)
OPEN_REGISTRATION_STATES = (RegistrationState.SUBMITTED, RegistrationState.REGISTERED)


def make_token(confirmation: LessorConfirmation) -> str:
    return signing.dumps(
        {"c": confirmation.pk, "h": confirmation.house_id, "n": confirmation.link_nonce},
        salt=LINK_SALT,
    )


def confirmation_link(confirmation: LessorConfirmation) -> str:
    path = reverse("permits:lessor_confirm", args=[make_token(confirmation)])
    return settings.SITE_URL.rstrip("/") + path


def _sms_text(confirmation: LessorConfirmation) -> str:
    return gettext(
        "%(tenant)s named you as the lessor of %(address)s for the residence registration. "
        "Confirm or decline here: %(link)s"
    ) % {
        "tenant": mask_name(confirmation.registration.person.full_name),
        "address": confirmation.house.address,
        "link": confirmation_link(confirmation),
    }


def check_lessor_phone(lessor_phone: str, *, account) -> str:
    """The lessor's number in E.164, or InvalidInput on ``lessor_phone``: a real mobile number,
    and never the tenant's own (a tenant cannot vouch for their own address)."""
    try:
        phone = normalized_phone(lessor_phone)
    except InvalidInput as exc:
        raise InvalidInput(
            code="bad_phone", fields={"lessor_phone": exc.field_messages().get("phone", [])}
        ) from exc
    if phone == account.phone:
        raise InvalidInput(
            code="own_phone",
            fields={"lessor_phone": _("Enter the lessor's phone, not your own.")},
        )
    return phone


def request_confirmation(*, user, registration, lessor_phone: str) -> LessorConfirmation:
    """The tenant (the account that filed ``registration``) names the lessor's phone; the lessor
    gets the link by SMS once the transaction commits. Asking again (another number, or the SMS
    lost) makes the earlier link stop working."""
    if registration.person.account_id != getattr(user, "pk", None):
        raise NotAllowed()
    if registration.state not in OPEN_REGISTRATION_STATES:
        raise WrongState(
            _("Only a registration waiting or in force can be confirmed by the lessor."),
            code="state",
        )
    phone = check_lessor_phone(lessor_phone, account=registration.person.account)
    now = timezone.now()
    with transaction.atomic():
        pending = (
            LessorConfirmation.objects.select_for_update()
            .filter(registration=registration, state=LessorConfirmationState.PENDING)
            .first()
        )
        if pending is not None and pending.requested_at > now - RESEND_INTERVAL:
            raise RateLimited(
                fields={
                    "lessor_phone": _(
                        "The link was sent less than a minute ago. Wait a moment and try again."
                    )
                },
                retry_after=int(RESEND_INTERVAL.total_seconds()),
            )
        nonce = secrets.token_urlsafe(24)
        if pending is not None:
            pending.lessor_phone = phone
            pending.link_nonce = nonce
            pending.requested_at = now
            pending.save(update_fields=["lessor_phone", "link_nonce", "requested_at"])
            confirmation = pending
        else:
            confirmation = LessorConfirmation.objects.create(
                registration=registration,
                house_id=registration.house_id,
                lessor_phone=phone,
                link_nonce=nonce,
                requested_at=now,
            )
            confirmation.record_transition(
                name="request",
                source="",
                target=LessorConfirmationState.PENDING,
                by=user,
                note=mask_phone(phone),
            )
        send_direct_sms(
            phone=phone,
            text=_sms_text(confirmation),
            idempotency_key=f"lessor_link:{confirmation.pk}:{nonce[:16]}",
        )
    logger.info(
        "Lessor's confirmation %s asked of %s for house %s",
        confirmation.pk,
        mask_phone(phone),
        confirmation.house_id,
    )
    return confirmation


def send_code(*, token: str, client_ip: str = "") -> LessorConfirmation:
    """A code to the lessor's phone (the number on the row, never one typed on the page)."""
    confirmation = confirmation_from_token(token)
    request_phone_code(
        phone=confirmation.lessor_phone,
        purpose=PhoneCodePurpose.LESSOR_CONFIRM,
        client_ip=client_ip,
    )
    return confirmation


def prove_phone(*, token: str, code: str, client_ip: str = "") -> LessorConfirmation:
    """Accept the code sent to the lessor's phone (once; wrong tries counted). Call outside any
    atomic block (``consume_phone_code``)."""
    confirmation = confirmation_from_token(token)
    consume_phone_code(
        phone=confirmation.lessor_phone,
        purpose=PhoneCodePurpose.LESSOR_CONFIRM,
        code=code,
        client_ip=client_ip,
    )
    return confirmation


def decide(
    *, token: str, phone_proven_for: str, confirm: bool, lessor_name: str = ""
) -> LessorConfirmation:
    """The lessor's answer. ``phone_proven_for``: the nonce of the link whose phone was proven
    in this browser session (``prove_phone``); a link sent again needs the phone proven again."""
    confirmation = confirmation_from_token(token)
    if not phone_proven_for or phone_proven_for != confirmation.link_nonce:
        raise NotAllowed(_("Prove your phone number with the code first."), code="phone_unproven")
    lessor_name = (lessor_name or "").strip()[:100]
    if confirm and not lessor_name:
        raise InvalidInput(fields={"lessor_name": _("Enter your name as the lessor.")})
    used = WrongState(_("This link has already been used. Thank you."), code="link_used")
    nonce = confirmation.link_nonce

    def still_the_same_link(locked):
        # the row is locked now: a link sent again meanwhile is refused
        if locked.link_nonce != nonce:
            raise NotAllowed()

    now = timezone.now()
    note = mask_phone(confirmation.lessor_phone)
    extra = {"at": now, "lessor_name": lessor_name} if confirm else {"at": now}
    return run_transition(
        confirmation,
        "confirm" if confirm else "decline",
        user=None,
        check_permission=False,  # the signed link and the proven phone are the check
        before=still_the_same_link,
        after=_tell_the_tenant,
        note=note,
        wrong_state=used,
        **extra,
    )


def _tell_the_tenant(confirmation: LessorConfirmation) -> None:
    """My Affairs and an SMS to the tenant (the SMS after commit, ``notify``)."""
    registration = confirmation.registration
    notify(
        registration.person.account,
        NotificationKind.LESSOR_ANSWERED,
        {
            "address": confirmation.house.address,
            "confirmed": confirmation.is_confirmed,
        },
        related=confirmation,
        link=reverse("permits:registration_detail", args=[registration.pk]),
    )
