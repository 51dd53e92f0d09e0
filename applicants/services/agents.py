"""Agents (代办人): an account files and corrects the identity of a person it acts for
(minors under 16, elderly, disabled; seed 001 Art. 9)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import NON_FIELD, InvalidInput, NotAllowed

from ..constants import (
    ELDERLY_AGE,
    MINOR_AGE_LIMIT,
    AgentReason,
    IdentityState,
    Relationship,
    agent_reason_age_mismatch,
)
from ..models import Identity, User
from .identities import (
    apply_identity_data,
    ensure_resubmittable,
    parsed_id_number,
    require_files,
    save_and_submit,
)


def _check_dependent_rules(*, account, facts, relationship, agent_reason) -> None:
    errors = {}
    if relationship not in (Relationship.GUARDIAN, Relationship.CLOSE_RELATIVE):
        errors["relationship"] = _("Choose guardian or close relative.")
    age = facts.age_on()
    mismatch = agent_reason_age_mismatch(agent_reason, age)
    if mismatch == "minor_of_age":
        errors["agent_reason"] = _(
            "By the ID number this person is %(age)d years old: only minors under %(limit)d "
            "count as minors."
        ) % {"age": age, "limit": MINOR_AGE_LIMIT}
    elif mismatch == "not_elderly":
        errors["agent_reason"] = _(
            "By the ID number this person is %(age)d years old: elderly means %(limit)d or older."
        ) % {"age": age, "limit": ELDERLY_AGE}
    elif agent_reason not in (AgentReason.MINOR, AgentReason.ELDERLY, AgentReason.DISABLED):
        errors["agent_reason"] = _("Choose why you act for this person.")
    own = account.own_identity
    if own is None or own.state not in (IdentityState.PENDING, IdentityState.VERIFIED):
        errors[NON_FIELD] = _("Verify your own identity first: an agent needs both identities.")
    elif own.id_number == facts.number:
        errors["id_number"] = _("This is your own ID number. Enter the dependent's.")
    if errors:
        raise InvalidInput(fields=errors)


def _dependent_required_files(agent_reason: str) -> tuple[str, ...]:
    # A child under 16 may have no ID card yet: the household register page is the front.
    if agent_reason == AgentReason.MINOR:
        return ("id_card_front", "face_photo", "agent_proof")
    return ("id_card_front", "id_card_back", "face_photo", "agent_proof")


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
    facts = parsed_id_number(id_number)
    _check_dependent_rules(
        account=account, facts=facts, relationship=relationship, agent_reason=agent_reason
    )
    if Identity.objects.filter(account=account, id_number=facts.number).exists():
        raise InvalidInput(fields={"id_number": _("You have already filed this ID number.")})
    identity = Identity(account=account, relationship=relationship, agent_reason=agent_reason)
    files = {
        "id_card_front": id_card_front,
        "id_card_back": id_card_back,
        "face_photo": face_photo,
        "agent_proof": agent_proof,
    }
    apply_identity_data(identity, full_name=full_name, id_number=id_number, files=files)
    require_files(identity, _dependent_required_files(agent_reason))
    return save_and_submit(identity, by=account)


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
        raise NotAllowed
    ensure_resubmittable(identity)
    facts = parsed_id_number(id_number)
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
    apply_identity_data(identity, full_name=full_name, id_number=id_number, files=files)
    require_files(identity, _dependent_required_files(agent_reason))
    return save_and_submit(identity, by=account)
