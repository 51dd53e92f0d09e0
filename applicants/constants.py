from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# The agents' age limits, defined once here (applicants checks them when an agent files a
# dependent; permits.rules.agents re-exports them: permits may import applicants, not the reverse).
#: Seed 001 Art. 9 (the Regulations): an agent applies for a minor under 16; from the 16th
#: birthday on, the person applies in person.
MINOR_AGE_LIMIT = 16
#: Seed 001 Art. 9 (the Regulations): an agent applies for an elderly person with mobility
#: difficulties; elderly means 60 or older (Law on the Protection of the Rights and Interests
#: of the Elderly, Art. 2).
ELDERLY_AGE = 60


def agent_reason_age_mismatch(agent_reason: str, age: int) -> str:
    """Seed 001 Art. 9: whether a person of ``age`` still fits the reason an agent acts for them,
    the one comparison of the age limits (checked when the dependent is filed, and again by
    ``permits.rules.agents`` each time the agent applies: a minor grows up). "" when it fits,
    ``"minor_of_age"`` (16 or older) or ``"not_elderly"`` (under 60)."""
    if agent_reason == "minor" and age >= MINOR_AGE_LIMIT:
        return "minor_of_age"
    if agent_reason == "elderly" and age < ELDERLY_AGE:
        return "not_elderly"
    return ""


class IdentityState(models.TextChoices):
    UNVERIFIED = "unverified", _("Not verified")
    PENDING = "pending", _("Waiting for verification")
    VERIFIED = "verified", _("Verified")
    REJECTED = "rejected", _("Rejected")


class Relationship(models.TextChoices):
    """Who the identity belongs to, seen from the account that filed it (seed 001 Art. 9)."""

    SELF = "self", _("Myself")
    GUARDIAN = "guardian", _("Guardian")
    CLOSE_RELATIVE = "close_relative", _("Close relative")


class AgentReason(models.TextChoices):
    """Why an agent acts for the person (seed 001 Art. 9). Empty for one's own identity."""

    NONE = "", _("Not applicable")
    MINOR = "minor", format_lazy(_("Minor under {age}"), age=MINOR_AGE_LIMIT)
    ELDERLY = "elderly", _("Elderly person with mobility difficulties")
    DISABLED = "disabled", _("Disabled person")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class IdentityRejectionReason(models.TextChoices):
    PHOTO_UNCLEAR = "photo_unclear", _("A photo is unclear or incomplete")
    DATA_MISMATCH = "data_mismatch", _("Name or ID number does not match the ID card")
    FACE_MISMATCH = "face_mismatch", _("The face photo does not match the ID card")
    DOCUMENT_EXPIRED = "document_expired", _("The ID card has expired")
    AGENT_NOT_ELIGIBLE = "agent_not_eligible", _("The agent relationship is not proven")
    OTHER = "other", _("Other")


class PhoneCodePurpose(models.TextChoices):
    SIGN_UP = "sign_up", _("Sign up")
    RESET_PASSWORD = "reset_password", _("Reset password")
    # The station kiosk (issue 17): no password is typed at a public machine; the account signs
    # in with a code, and confirms a submission with another one.
    SIGN_IN = "sign_in", _("Sign in at a kiosk")
    CONFIRM_SUBMIT = "confirm_submit", _("Confirm a submission")
    # A lessor proves the phone named by a tenant before confirming the address (issue 31).
    LESSOR_CONFIRM = "lessor_confirm", _("Confirm a tenant's address")


# What the public code endpoint (web forms and the API) may ask for; the kiosk asks for the rest.
PUBLIC_PHONE_CODE_PURPOSES = (PhoneCodePurpose.SIGN_UP, PhoneCodePurpose.RESET_PASSWORD)
