from django.db import models
from django.utils.translation import gettext_lazy as _


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
    MINOR = "minor", _("Minor under 16")
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


# What the public code endpoint (web forms and the API) may ask for; the kiosk asks for the rest.
PUBLIC_PHONE_CODE_PURPOSES = (PhoneCodePurpose.SIGN_UP, PhoneCodePurpose.RESET_PASSWORD)
