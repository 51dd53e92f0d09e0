"""Services of the applicants app: phone codes, accounts, identities and agents.

Keyword-only functions taking the acting user; views, admin actions and tasks all call these.
Every state change goes through an FSM transition inside ``transaction.atomic()``.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import secrets

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import TransitionNotAllowed

from core.masking import mask_id_number
from core.phones import mask_phone, normalize_phone
from notifications.services import notify, render_message, send_direct_sms

from .constants import (
    AgentReason,
    IdentityRejectionReason,
    IdentityState,
    PhoneCodePurpose,
    Relationship,
)
from .id_numbers import parse_id_number
from .models import Identity, PhoneCode, User
from .verifiers import get_verifier

logger = logging.getLogger(__name__)

CODE_TTL = datetime.timedelta(minutes=10)
CODE_MAX_TRIES = 5
MINOR_AGE_LIMIT = 16  # seed 001 Art. 9: minors under 16
ELDERLY_AGE = 60  # Law on the Protection of the Rights and Interests of the Elderly, Art. 2


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


# --- phone codes --------------------------------------------------------------------------


def _phone_key(phone: str) -> str:
    """Cache keys never hold a phone number (or a client address) in clear."""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{phone}".encode()).hexdigest()[:32]


def _hit(key: str, limit: int, window: int) -> bool:
    """Count one event in a fixed window; True while within ``limit``. Atomic on Redis."""
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def _code_hash(*, phone: str, purpose: str, code: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    digest = salted_hmac(
        "applicants.PhoneCode", f"{salt}:{phone}:{purpose}:{code}", algorithm="sha256"
    ).hexdigest()
    return f"{salt}${digest}"


def _code_matches(phone_code: PhoneCode, code: str) -> bool:
    salt, _sep, _digest = phone_code.code_hash.partition("$")
    expected = _code_hash(
        phone=phone_code.phone, purpose=phone_code.purpose, code=code.strip(), salt=salt
    )
    return constant_time_compare(expected, phone_code.code_hash)


def request_phone_code(*, phone: str, purpose: str, client_ip: str = "") -> None:
    """Send a 6-digit code to ``phone`` if it may receive one for ``purpose``.

    The caller shows the same answer whatever happens here, so the page never tells whether a
    number has an account: sign-up for a registered number gets an SMS saying so instead of a
    code, and a reset for an unknown number sends nothing. Rate limits (per number and per
    client address, through the cache so they hold across processes) apply in every case.
    """
    purpose = PhoneCodePurpose(purpose)
    phone = normalize_phone(phone)
    key = _phone_key(phone)
    interval = _setting("PHONE_CODE_MIN_INTERVAL_SECONDS", 60)
    if interval > 0 and not cache.add(f"phonecode:gap:{purpose}:{key}", 1, timeout=interval):
        raise ValidationError(
            _("A code was sent less than %(seconds)d seconds ago. Wait a moment and try again."),
            code="rate_limited",
            params={"seconds": interval},
        )
    too_many = ValidationError(
        _("Too many codes were asked for. Try again in an hour."), code="rate_limited"
    )
    ip_limit = _setting("PHONE_CODE_MAX_PER_IP_PER_HOUR", 20)
    if client_ip and not _hit(f"phonecode:ip:{_phone_key(client_ip)}", ip_limit, 3600):
        raise too_many
    if not _hit(f"phonecode:hour:{key}", _setting("PHONE_CODE_MAX_PER_HOUR", 5), 3600):
        raise too_many

    has_account = User.objects.filter(phone=phone).exists()
    if purpose == PhoneCodePurpose.SIGN_UP and has_account:
        send_direct_sms(
            phone=phone,
            text=gettext(
                "Someone asked to sign up with this number, which already has an account. "
                "If you forgot your password, use 'Forgot password' on the login page."
            ),
            idempotency_key=f"phone_code:exists:{secrets.token_hex(8)}",
        )
        return
    if purpose == PhoneCodePurpose.RESET_PASSWORD and not has_account:
        logger.info("Password reset code not sent: no account for %s", mask_phone(phone))
        return

    code = f"{secrets.randbelow(1_000_000):06d}"
    now = timezone.now()
    with transaction.atomic():
        # Only the newest code counts: older ones stop working.
        PhoneCode.objects.filter(phone=phone, purpose=purpose, used_at__isnull=True).update(
            used_at=now
        )
        phone_code = PhoneCode.objects.create(
            phone=phone,
            purpose=purpose,
            code_hash=_code_hash(phone=phone, purpose=purpose, code=code),
            created_at=now,
            expires_at=now + CODE_TTL,
        )
        send_direct_sms(
            phone=phone,
            text=_code_sms_text(code),
            idempotency_key=f"phone_code:{phone_code.pk}",
        )


def _code_sms_text(code: str) -> str:
    """The SMS text of the ``phone_code`` kind, in the language of the page that asked."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    _title, _body, sms = render_message(
        kind="phone_code",
        context={"code": code, "valid_minutes": int(CODE_TTL.total_seconds() // 60)},
        language=language,
    )
    return sms


def _check_code_attempt_limits(*, phone: str, client_ip: str) -> None:
    """Count one code check per number and per client address (across processes, in the cache).

    Counted before the code is looked at, so a flood of guesses is refused whatever it guesses.
    """
    too_many = ValidationError(
        {"code": _("Too many code checks. Try again in an hour.")}, code="rate_limited"
    )
    ip_limit = _setting("PHONE_CODE_CHECKS_PER_IP_PER_HOUR", 30)
    if client_ip and not _hit(f"phonecode:check:ip:{_phone_key(client_ip)}", ip_limit, 3600):
        raise too_many
    phone_limit = _setting("PHONE_CODE_CHECKS_PER_NUMBER_PER_HOUR", 15)
    if not _hit(f"phonecode:check:number:{_phone_key(phone)}", phone_limit, 3600):
        raise too_many


def consume_phone_code(*, phone: str, purpose: str, code: str, client_ip: str = "") -> None:
    """Accept the newest code for ``phone`` once, or raise ValidationError (field ``code``).

    The attempt counter is written in a transaction of its own that commits before the error is
    raised: call this outside any ``transaction.atomic()`` block, or a rollback of the caller's
    block would undo the count and let the code be guessed without limit.
    """
    if any(
        not getattr(block, "_from_testcase", False)  # the test runner's own outer transaction
        for block in transaction.get_connection().atomic_blocks
    ):
        raise RuntimeError("consume_phone_code() must not run inside an atomic block")
    _check_code_attempt_limits(phone=phone, client_ip=client_ip)
    now = timezone.now()
    outcome = "wrong"
    remaining = 0
    with transaction.atomic():
        phone_code = (
            PhoneCode.objects.select_for_update()
            .filter(phone=phone, purpose=purpose, used_at__isnull=True)
            .order_by("-created_at", "-pk")
            .first()
        )
        if phone_code is None or phone_code.expires_at <= now:
            outcome = "wrong"
        elif phone_code.attempts >= CODE_MAX_TRIES:
            outcome = "exhausted"
        elif _code_matches(phone_code, code or ""):
            phone_code.used_at = now
            phone_code.save(update_fields=["used_at"])
            outcome = "ok"
        else:
            PhoneCode.objects.filter(pk=phone_code.pk).update(attempts=F("attempts") + 1)
            remaining = CODE_MAX_TRIES - phone_code.attempts - 1
            outcome = "exhausted" if remaining <= 0 else "wrong_with_tries"
    if outcome == "ok":
        return
    if outcome == "exhausted":
        raise ValidationError(
            {"code": _("Too many wrong tries with this code. Ask for a new code.")},
            code="code_exhausted",
        )
    if outcome == "wrong_with_tries":
        raise ValidationError(
            {
                "code": ValidationError(
                    _("The code is wrong or has expired. %(remaining)d tries left."),
                    code="code_wrong",
                    params={"remaining": remaining},
                )
            }
        )
    raise ValidationError(
        {"code": _("The code is wrong or has expired. Ask for a new code.")}, code="code_wrong"
    )


def sign_up(
    *, phone: str, code: str, password: str, display_name: str = "", client_ip: str = ""
) -> User:
    """Create an account for a phone number proved by its SMS code.

    The code is checked (and a wrong try counted, committed) before the account is written.
    """
    phone = normalize_phone(phone)
    validate_password(password, user=User(phone=phone, display_name=display_name))
    consume_phone_code(
        phone=phone, purpose=PhoneCodePurpose.SIGN_UP, code=code, client_ip=client_ip
    )
    try:
        with transaction.atomic():
            user = User.objects.create_user(phone, password, display_name=display_name)
    except IntegrityError as exc:  # the number got an account meanwhile: same answer as a bad code
        raise ValidationError(
            {"code": _("The code is wrong or has expired. Ask for a new code.")}
        ) from exc
    return user


def reset_password(*, phone: str, code: str, new_password: str, client_ip: str = "") -> User:
    """Set a new password for the account of ``phone`` after checking its SMS code.

    The code is checked (and a wrong try counted, committed) before anything else is written.
    """
    phone = normalize_phone(phone)
    account = User.objects.filter(phone=phone).first()
    validate_password(new_password, user=account or User(phone=phone))
    consume_phone_code(
        phone=phone, purpose=PhoneCodePurpose.RESET_PASSWORD, code=code, client_ip=client_ip
    )
    with transaction.atomic():
        user = User.objects.select_for_update().get(phone=phone)
        user.set_password(new_password)
        user.save(update_fields=["password"])
    return user


# --- identities ---------------------------------------------------------------------------

PHOTO_FIELDS = ("id_card_front", "id_card_back", "face_photo")


def _apply_identity_data(identity: Identity, *, full_name: str, id_number: str, files: dict):
    facts = parse_id_number(id_number)
    identity.full_name = (full_name or "").strip()
    if not identity.full_name:
        raise ValidationError({"full_name": _("Enter the full name as on the ID card.")})
    identity.id_number = facts.number
    identity.birth_date = facts.birth_date
    identity.sex = facts.sex
    for field, upload in files.items():
        if upload:
            setattr(identity, field, upload)  # stored (under a random name) when saved
    return facts


def _require_files(identity: Identity, fields) -> None:
    missing = {
        field: ValidationError(_("Upload this photo."), code="required")
        for field in fields
        if not getattr(identity, field)
    }
    if missing:
        raise ValidationError(missing)


def _save_and_submit(identity: Identity, *, by) -> Identity:
    try:
        with transaction.atomic():
            identity.save()
            identity.submit(by=by)
            identity.save()
    except IntegrityError as exc:
        raise ValidationError(
            {"id_number": _("You have already filed an identity with this ID number.")}
        ) from exc
    _schedule_automatic_check(identity)
    return identity


# Sent after commit when an identity awaits an automatic verifier; ``applicants.tasks`` answers by
# queueing the check (services never import tasks: tasks import services).
identity_submitted = Signal()


def _schedule_automatic_check(identity: Identity) -> None:
    if not get_verifier().automatic:
        return
    transaction.on_commit(lambda: identity_submitted.send(sender=Identity, identity_id=identity.pk))


def _ensure_resubmittable(identity: Identity) -> None:
    if identity.state not in (IdentityState.UNVERIFIED, IdentityState.REJECTED):
        raise ValidationError(
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
        _ensure_resubmittable(identity)
    files = {"id_card_front": id_card_front, "id_card_back": id_card_back}
    files["face_photo"] = face_photo
    facts = _apply_identity_data(identity, full_name=full_name, id_number=id_number, files=files)
    if (
        Identity.objects.filter(account=account, id_number=facts.number)
        .exclude(pk=identity.pk)
        .exists()
    ):
        raise ValidationError(
            {"id_number": _("You have already filed this ID number for a dependent.")}
        )
    _require_files(identity, PHOTO_FIELDS)
    return _save_and_submit(identity, by=account)


def _check_dependent_rules(*, account, facts, relationship, agent_reason) -> None:
    errors = {}
    if relationship not in (Relationship.GUARDIAN, Relationship.CLOSE_RELATIVE):
        errors["relationship"] = _("Choose guardian or close relative.")
    age = facts.age_on()
    if agent_reason == AgentReason.MINOR and age >= MINOR_AGE_LIMIT:
        errors["agent_reason"] = _(
            "By the ID number this person is %(age)d years old: only minors under 16 "
            "count as minors."
        ) % {"age": age}
    elif agent_reason == AgentReason.ELDERLY and age < ELDERLY_AGE:
        errors["agent_reason"] = _(
            "By the ID number this person is %(age)d years old: elderly means 60 or older."
        ) % {"age": age}
    elif agent_reason not in (AgentReason.MINOR, AgentReason.ELDERLY, AgentReason.DISABLED):
        errors["agent_reason"] = _("Choose why you act for this person.")
    own = account.own_identity
    if own is None or own.state not in (IdentityState.PENDING, IdentityState.VERIFIED):
        errors[NON_FIELD_ERRORS] = _(
            "Verify your own identity first: an agent needs both identities."
        )
    elif own.id_number == facts.number:
        errors["id_number"] = _("This is your own ID number. Enter the dependent's.")
    if errors:
        raise ValidationError(errors)


def add_dependent(
    *,
    account: User,
    full_name: str,
    id_number: str,
    relationship: str,
    agent_reason: str,
    agent_proof=None,
    id_card_front=None,
    id_card_back=None,
    face_photo=None,
) -> Identity:
    """An agent (代办人) files the identity of a person they act for (seed 001 Art. 9)."""
    facts = parse_id_number(id_number)
    _check_dependent_rules(
        account=account, facts=facts, relationship=relationship, agent_reason=agent_reason
    )
    if Identity.objects.filter(account=account, id_number=facts.number).exists():
        raise ValidationError({"id_number": _("You have already filed this ID number.")})
    identity = Identity(account=account, relationship=relationship, agent_reason=agent_reason)
    files = {
        "id_card_front": id_card_front,
        "id_card_back": id_card_back,
        "face_photo": face_photo,
        "agent_proof": agent_proof,
    }
    _apply_identity_data(identity, full_name=full_name, id_number=id_number, files=files)
    _require_files(identity, _dependent_required_files(agent_reason))
    return _save_and_submit(identity, by=account)


def _dependent_required_files(agent_reason: str) -> tuple[str, ...]:
    # A child under 16 may have no ID card yet: the household register page is the front.
    if agent_reason == AgentReason.MINOR:
        return ("id_card_front", "face_photo", "agent_proof")
    return ("id_card_front", "id_card_back", "face_photo", "agent_proof")


def resubmit_dependent(
    *,
    identity: Identity,
    account: User,
    full_name: str,
    id_number: str,
    relationship: str,
    agent_reason: str,
    agent_proof=None,
    id_card_front=None,
    id_card_back=None,
    face_photo=None,
) -> Identity:
    """Correct a rejected (or never submitted) dependent identity and submit it again."""
    if identity.account_id != account.pk or not identity.is_dependent:
        raise PermissionDenied
    _ensure_resubmittable(identity)
    facts = parse_id_number(id_number)
    _check_dependent_rules(
        account=account, facts=facts, relationship=relationship, agent_reason=agent_reason
    )
    identity.relationship = relationship
    identity.agent_reason = agent_reason
    files = {
        "id_card_front": id_card_front,
        "id_card_back": id_card_back,
        "face_photo": face_photo,
        "agent_proof": agent_proof,
    }
    _apply_identity_data(identity, full_name=full_name, id_number=id_number, files=files)
    _require_files(identity, _dependent_required_files(agent_reason))
    return _save_and_submit(identity, by=account)


def _check_verifier(by, identity: Identity | None = None) -> None:
    """``by`` None is the system (an automatic verifier); a person needs the permission, and
    never decides an identity their own account filed (separation of duties)."""
    if by is not None and not by.has_perm("applicants.verify_identity"):
        raise PermissionDenied
    if by is not None and identity is not None and identity.account_id == by.pk:
        raise PermissionDenied


DUPLICATE_VERIFIED = _(
    "Another account already has a verified identity with this ID number. Reject this one "
    "(reason: name or ID number does not match) or ask the other account holder first."
)


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
        raise ValidationError(DUPLICATE_VERIFIED, code="duplicate_verified")
    try:
        with transaction.atomic():
            identity.verify(by=by, note=note)
            identity.save()
            _notify_decision(identity, "identity_verified")
    except TransitionNotAllowed as exc:
        raise ValidationError(
            _("This identity is not waiting for verification."), code="state"
        ) from exc
    except IntegrityError as exc:
        identity.refresh_from_db()
        raise ValidationError(DUPLICATE_VERIFIED, code="duplicate_verified") from exc
    logger.info("Identity %s verified", mask_id_number(identity.id_number))
    return identity


def reject_identity(*, identity: Identity, by, reason: str, note: str = "") -> Identity:
    """An officer rejects a pending identity with a reason from the list and free text."""
    _check_verifier(by, identity)
    if reason not in IdentityRejectionReason.values:
        raise ValidationError({"reason": _("Choose a reason from the list.")})
    if reason == IdentityRejectionReason.OTHER and not (note or "").strip():
        raise ValidationError({"note": _("Explain the reason when you choose 'Other'.")})
    try:
        with transaction.atomic():
            identity.reject(by=by, reason=reason, note=(note or "").strip())
            identity.save()
            _notify_decision(identity, "identity_rejected")
    except TransitionNotAllowed as exc:
        raise ValidationError(
            _("This identity is not waiting for verification."), code="state"
        ) from exc
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


def dependents_of(account: User):
    return account.identities.exclude(relationship=Relationship.SELF).order_by("created_at")
