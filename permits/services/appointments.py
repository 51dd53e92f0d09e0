"""Window appointments (issue 17): a window pickup is booked into a 30-minute slot of the
station's pickup windows, from the next working day on (public holidays from the holiday
calendar, ``rules.is_working_day``, and the station's one-off closures are closed). The
applicant can move or cancel it; a missed slot can be rebooked; the day before, a reminder SMS.

Capacity holds under concurrent bookings: a slot's count moves only by a conditional UPDATE
(``booked < capacity``), which the database applies one at a time per row. What is offered,
and an application's booking, are read in ``permits.selectors.appointments``.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core import clock
from core.errors import InvalidInput, NotAllowed, WrongState
from notifications.constants import NotificationKind
from notifications.models import Notification
from notifications.services import notify
from permits.constants import ApplicationState
from permits.models import (
    Appointment,
    AppointmentSlot,
    PermitApplication,
)
from permits.selectors.appointments import current_appointment, open_days

CHUNK = 500


def _capacity_of(station, day: datetime.date, starts_at: datetime.time, today) -> int:
    for offered in open_days(station, today=today):
        if offered["day"] == day:
            for slot in offered["slots"]:
                if slot["starts_at"] == starts_at:
                    return slot["capacity"]
    raise InvalidInput(
        fields={"slot": [_("This time is not offered. Choose one of the times listed.")]},
        code="slot_not_offered",
    )


def _release(appointment: Appointment, today: datetime.date) -> None:
    """End a booking; a slot still to come gets its place back."""
    appointment.active = False
    appointment.ended_at = timezone.now()
    appointment.save(update_fields=["active", "ended_at"])
    if appointment.day >= today:
        AppointmentSlot.objects.filter(
            station_id=appointment.station_id,
            day=appointment.day,
            starts_at=appointment.starts_at,
            booked__gt=0,
        ).update(booked=F("booked") - 1)


def _check_owner(user, application) -> None:
    if not (user and user.is_authenticated and application.filed_by_id == user.pk):
        raise NotAllowed()
    if application.state != ApplicationState.AWAITING_PICKUP:
        raise WrongState(
            _("A pickup time can be booked once window pickup is chosen, until collection."),
            code="not_awaiting_pickup",
        )


def book(*, user, application: PermitApplication, day: datetime.date, starts_at: datetime.time):
    """Book (or move to) a slot: a full slot is refused and changes nothing; the booking it
    replaces (a move, or a missed slot rebooked) is ended in the same transaction."""
    today = clock.today()
    _check_owner(user, application)
    station = application.station
    capacity = _capacity_of(station, day, starts_at, today)
    with transaction.atomic():
        # one booking act per case at a time (two tabs): the case row is the lock
        PermitApplication.objects.select_for_update().filter(pk=application.pk).first()
        current = current_appointment(application)
        if current is not None and (current.day, current.starts_at) == (day, starts_at):
            return current
        AppointmentSlot.objects.bulk_create(
            [AppointmentSlot(station=station, day=day, starts_at=starts_at, capacity=capacity)],
            ignore_conflicts=True,
        )
        taken = AppointmentSlot.objects.filter(
            station=station, day=day, starts_at=starts_at, booked__lt=F("capacity")
        ).update(booked=F("booked") + 1)
        if not taken:
            raise WrongState(
                _("This time has just been fully booked. Choose another time."), code="slot_full"
            )
        if current is not None:
            _release(current, today)
        return Appointment.objects.create(
            application=application, station=station, day=day, starts_at=starts_at
        )


def cancel(*, user, application: PermitApplication) -> None:
    """Cancel the booking (the pickup stays chosen; a new time can be booked later)."""
    _check_owner(user, application)
    with transaction.atomic():
        PermitApplication.objects.select_for_update().filter(pk=application.pk).first()
        current = current_appointment(application)
        if current is None:
            raise WrongState(_("There is no booking to cancel."), code="no_booking")
        _release(current, clock.today())


# --- the reminder the day before -----------------------------------------------------------------


def send_appointment_reminders(*, today: datetime.date | None = None) -> int:
    """The day before a booked slot, one SMS (event key per booking)."""
    today = today or clock.today()
    key = Concat(Value("appointment_reminder:"), Cast(OuterRef("pk"), CharField()))
    due = (
        Appointment.objects.filter(
            active=True,
            day=today + datetime.timedelta(days=1),
            application__state=ApplicationState.AWAITING_PICKUP,
        )
        .exclude(Exists(Notification.objects.filter(event_key=key)))
        .select_related("application__filed_by", "station")
        .order_by("pk")
    )
    sent = 0
    for appointment in due.iterator(chunk_size=CHUNK):
        application = appointment.application
        station = appointment.station
        notify(
            application.filed_by,
            NotificationKind.APPOINTMENT_REMINDER,
            {
                "reference": application.reference,
                "day": appointment.day,
                "time": appointment.starts_at.strftime("%H:%M"),
                "station": f"{station.name}, {station.address}",
            },
            related=appointment,
            event_key=f"appointment_reminder:{appointment.pk}",
            link=reverse("permits:application_appointment", args=[application.pk]),
        )
        sent += 1
    return sent
