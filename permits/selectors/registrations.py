"""Reads of residence registrations: the house a code names, an account's registrations, whether
a person holds a permit, and the residence facts permits need (since when, on which basis), for
one person or for every listed registration in one query."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clock
from core.errors import InvalidInput
from permits import rules
from permits.constants import PermitStatus, RegistrationState
from permits.models import House, ResidencePermit, ResidenceRegistration

from .applicant import current_registration

REGISTRATIONS_LISTED = 50


# --- house codes ----------------------------------------------------------------------------


def normalize_house_code(raw: str) -> str:
    """What a person types or what a scanned QR code holds (the registration page's URL with
    ``?house=CODE``) -> the bare code in capitals, without spaces or dashes."""
    text = (raw or "").strip()
    if "://" in text or text.startswith("/"):
        query = parse_qs(urlparse(text).query)
        text = (query.get("house") or [""])[0]
    return re.sub(r"[\s\-]", "", text).upper()


def find_house(raw_code: str) -> House:
    code = normalize_house_code(raw_code)
    house = House.objects.select_related("station").filter(code=code).first() if code else None
    if house is None:
        raise InvalidInput(
            code="unknown_house",
            fields={
                "house_code": _(
                    "No house has this code. Check the code on the door plate or scan its QR "
                    "code again."
                )
            },
        )
    return house


# --- applicant ------------------------------------------------------------------------------


def registrations_of(account):
    """The registrations of every person the account acts for (bounded, newest first)."""
    return (
        ResidenceRegistration.objects.filter(person__account=account)
        .select_related("person", "house", "station")
        .order_by("-created_at", "-pk")[:REGISTRATIONS_LISTED]
    )


def holds_permit(person) -> bool:
    """An active or suspended permit that a plain cancellation would leave behind."""
    return ResidencePermit.objects.filter(
        holder=person, status__in=(PermitStatus.ACTIVE, PermitStatus.SUSPENDED)
    ).exists()


# --- facts for permits ----------------------------------------------------------------------


@dataclass(frozen=True)
class ResidenceFacts:
    """Seed 003, Regulations Art. 2: how long and on which basis a person lives in the city."""

    registration: ResidenceRegistration
    since: datetime.date
    basis: str
    months: int
    long_enough: bool  # at least half a year in the city: may apply for a new permit
    eligible_from: datetime.date

    @classmethod
    def of(cls, registration, since: datetime.date, today: datetime.date) -> ResidenceFacts:
        """The facts of ``registration`` for a person living in the city since ``since``."""
        return cls(
            registration=registration,
            since=since,
            basis=registration.basis,
            months=rules.months_resided(since, today),
            long_enough=rules.has_resided_long_enough(since, today),
            eligible_from=rules.residence_eligible_from(since),
        )


# What rules.residence_chain_start reads of a registration: (registered on, moved out or None).
PERIOD_FIELDS = ("since", "registered_at", "cancelled_on", "state")
PERIOD_STATES = (RegistrationState.REGISTERED, RegistrationState.CANCELLED)


def residence_period(
    since, registered_at, moved_out, state
) -> tuple[datetime.date, datetime.date | None]:
    """Seed 003 (Regulations Art. 2; Hainan's measures: 居住并办理居住登记满半年): a stay counts
    from the day the station recorded the registration (``registered_at``), never from the
    move-in date the applicant typed (``since``, only for a row recorded before that field)."""
    start = timezone.localdate(registered_at) if registered_at else since
    return start, None if state == RegistrationState.REGISTERED else (moved_out or start)


def residence_chain_since(person) -> datetime.date | None:
    """Seed 003 (Regulations Art. 2): since when the person has lived in the city without a break,
    across moves between its houses (rules.residence_chain_start over every registration in
    force or cancelled; one query). None: no registration in force."""
    periods = ResidenceRegistration.objects.filter(
        person=person, state__in=PERIOD_STATES
    ).values_list(*PERIOD_FIELDS)
    return rules.residence_chain_start(residence_period(*period) for period in periods)


def residence_facts(person, *, today: datetime.date | None = None) -> ResidenceFacts | None:
    registration = current_registration(person)
    if registration is None:
        return None
    today = today or clock.today()
    return ResidenceFacts.of(
        registration, residence_chain_since(person) or registration.since, today
    )


def residence_facts_of(registrations, *, today: datetime.date | None = None) -> None:
    """``facts`` on each registration in force, as ``residence_facts`` gives it for its person
    (since when the person has lived in the city without a break, across moves), for every
    listed person in one query instead of two per registration (issue 18: the personal center
    grew by two queries per registration). Other registrations get None."""
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
    today = today or clock.today()
    for registration in registered:
        # one registration in force per person (registration_one_open_per_person): this one
        since = rules.residence_chain_start(periods[registration.person_id]) or registration.since
        registration.facts = ResidenceFacts.of(registration, since, today)
