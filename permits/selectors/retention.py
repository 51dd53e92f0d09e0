"""What the retention job deletes (reads only; ``permits.services.retention`` deletes).

Three kinds of personal files, each due a configurable number of days after its case closed:

- identity photos (ID card front and back, face photo, agent proof),
  ``RETENTION_IDENTITY_PHOTOS_DAYS`` after the person has nothing open: the identity is not
  pending; no application for the person is unfinished or closed within the period; no
  registration is submitted or registered or changed within the period; no permit is active or
  reported lost, or suspended or cancelled within the period;
- application materials, ``RETENTION_APPLICATION_MATERIALS_DAYS`` after the application is
  final (rejected, withdrawn, collected, delivered);
- registration proofs, ``RETENTION_REGISTRATION_PROOFS_DAYS`` after the registration was
  rejected or cancelled (moved away), when no unfinished application rests on it;
- the lessor's phone and name on a lessor's confirmation (issue 31; it stands in for the lease,
  a registration proof): ``RETENTION_REGISTRATION_PROOFS_DAYS`` after the registration it served
  ended as for its proof, and, when an application used it as material,
  ``RETENTION_APPLICATION_MATERIALS_DAYS`` after that application is final. Emptied, not
  deleted (the row, its state and dates stay).

Open cases are never due. Each function returns a queryset (one SQL query, ``Exists``
sub-queries, no per-row work) of rows that still hold a file.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from applicants.constants import IdentityState
from applicants.models import Identity

from ..constants import FINAL_APPLICATION_STATES, PermitStatus, RegistrationState
from ..models import (
    LessorConfirmation,
    Material,
    PermitApplication,
    RegistrationTransition,
    ResidencePermit,
    ResidenceRegistration,
)

IDENTITY_FILE_FIELDS = ("id_card_front", "id_card_back", "face_photo", "agent_proof")
OPEN_REGISTRATION_STATES = (RegistrationState.SUBMITTED, RegistrationState.REGISTERED)
CLOSED_REGISTRATION_STATES = (RegistrationState.REJECTED, RegistrationState.CANCELLED)
# A permit in these statuses keeps its holder's photos (in use, or a replacement under way).
PERMIT_KEEPS_PHOTOS = (PermitStatus.ACTIVE, PermitStatus.LOST)


def _cutoff(days: int, now: dt.datetime | None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=days)


def _application_closed_at():
    """When a final application closed: handed over, withdrawn, decided (rejected)."""
    return _application_closed_at_of("")


def _application_closed_at_of(prefix: str):
    fields = ("completed_at", "withdrawn_at", "decided_at", "updated_at")
    return Coalesce(*(f"{prefix}{field}" for field in fields))


def _has_file(*fields: str) -> Q:
    q = Q()
    for field in fields:
        q |= ~Q(**{field: ""}) & Q(**{f"{field}__isnull": False})
    return q


def identities_with_photos_due(*, now: dt.datetime | None = None):
    cutoff = _cutoff(settings.RETENTION_IDENTITY_PHOTOS_DAYS, now)
    cutoff_date = timezone.localdate(cutoff)
    busy_application = (
        PermitApplication.objects.filter(person=OuterRef("pk"))
        .annotate(closed_at=_application_closed_at())
        .filter(~Q(state__in=FINAL_APPLICATION_STATES) | Q(closed_at__gt=cutoff))
    )
    busy_registration = ResidenceRegistration.objects.filter(person=OuterRef("pk")).filter(
        Q(state__in=OPEN_REGISTRATION_STATES)
        | Q(created_at__gt=cutoff)
        | Q(cancelled_on__gt=cutoff_date)
    )
    recent_registration_act = RegistrationTransition.objects.filter(
        registration__person=OuterRef("pk"), created_at__gt=cutoff
    )
    busy_permit = ResidencePermit.objects.filter(holder=OuterRef("pk")).filter(
        Q(status__in=PERMIT_KEEPS_PHOTOS)
        | Q(suspended_on__gt=cutoff_date)
        | Q(cancelled_on__gt=cutoff_date)
        | Q(updated_at__gt=cutoff)
    )
    return (
        Identity.objects.filter(_has_file(*IDENTITY_FILE_FIELDS))
        .exclude(state=IdentityState.PENDING)
        .annotate(last_own_act=Coalesce("decided_at", "submitted_at", "created_at"))
        .filter(last_own_act__lte=cutoff)
        .exclude(Exists(busy_application))
        .exclude(Exists(busy_registration))
        .exclude(Exists(recent_registration_act))
        .exclude(Exists(busy_permit))
        .order_by("pk")
    )


def materials_due(*, now: dt.datetime | None = None):
    cutoff = _cutoff(settings.RETENTION_APPLICATION_MATERIALS_DAYS, now)
    closed = (
        PermitApplication.objects.filter(state__in=FINAL_APPLICATION_STATES)
        .annotate(closed_at=_application_closed_at())
        .filter(closed_at__lte=cutoff)
    )
    return (
        Material.objects.filter(_has_file("file"))
        .filter(application__in=closed.values("pk"))
        .order_by("pk")
    )


def registration_proofs_due(*, now: dt.datetime | None = None):
    return _registrations_ended(now=now).filter(_has_file("proof")).order_by("pk")


def _registrations_ended(*, now: dt.datetime | None = None):
    """Registrations that ended (rejected, cancelled) ``RETENTION_REGISTRATION_PROOFS_DAYS``
    ago, with no act since and no unfinished application resting on them."""
    cutoff = _cutoff(settings.RETENTION_REGISTRATION_PROOFS_DAYS, now)
    cutoff_date = timezone.localdate(cutoff)
    recent_act = RegistrationTransition.objects.filter(
        registration=OuterRef("pk"), created_at__gt=cutoff
    )
    unfinished_application = PermitApplication.objects.filter(registration=OuterRef("pk")).exclude(
        state__in=FINAL_APPLICATION_STATES
    )
    return (
        ResidenceRegistration.objects.filter(
            state__in=CLOSED_REGISTRATION_STATES, created_at__lte=cutoff
        )
        .exclude(cancelled_on__gt=cutoff_date)
        .exclude(Exists(recent_act))
        .exclude(Exists(unfinished_application))
    )


def lessor_confirmations_due(*, now: dt.datetime | None = None):
    cutoff = _cutoff(settings.RETENTION_APPLICATION_MATERIALS_DAYS, now)
    material_still_kept = (
        Material.objects.filter(lessor_confirmation=OuterRef("pk"))
        .annotate(closed_at=_application_closed_at_of("application__"))
        .filter(~Q(application__state__in=FINAL_APPLICATION_STATES) | Q(closed_at__gt=cutoff))
    )
    return (
        LessorConfirmation.objects.filter(~Q(lessor_phone="") | ~Q(lessor_name=""))
        .filter(registration__in=_registrations_ended(now=now).values("pk"))
        .exclude(Exists(material_still_kept))
        .order_by("pk")
    )


# kind -> (the due rows, the file fields emptied)
DUE = {
    "identity_photos": (identities_with_photos_due, IDENTITY_FILE_FIELDS),
    "application_materials": (materials_due, ("file",)),
    "registration_proofs": (registration_proofs_due, ("proof",)),
    # not files: the lessor's personal data on the confirmation (issue 31)
    "lessor_confirmations": (lessor_confirmations_due, ("lessor_phone", "lessor_name")),
}
