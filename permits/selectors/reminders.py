"""Reads for the reminder jobs of ``permits.services.reminders`` and the clerk's "long
uncollected" list (``review.selectors.long_uncollected``): a produced card waiting for its
holder, since how long, and the reminders not yet sent (a notice's event key)."""

from __future__ import annotations

import datetime

from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from notifications.models import Notification
from permits.constants import ApplicationState
from permits.models import PermitApplication

# Days after production when the applicant is reminded to collect the card; from
# LONG_UNCOLLECTED_DAYS on, the station's clerk follows it up instead.
UNCOLLECTED_REMINDER_DAYS = (7, 30)
LONG_UNCOLLECTED_DAYS = 90


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def not_yet_sent(prefix: str) -> Exists:
    """No notice yet whose event key is ``prefix`` + the row's pk (the reminder's key)."""
    key = Concat(Value(prefix), Cast(OuterRef("pk"), CharField()))
    return ~Exists(Notification.objects.filter(event_key=key))


# --- the card waiting at the station -------------------------------------------------------------


def waiting_for_collection() -> Q:
    """A produced card that waits for its holder at the station: window pickup chosen, or no
    choice made yet (a card chosen for mail waits for the station, not the holder)."""
    return Q(state=ApplicationState.AWAITING_PICKUP) | Q(
        state=ApplicationState.PRODUCED, delivery_method=""
    )


def uncollected_since(days: int, *, today: datetime.date) -> Q:
    """Produced at least ``days`` days ago (local days)."""
    return Q(produced_at__lt=_start_of(today - datetime.timedelta(days=days - 1)))


def due_uncollected_reminders(days: int, *, today: datetime.date) -> QuerySet:
    """Cards waiting ``days`` days or more, not yet ``LONG_UNCOLLECTED_DAYS`` nor at the next
    reminder, whose reminder for ``days`` has not been sent. One query."""
    later = [d for d in (*UNCOLLECTED_REMINDER_DAYS, LONG_UNCOLLECTED_DAYS) if d > days]
    return (
        PermitApplication.objects.filter(
            waiting_for_collection(), uncollected_since(days, today=today)
        )
        .exclude(uncollected_since(min(later), today=today))
        .filter(not_yet_sent(f"card_uncollected:{days}:"))
        .select_related("person", "filed_by", "station")
        .order_by("pk")
    )
