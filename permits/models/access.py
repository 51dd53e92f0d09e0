"""Who may fire an application's transitions, and the conditions the transitions check."""

import secrets

from ..constants import DeliveryMethod
from ..scoping import acts_for_row, agency_id_of


def new_pickup_code() -> str:
    """The token behind the pickup QR code: random, 128 bits, never derived from the reference."""
    return secrets.token_urlsafe(16)


class StaffPermission:
    """A transition permission for police staff: the Django permission AND the row's station
    (officers and clerks act for their own station; agency staff for their agency's cases;
    supervisors everywhere, ``permits.scoping``)."""

    def __init__(self, perm: str, *, agency_if: str = ""):
        self.perm = perm
        # agency staff hold this one only on rows where this attribute is true (issue 31)
        self.agency_if = agency_if

    def __call__(self, instance, user) -> bool:

        if not (user and user.is_authenticated and user.is_active and user.is_staff):
            return False
        if not user.has_perm(self.perm):
            return False
        if getattr(instance, "filed_by_id", None) == user.pk:
            return False  # never one's own application (separation of duties)
        agency_bound = self.agency_if and agency_id_of(user) is not None
        if agency_bound and not getattr(instance, self.agency_if, False):
            return False
        return acts_for_row(user, instance)  # agency staff: their agency's rows only

    def __repr__(self) -> str:
        return f"StaffPermission({self.perm!r})"


def is_filer(instance, user) -> bool:
    """A transition permission: only the account that filed the application (self or agent)."""
    return bool(user and user.is_authenticated and user.pk == instance.filed_by_id)


def person_is_verified(application) -> bool:
    return application.person.is_verified


def required_materials_present(application) -> bool:
    return not application.missing_required_codes()


def flagged_items_reuploaded(application) -> bool:
    return not application.flagged_items_not_reuploaded()


def no_delivery_chosen(application) -> bool:
    return not application.delivery_method


def ready_to_mail(application) -> bool:
    if application.delivery_method != DeliveryMethod.MAIL:
        return False
    return not application.needs_old_card or application.old_card_received_at is not None


def old_card_not_received(application) -> bool:
    return application.old_card_received_at is None
