"""Window appointments (issue 17): a window pickup is booked into a 30-minute slot of the
station's pickup windows, from the next working day on (public holidays from the holiday
calendar, ``rules.is_working_day``, and the station's one-off closures are closed). The
applicant can move or cancel it; a missed slot can be rebooked; the day before, a reminder SMS.

Capacity holds under concurrent bookings: a slot's count moves only by a conditional UPDATE
(``booked < capacity``), which the database applies one at a time per row.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import CharField, Exists, F, OuterRef, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput, NotAllowed, WrongState
from notifications.constants import NotificationKind
from notifications.models import Notification
from notifications.services import notify
from permits import rules
from permits.constants import ApplicationState
from permits.models import (
    SLOT_MINUTES,
    Appointment,
    AppointmentSlot,
    PermitApplication,
    PickupWindow,
    StationClosure,
)

# How far ahead slots are offered (calendar days after the first bookable day).
BOOKING_HORIZON_DAYS = 14
CHUNK = 500


def first_bookable_day(today: datetime.date) -> datetime.date:
    """The next working day (never today: the card is put out for the booked day)."""
    return rules.add_days(today, 1, mode=rules.DayMode.WORKING)


def _slot_times(window: PickupWindow) -> list[datetime.time]:
    times = []
    moment = datetime.datetime.combine(datetime.date.min, window.starts_at)
    end = datetime.datetime.combine(datetime.date.min, window.ends_at)
    step = datetime.timedelta(minutes=SLOT_MINUTES)
    while moment + step <= end:
        times.append(moment.time())
        moment += step
    return times


def open_days(station, *, today: datetime.date | None = None) -> list[dict]:
    """The bookable days of ``station`` and their slots, each with the places left:
    ``[{"day", "slots": [{"starts_at", "capacity", "left"}]}]``. Three queries."""
    today = today or timezone.localdate()
    first = first_bookable_day(today)
    last = first + datetime.timedelta(days=BOOKING_HORIZON_DAYS)
    windows = defaultdict(list)
    for window in PickupWindow.objects.filter(station=station).order_by("starts_at"):
        windows[window.weekday].append(window)
    if not windows:
        return []
    closed = set(
        StationClosure.objects.filter(station=station, day__range=(first, last)).values_list(
            "day", flat=True
        )
    )
    booked = {
        (day, starts_at): count
        for day, starts_at, count in AppointmentSlot.objects.filter(
            station=station, day__range=(first, last)
        ).values_list("day", "starts_at", "booked")
    }
    days = []
    day = first
    while day <= last:
        if day not in closed and rules.is_working_day(day) and windows.get(day.weekday()):
            slots = []
            for window in windows[day.weekday()]:
                for starts_at in _slot_times(window):
                    left = max(window.capacity - booked.get((day, starts_at), 0), 0)
                    slots.append(
                        {"starts_at": starts_at, "capacity": window.capacity, "left": left}
                    )
            days.append({"day": day, "slots": slots})
        day += datetime.timedelta(days=1)
    return days


def station_takes_appointments(station) -> bool:
    return PickupWindow.objects.filter(station=station).exists()


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


def current_appointment(application) -> Appointment | None:
    return Appointment.objects.filter(application=application, active=True).first()


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
    today = timezone.localdate()
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
        _release(current, timezone.localdate())


# --- the reminder the day before -----------------------------------------------------------------


def send_appointment_reminders(*, today: datetime.date | None = None) -> int:
    """The day before a booked slot, one SMS (event key per booking)."""
    today = today or timezone.localdate()
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
