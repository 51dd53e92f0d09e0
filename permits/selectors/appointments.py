"""Reads of window appointments (issue 17): the days and 30-minute slots a station offers, with
the places left, and an application's current booking. Booking, moving and cancelling are
``permits.services.appointments``."""

from __future__ import annotations

import datetime
from collections import defaultdict

from core import clock
from permits import rules
from permits.models import (
    SLOT_MINUTES,
    Appointment,
    AppointmentSlot,
    PickupWindow,
    StationClosure,
)

# How far ahead slots are offered (calendar days after the first bookable day).
BOOKING_HORIZON_DAYS = 14


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
    today = today or clock.today()
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


def current_appointment(application) -> Appointment | None:
    return Appointment.objects.filter(application=application, active=True).first()
