"""The clock: calendar or working days, China's holidays, the decision deadline and its
extension (seeds 001, 004; Administrative Licensing Law Art. 32 and 82; Civil Code Art. 201,
203)."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays
from django.utils.translation import gettext_lazy as _

from .violations import RuleViolation

__all__ = [
    "DECISION_DAYS",
    "DEEMED_ACCEPTANCE_DAYS",
    "MAX_EXTENSION_DAYS",
    "DayMode",
    "add_days",
    "configured_day_mode",
    "configured_deemed_acceptance_days",
    "count_days",
    "days_until",
    "decision_deadline",
    "deemed_acceptance_cutoff",
    "extended_deadline",
    "is_deemed_accepted",
    "is_overdue",
    "is_working_day",
    "next_working_day",
]


class DayMode(StrEnum):
    """How a deadline counts its days (setting ``DEADLINE_DAY_MODE``)."""

    CALENDAR = "calendar"
    WORKING = "working"


#: Seed 001 (Regulations Art. 9): the permit is issued within 15 days from acceptance.
DECISION_DAYS = 15
#: Seed 001 (Regulations Art. 9): an extension "shall not exceed 30 days at most".
MAX_EXTENSION_DAYS = 30
#: Administrative Licensing Law Art. 32: incomplete material is notified within 5 working days,
#: otherwise the application counts as accepted on receipt (setting
#: ``DEEMED_ACCEPTANCE_WORKING_DAYS`` overrides it; 0 turns it off).
DEEMED_ACCEPTANCE_DAYS = 5


# --- Days: calendar or working days --------------------------------------------------------------

_china_lock = threading.Lock()


@lru_cache(maxsize=1)
def _china_calendar() -> holidays.HolidayBase:
    """China's public holidays and official make-up working days (调休上班).

    ``holidays.China`` lists the days off (statutory holidays and the weekdays given off in
    exchange, e.g. "Day off (substituted from 09/28/2025)"), and ``weekend_workdays`` the Saturdays
    and Sundays that are official working days (recent versions combine both with the weekend in
    ``is_working_day``/``get_nth_working_day``; ``is_working_day`` below does the same by hand so
    that it does not depend on those newer methods).
    Years are filled in on first use (``expand=True``). Make-up days exist only for years whose
    schedule the State Council has published and the package has picked up: for later years
    only the statutory holidays and weekends are known.
    """
    return holidays.China()


def is_working_day(day: date) -> bool:
    """A working day in China: a weekday that is not a public holiday, or an official make-up
    working day on a weekend (seed 004 counts the 15 days in working days)."""
    calendar = _china_calendar()
    with _china_lock:
        # ``in`` first: it fills in the year, make-up working days included.
        if day in calendar:
            return False
        if day.weekday() >= 5:  # Saturday, Sunday
            return day in getattr(calendar, "weekend_workdays", ())
        return True


def next_working_day(day: date) -> date:
    """Civil Code Art. 203 (seeds 001, 002 periods): a period whose last day is a statutory rest
    day (a weekend that is not a make-up working day, or a public holiday) ends on the next
    working day. ``day`` itself when it is a working day."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def add_days(start: date, days: int, *, mode: DayMode) -> date:
    """The date ``days`` days after ``start`` (seeds 001, 004: how the deadline counts days).

    Calendar mode: ``start + days``. Working-day mode: the date reached by counting ``days``
    working days after ``start`` (``start`` itself is never counted, a holiday or an ordinary
    weekend is skipped, a make-up working Saturday or Sunday counts). ``days == 0`` returns
    ``start``; a negative ``days`` counts backwards the same way.
    """
    mode = DayMode(mode)
    if not days:
        return start
    if mode is DayMode.CALENDAR:
        return start + timedelta(days=days)
    step = timedelta(days=1 if days > 0 else -1)
    day = start
    for _counted in range(abs(days)):
        day += step
        while not is_working_day(day):
            day += step
    return day


def count_days(start: date, end: date, *, mode: DayMode) -> int:
    """Seeds 001, 004, deadline days: how many days of ``mode`` lie after ``start`` up to and
    including ``end``; negative when ``end`` is before ``start``. The inverse of ``add_days``:
    for a working day ``end``, ``add_days(start, count_days(start, end, mode=m), mode=m) == end``.

    Use it to measure a pause in the unit of the deadline, e.g.
    ``count_days(supplement_requested_on, resubmitted_on, mode=mode)`` as ``paused_days``.
    """
    mode = DayMode(mode)
    if end < start:
        return -count_days(end, start, mode=mode)
    if mode is DayMode.CALENDAR:
        return (end - start).days
    return sum(is_working_day(start + timedelta(days=n)) for n in range(1, (end - start).days + 1))


