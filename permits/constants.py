import enum

from django.db import models
from django.utils.translation import gettext_lazy as _


class Basis(models.TextChoices):
    """The condition a person meets (seed 003, Regulations Art. 2)."""

    EMPLOYMENT = "employment", _("Legally stable employment")
    RESIDENCE = "residence", _("Legally stable residence")
    STUDY = "study", _("Continuous study")


class RegistrationState(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    REGISTERED = "registered", _("Registered")
    REJECTED = "rejected", _("Rejected")
    CANCELLED = "cancelled", _("Cancelled (moved away)")


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("Waiting for more material")
    ACCEPTED = "accepted", _("Accepted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    PRODUCED = "produced", _("Certificate produced")
    AWAITING_PICKUP = "awaiting_pickup", _("Waiting for pickup at the window")
    COLLECTED = "collected", _("Collected")
    AWAITING_OLD_CARD = "awaiting_old_card", _("Waiting for the old card by mail")
    MAILED = "mailed", _("Mailed")
    DELIVERED = "delivered", _("Delivered")
    # cancellation (注销, seed 001 procedure 3): the card travels back to the station
    AWAITING_CARD_RETURN = "awaiting_card_return", _("Waiting for the card to be returned")
    CARD_RETURNED = "card_returned", _("Card returned; waiting for the officer")
    COMPLETED = "completed", _("Completed")


# An application in these states blocks another one for the same person (until the decision);
# from "produced" on the permit is already issued or updated and only the card travels.
OPEN_APPLICATION_STATES = (
    ApplicationState.DRAFT,
    ApplicationState.SUBMITTED,
    ApplicationState.SUPPLEMENT_REQUESTED,
    ApplicationState.ACCEPTED,
    ApplicationState.APPROVED,
    ApplicationState.AWAITING_CARD_RETURN,
    ApplicationState.CARD_RETURNED,
)
# On a station's work queue (review.selectors.QUEUE_STATES): the officer's and the clerk's. The
# queue index (PermitApplication.Meta) covers exactly these rows, in the queue's order.
STATION_QUEUE_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.SUPPLEMENT_REQUESTED,
    ApplicationState.ACCEPTED,
    ApplicationState.APPROVED,
    ApplicationState.PRODUCED,
    ApplicationState.AWAITING_PICKUP,
    ApplicationState.AWAITING_OLD_CARD,
    ApplicationState.MAILED,
    ApplicationState.AWAITING_CARD_RETURN,
    ApplicationState.CARD_RETURNED,
)
# Submitted and not yet decided: "a renewal is in progress" (no endorsement reminder then).
IN_PROGRESS_STATES = (
    ApplicationState.SUBMITTED,
    ApplicationState.SUPPLEMENT_REQUESTED,
    ApplicationState.ACCEPTED,
    ApplicationState.APPROVED,
)
# Before approval the applicant may withdraw (ARCHITECTURE.md).
WITHDRAWABLE_STATES = (
    ApplicationState.DRAFT,
    ApplicationState.SUBMITTED,
    ApplicationState.SUPPLEMENT_REQUESTED,
    ApplicationState.ACCEPTED,
    ApplicationState.AWAITING_CARD_RETURN,  # a cancellation, until the station has the card
)
FINAL_APPLICATION_STATES = (
    ApplicationState.REJECTED,
    ApplicationState.WITHDRAWN,
    ApplicationState.COLLECTED,
    ApplicationState.DELIVERED,
    ApplicationState.COMPLETED,
)


class PermitStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    SUSPENDED = "suspended", _("Suspended (endorsement overdue)")
    LOST = "lost", _("Card reported lost")
    CANCELLED = "cancelled", _("Cancelled (moved away)")


# A person holds at most one permit in these statuses.
HELD_PERMIT_STATUSES = (PermitStatus.ACTIVE, PermitStatus.SUSPENDED, PermitStatus.LOST)


class DeliveryMethod(models.TextChoices):
    """How the produced card reaches the applicant (seed 002 step ④)."""

    WINDOW = "window", _("Pick up at the station window")
    MAIL = "mail", _("By mail (postage collect)")


class CardReturn(models.TextChoices):
    """How the card goes back to the station on cancellation (seed 001 procedure 3): the
    pickup/mail choice of the other services, reversed."""

    MAIL = "mail", _("Mail the card to the police station")
    WINDOW = "window", _("Hand the card in at the station window")


class ReplacementReason(models.TextChoices):
    LOST = "lost", _("Card lost")
    DAMAGED = "damaged", _("Card damaged beyond recognition")


class ChangedField(models.TextChoices):
    """What changed, for a change of registered details (seed 002 二)."""

    ADDRESS = "address", _("Residence address")
    EMPLOYER = "employer", _("Employer")
    SCHOOL = "school", _("School")


class SupplementReason(models.TextChoices):
    """Why an item is flagged in a one-time notice (一次性告知, seed 001 Art. 9)."""

    MISSING = "missing", _("Missing")
    UNCLEAR = "unclear", _("Unclear or unreadable")
    EXPIRED = "expired", _("Expired or out of date")
    WRONG_DOCUMENT = "wrong_document", _("Not a document that counts as proof")
    MISMATCH = "mismatch", _("Does not match the application")
    OTHER = "other", _("Other (see note)")


class ApplicationRejectionReason(models.TextChoices):
    NOT_ELIGIBLE = "not_eligible", _("The conditions for this service are not met")
    FALSE_INFORMATION = "false_information", _("The information does not match reality")
    MATERIALS_NOT_PROVIDED = "materials_not_provided", _("The requested material was not provided")
    OTHER = "other", _("Other (see note)")


class CardSerialStatus(models.TextChoices):
    VALID = "valid", _("Valid")
    INVALIDATED = "invalidated", _("Invalidated")


class StaffGroup(models.TextChoices):
    """Django auth groups (created by a data migration) that give staff their permissions."""

    OFFICER = "officer", _("Police officer")
    CLERK = "clerk", _("Station clerk")
    SUPERVISOR = "supervisor", _("Supervisor")
    # Issue 31: staff of a community service agency the police entrusted (Art. 9)
    AGENCY = "agency", _("Community service agency staff")


class DocumentKind(enum.StrEnum):
    """The codes of the built-in papers a station signs (issue 16): each decision on paper, and
    proof of residence. What each kind is (name, title, template, facts) is declared in its
    module of ``permits.papers``, the registry ``Document.kind`` takes its choices from."""

    ACCEPTANCE = "acceptance"
    SUPPLEMENT = "supplement"
    REFUSAL = "refusal"
    HANDOVER = "handover"
    RESIDENCE_CERTIFICATE = "residence_certificate"


class LessorConfirmationState(models.TextChoices):
    """The lessor's confirmation of a tenant's address (seed 001 procedure 1, seed 004)."""

    PENDING = "pending", _("Waiting for the lessor")
    CONFIRMED = "confirmed", _("Confirmed by the lessor")
    DECLINED = "declined", _("Declined by the lessor")
