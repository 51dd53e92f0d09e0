"""The permits app's models, one module per concern; every model is re-exported here so
``from permits.models import X`` works (and migrations keep their app label and names).

- ``places``: Station, StaffAssignment, House
- ``registrations``: ResidenceRegistration, RegistrationTransition
- ``permits``: Counter, ResidencePermit, CardSerial, PermitTransition
- ``materials``: MaterialRequirement, Material (and the application's material queries)
- ``access``: who may fire an application's transitions, and their conditions
- ``applications``: PermitApplication
- ``application_log``: ApplicationTransition and the timeline's plain words
"""

from .access import StaffPermission, is_filer, new_pickup_code
from .application_log import TIMELINE_LABELS, ApplicationTransition
from .applications import PermitApplication
from .materials import Material, MaterialRequirement
from .permits import CardSerial, Counter, PermitTransition, ResidencePermit
from .places import House, StaffAssignment, Station, new_house_code
from .registrations import RegistrationTransition, ResidenceRegistration

__all__ = [
    "TIMELINE_LABELS",
    "ApplicationTransition",
    "CardSerial",
    "Counter",
    "House",
    "Material",
    "MaterialRequirement",
    "PermitApplication",
    "PermitTransition",
    "RegistrationTransition",
    "ResidencePermit",
    "ResidenceRegistration",
    "StaffAssignment",
    "StaffPermission",
    "Station",
    "is_filer",
    "new_house_code",
    "new_pickup_code",
]