def configured_day_mode() -> DayMode:
    """The day mode chosen by the ``DEADLINE_DAY_MODE`` setting (default working days: seed 004
    "15 working days", Administrative Licensing Law Art. 82)."""
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    value = getattr(settings, "DEADLINE_DAY_MODE", DayMode.WORKING)
    try:
        return DayMode(str(value).strip().lower())
    except ValueError:
        choices = ", ".join(m.value for m in DayMode)
        raise ImproperlyConfigured(
            f"DEADLINE_DAY_MODE must be one of {choices}, not {value!r}"
        ) from None


def configured_deemed_acceptance_days() -> int:
    """Administrative Licensing Law Art. 32: the working days after which an unanswered
    submission counts as accepted, as the ``DEEMED_ACCEPTANCE_WORKING_DAYS`` setting chooses
    (default ``DEEMED_ACCEPTANCE_DAYS``; 0 turns the rule off)."""
    from django.conf import settings

    return int(getattr(settings, "DEEMED_ACCEPTANCE_WORKING_DAYS", DEEMED_ACCEPTANCE_DAYS))


# --- Deadline (seed 001) --------------------------------------------------------------------------


def decision_deadline(accepted_on: date, *, mode: DayMode, paused_days: int = 0) -> date:
    """Seed 001 (Regulations Art. 9), deadline: the permit is issued within 15 days from the date
    of acceptance, i.e. by ``accepted_on + 15`` days in ``mode`` (seed 004 counts working days).

    The clock does not run while the application waits for the applicant (issue 5):
    ``paused_days`` days are added, counted in the same ``mode`` (measure them with
    ``count_days``; passing calendar days in working-day mode over-extends, never shortens).

    The clock runs up to production (the permit is "issued" within the period). In calendar mode
    a deadline that falls on a rest day moves to the next working day (Civil Code Art. 203); in
    working-day mode it is a working day anyway.
    """
    if paused_days < 0:
        raise ValueError("paused_days cannot be negative")
    due = add_days(accepted_on, DECISION_DAYS + paused_days, mode=mode)
    return next_working_day(due)


def extended_deadline(deadline: date, extension_days: int, *, mode: DayMode) -> date:
    """Seed 001 (Regulations Art. 9), extension: "in remote areas ... or due to special
    circumstances" the time limit may be extended, "but the extension shall not exceed 30 days at
    most". ``extension_days`` must be 1..30 (counted in ``mode``); otherwise RuleViolation
    ``extension_out_of_range``.

    The limit is on the extension as a whole: a second extension must pass the total (the earlier
    extension plus the new one) to stay within the limit.
    """
    if (
        isinstance(extension_days, bool)
        or not isinstance(extension_days, int)
        or not 1 <= extension_days <= MAX_EXTENSION_DAYS
    ):
        raise RuleViolation(
            "extension_out_of_range",
            _("An extension must be between 1 and %(max)s days; %(days)s days were asked."),
            {"max": MAX_EXTENSION_DAYS, "days": extension_days},
        )
    return next_working_day(add_days(deadline, extension_days, mode=mode))


def deemed_acceptance_cutoff(today: date, days: int = DEEMED_ACCEPTANCE_DAYS) -> date | None:
    """Administrative Licensing Law Art. 32 (seed 001 Art. 9, one-time notice): the station
    notifies incomplete material "at once, within 5 working days"; if it does not, the
    application counts as accepted on the day it was received.

    Returns the latest submission date whose ``days`` working days have all passed before
    ``today``: every application submitted on or before it and still neither accepted nor answered
    is deemed accepted today. ``None`` when ``days`` is 0 (the rule is turned off).
    Submitted on Mon 2026-03-02 with 5 working days: the station may answer up to Mon 03-09;
    deemed accepted on Tue 03-10.
    """
    if not days:
        return None
    day = today - timedelta(days=1)
    while add_days(day, days, mode=DayMode.WORKING) >= today:
        day -= timedelta(days=1)
    return day


def is_deemed_accepted(submitted_on: date, today: date, days: int = DEEMED_ACCEPTANCE_DAYS) -> bool:
    """Administrative Licensing Law Art. 32 (seed 001 Art. 9): True once ``days`` working days
    after ``submitted_on`` have passed without acceptance or a notice (see
    ``deemed_acceptance_cutoff``); always False when ``days`` is 0."""
    cutoff = deemed_acceptance_cutoff(today, days)
    return cutoff is not None and submitted_on <= cutoff


def is_overdue(deadline: date, today: date) -> bool:
    """Seed 001, deadline: overdue only once the deadline day itself has passed."""
    return today > deadline


def days_until(deadline: date, today: date) -> int:
    """Seed 001, deadline: calendar days left until ``deadline`` (0 on the day itself, negative
    once overdue), for queues and messages ("due in 3 days")."""
    return (deadline - today).days
