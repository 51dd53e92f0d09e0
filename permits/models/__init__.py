"""The permits app's models, one module per concern; every model is re-exported here so
``from permits.models import X`` works (and migrations keep their app label and names).

- ``places``: Station, Agency (community service agency), StaffAssignment, House
- ``registrations``: ResidenceRegistration, RegistrationTransition
- ``permits``: Counter, ResidencePermit, CardSerial, PermitTransition
- ``materials``: MaterialRequirement, Material (and the application's material queries)
- ``access``: who may fire an application's transitions, and their conditions
- ``applications``: PermitApplication
- ``application_log``: ApplicationTransition and the timeline's plain words
- ``documents``: Document (文书): notices and residence certificates, verifiable PDFs
- ``ratings``: Rating (好差评), RatingFollowUp
- ``lessors``: LessorConfirmation (the lessor's confirmation of an address)
- ``appointments``: PickupWindow, StationClosure, AppointmentSlot, Appointment
- ``photo_receipts``: StudioPhoto (the local studio stand-in), PhotoReceiptUse
"""

from .access import StaffPermission, is_filer, new_pickup_code
from .application_log import TIMELINE_LABELS, ApplicationTransition
from .applications import PermitApplication
from .appointments import (
    SLOT_MINUTES,
    Appointment,
    AppointmentSlot,
    PickupWindow,
    StationClosure,
)
from .documents import Document
from .lessors import LessorConfirmation, LessorConfirmationTransition
from .materials import Material, MaterialRequirement
from .permits import CardSerial, Counter, PermitTransition, ResidencePermit
from .photo_receipts import PhotoReceiptUse, StudioPhoto
from .places import Agency, House, StaffAssignment, Station, new_house_code
from .ratings import BAD_RATING_MAX, Rating, RatingFollowUp, RatingScore
from .registrations import RegistrationTransition, ResidenceRegistration

__all__ = [
    "Agency",
    "SLOT_MINUTES",
    "BAD_RATING_MAX",
    "TIMELINE_LABELS",
    "ApplicationTransition",
    "Appointment",
    "AppointmentSlot",
    "CardSerial",
    "Document",
    "Counter",
    "House",
    "LessorConfirmation",
    "LessorConfirmationTransition",
    "Material",
    "MaterialRequirement",
    "PermitApplication",
    "PermitTransition",
    "PhotoReceiptUse",
    "PickupWindow",
    "Rating",
    "RatingFollowUp",
    "RatingScore",
    "RegistrationTransition",
    "ResidencePermit",
    "ResidenceRegistration",
    "StaffAssignment",
    "StaffPermission",
    "Station",
    "StationClosure",
    "StudioPhoto",
    "is_filer",
    "new_house_code",
    "new_pickup_code",
]
