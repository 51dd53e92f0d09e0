"""Reminders nobody else sends (issue 17), each once (the notice's event key), found by
set-based daily jobs (``permits.tasks``, on the ``daily`` queue):

- a produced card not collected: reminders 7 and 30 days after production; after 90 days the
  station's clerk sees it on the "long uncollected" list (``review.selectors.long_uncollected``);
- residence registered at a new house while holding a permit: the change application is offered
  at once with its due date (``rules.change_due_by``), and a reminder comes 7 days before it
  lapses;
- a dependent minor turns 16: the agent is told that the person now applies themselves, and how.

What the jobs find (cards waiting, reminders not yet sent) is read in
``permits.selectors.reminders``.
"""

from __future__ import annotations

import datetime

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef
from django.urls import reverse

from applicants.constants import AgentReason, Relationship
from applicants.models import Identity
from core import clock
from notifications.constants import NotificationKind
from notifications.services import notify
from permits import rules, service_types
from permits.constants import (
    ApplicationState,
    PermitStatus,
    RegistrationState,
)
from permits.models import PermitApplication, ResidencePermit, ResidenceRegistration
from permits.selectors.reminders import (
    UNCOLLECTED_REMINDER_DAYS,
    due_uncollected_reminders,
    not_yet_sent,
)

# Days before the change application's due date when the holder is reminded.
CHANGE_REMINDER_DAYS_BEFORE = 7
CHUNK = 500


# --- the card waiting at the station -------------------------------------------------------------


def uncollected_key(days: int, application_pk) -> str:
    return f"card_uncollected:{days}:{application_pk}"


def send_uncollected_card_reminders(*, today: datetime.date | None = None) -> int:
    """Remind holders 7 and 30 days after production that the card waits at the station."""
    today = today or clock.today()
    sent = 0
    for days in UNCOLLECTED_REMINDER_DAYS:
        for app in due_uncollected_reminders(days, today=today).iterator(chunk_size=CHUNK):
            station = app.station
            notify(
                app.filed_by,
                NotificationKind.CARD_UNCOLLECTED,
                {
                    "name": app.person.full_name,
                    "reference": app.reference,
                    "days": days,
                    "station": f"{station.name}, {station.address} ({station.window_hours})",
                },
                related=app,
                event_key=uncollected_key(days, app.pk),
                link=reverse("permits:application_detail", args=[app.pk]),
            )
            sent += 1
    return sent


# --- moved to a new house while holding a permit -------------------------------------------------


def _permit_elsewhere() -> Exists:
    """The registration's person holds an active or suspended permit for another house."""
    return Exists(
        ResidencePermit.objects.filter(
            holder_id=OuterRef("person_id"),
            status__in=(PermitStatus.ACTIVE, PermitStatus.SUSPENDED),
        ).exclude(house_id=OuterRef("house_id"))
    )


def _change_filed() -> Exists:
    """A change application sent to the station since the move."""
    return Exists(
        PermitApplication.objects.filter(
            person_id=OuterRef("person_id"),
            service__in=service_types.codes(follows_a_move=True),
            submitted_at__date__gte=OuterRef("since"),
        ).exclude(state__in=(ApplicationState.WITHDRAWN, ApplicationState.REJECTED))
    )


def _change_context(registration) -> dict:
    return {
        "name": registration.person.full_name,
        "address": registration.house.address,
        "due_by": rules.change_due_by(registration.since),
    }


def _change_link() -> str:
    code = service_types.codes(follows_a_move=True)[0]
    return reverse("permits:application_start") + f"?service={code}"


def offer_change_after_move(registration: ResidenceRegistration) -> None:
    """Called when a registration is registered: a holder of a permit for another house is
    offered the change application at once, with its due date (seed 002: within 30 days)."""
    qs = ResidenceRegistration.objects.filter(pk=registration.pk).filter(_permit_elsewhere())
    if not qs.exists():
        return
    notify(
        registration.person.account,
        NotificationKind.CHANGE_OFFERED,
        _change_context(registration),
        related=registration,
        event_key=f"change_offered:{registration.pk}",
        link=_change_link(),
    )


def move_dates_due_on(due: datetime.date) -> list[datetime.date]:
    """Every move date whose change is due on ``due`` (``rules.change_due_by`` moves a due
    date off rest days, so several move dates may share one due date)."""
    latest = due - datetime.timedelta(days=rules.CHANGE_DUE_DAYS)
    candidates = [latest - datetime.timedelta(days=n) for n in range(0, 15)]
    return [day for day in candidates if rules.change_due_by(day) == due]


def send_change_due_reminders(*, today: datetime.date | None = None) -> int:
    """7 days before the change application lapses, remind holders who moved and have not
    filed it."""
    today = today or clock.today()
    due = today + datetime.timedelta(days=CHANGE_REMINDER_DAYS_BEFORE)
    registrations = (
        ResidenceRegistration.objects.filter(
            state=RegistrationState.REGISTERED, since__in=move_dates_due_on(due)
        )
        .filter(_permit_elsewhere())
        .exclude(_change_filed())
        .filter(not_yet_sent("change_due_reminder:"))
        .select_related("person__account", "house")
        .order_by("pk")
    )
    sent = 0
    for registration in registrations.iterator(chunk_size=CHUNK):
        notify(
            registration.person.account,
            NotificationKind.CHANGE_DUE_REMINDER,
            _change_context(registration),
            related=registration,
            event_key=f"change_due_reminder:{registration.pk}",
            link=_change_link(),
        )
        sent += 1
    return sent


# --- a dependent turns 16 ------------------------------------------------------------------------


def births_turning(age: int, on: datetime.date) -> list[datetime.date]:
    """Birth dates whose ``age``-th birthday is ``on`` (29 February counts on 28 February in a
    common year)."""
    born = on - relativedelta(years=age)
    dates = [born]
    if on.month == 2 and on.day == 28:
        leap = born + datetime.timedelta(days=1)
        if leap.month == 2 and leap.day == 29:
            dates.append(leap)
    return dates


def send_turned_16_notices(*, today: datetime.date | None = None) -> int:
    """A dependent minor turns 16 today: the agent is told that the person now applies
    themselves (seed 001 Art. 9: an agent applies for a minor under 16), and how."""
    today = today or clock.today()
    dependents = (
        Identity.objects.filter(
            agent_reason=AgentReason.MINOR,
            birth_date__in=births_turning(rules.MINOR_AGE_LIMIT, today),
        )
        .exclude(relationship=Relationship.SELF)
        .filter(not_yet_sent("dependent_turned_16:"))
        .select_related("account")
        .order_by("pk")
    )
    sent = 0
    for identity in dependents.iterator(chunk_size=CHUNK):
        notify(
            identity.account,
            NotificationKind.DEPENDENT_TURNED_16,
            {"name": identity.full_name, "age": rules.MINOR_AGE_LIMIT},
            related=identity,
            event_key=f"dependent_turned_16:{identity.pk}",
            link=reverse("applicants:dependent", args=[identity.pk]),
        )
        sent += 1
    return sent
