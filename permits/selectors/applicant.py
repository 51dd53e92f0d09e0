"""Reads about one person: the current residence registration, the permit held, the open
application, a draft."""

from __future__ import annotations

from permits.constants import (
    HELD_PERMIT_STATUSES,
    OPEN_APPLICATION_STATES,
    ApplicationState,
    RegistrationState,
)
from permits.models import PermitApplication, ResidencePermit, ResidenceRegistration


def current_registration(person) -> ResidenceRegistration | None:
    """The person's registered residence (the newest, if several), with its house and station."""
    return (
        ResidenceRegistration.objects.filter(person=person, state=RegistrationState.REGISTERED)
        .select_related("house__station")
        .order_by("-since", "-pk")
        .first()
    )


def current_permit(person) -> ResidencePermit | None:
    """The permit the person holds (active, suspended or card lost), if any."""
    return (
        ResidencePermit.objects.filter(holder=person, status__in=HELD_PERMIT_STATUSES)
        .order_by("-issued_on", "-pk")
        .first()
    )


def open_application(person, *, exclude_pk=None) -> PermitApplication | None:
    """The person's application still in progress (draft to approval), if any."""
    qs = PermitApplication.objects.filter(person=person, state__in=OPEN_APPLICATION_STATES)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.first()


def draft_of(person, service) -> PermitApplication | None:
    """The person's draft for ``service``, if one exists."""
    return PermitApplication.objects.filter(
        person=person, service=service, state=ApplicationState.DRAFT
    ).first()
