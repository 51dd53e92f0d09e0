"""Reads of residence registrations for lists: the facts of many registrations in one query."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.utils import timezone

from permits import rules
from permits.constants import RegistrationState
from permits.models import ResidenceRegistration
from permits.services.registrations import (
    PERIOD_FIELDS,
    PERIOD_STATES,
    ResidenceFacts,
    residence_period,
)


def residence_facts_of(registrations, *, today: datetime.date | None = None) -> None:
    """``facts`` on each registration in force, as ``services.residence_facts`` gives it for its
    person (since when the person has lived in the city without a break, across moves), for
    every listed person in one query instead of two per registration (issue 18: the personal
    center grew by two queries per registration). Other registrations get None."""
    registered = [r for r in registrations if r.state == RegistrationState.REGISTERED]
    for registration in registrations:
        registration.facts = None
    if not registered:
        return
    periods = defaultdict(list)
    for person_id, *period in ResidenceRegistration.objects.filter(
        person_id__in={r.person_id for r in registered}, state__in=PERIOD_STATES
    ).values_list("person_id", *PERIOD_FIELDS):
        periods[person_id].append(residence_period(*period))
    today = today or timezone.localdate()
    for registration in registered:
        # one registration in force per person (registration_one_open_per_person): this one
        since = rules.residence_chain_start(periods[registration.person_id]) or registration.since
        registration.facts = ResidenceFacts.of(registration, since, today)
