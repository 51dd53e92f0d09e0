"""Statutory rules of the residence permit, as small pure functions on dates.

Every rule names the seed it comes from (files in ``shared/seeds/``):

- Seed 001: procedure and Provisional Regulations on Residence Permit Art. 9 (one-time notice of
  missing material 一次性告知; issue within 15 days of acceptance; extension of at most 30 days).
- Seed 002: Haikou guide (endorsement once a year within the month before expiry; not endorsed in
  time -> suspended; a late endorsement restores the permit and the years of residence count from
  its date; a change of address, employer or school is reported within 30 days).
- Seed 003: Regulations Art. 2 (left the place of household registration, at least half a year of
  residence (半年以上, inclusive: Civil Code Art. 1259) + one of three conditions), and the annual
  endorsement with suspension and restoration.
- Seed 004: Quanzhou (the 15 days counted as working days; "15 working days"; Administrative
  Licensing Law Art. 82: the periods of a licence are working days).
- Administrative Licensing Law Art. 32: material found incomplete is notified at once, within 5
  working days; otherwise the application counts as accepted on the day it was received.
- Civil Code Art. 203: a period whose last day is a statutory rest day ends on the next working day.

Conventions used throughout (one place, so every caller agrees):

- Dates are ``datetime.date``; nothing here touches the database or the clock (``today`` is always
  passed in), so every rule is tested on fixed dates.
- "X + N days" means the calendar date N days after X: the day X itself is not counted, the last
  day counts (Civil Code Art. 201: a period counted in days starts on the next day). A deadline is
  *met* on its own date: ``is_overdue`` is only True the day after.
- Month and year arithmetic uses ``dateutil.relativedelta``, which clamps to the end of a shorter
  month (Aug 31 + 6 months = Feb 28, or Feb 29 in a leap year; Feb 29 + 1 year = Feb 28).
- A permit is valid *up to and including* ``valid_until``. A year of validity that starts on day X
  ends on X + 1 year (the same day number, like the validity printed on Chinese identity cards), for
  a new permit and for both kinds of endorsement alike.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any

import holidays
from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

__all__ = [
    "CHANGE_DUE_DAYS",
    "DEEMED_ACCEPTANCE_DAYS",
    "REGISTRATION_GAP_DAYS",
    "REMINDER_CATCH_UP_DAYS",
    "DECISION_DAYS",
    "ENDORSEMENT_REMINDER_DAYS",
    "ENDORSEMENT_TERM_YEARS",
    "MAX_EXTENSION_DAYS",
    "RENEWAL_WINDOW_MONTHS",
    "RECONSIDERATION_DAYS",
    "LAWSUIT_MONTHS",
    "RESIDENCE_CERTIFICATE_VALID_DAYS",
    "RESIDENCE_MONTHS_REQUIRED",
    "SUPPLY_DAYS",
    "DayMode",
    "RenewalWindow",
    "RuleViolation",
    "add_days",
    "agent_refusals",
    "applicant_refusals",
    "check_household_registration",
    "change_due_by",
    "check_change_date",
    "check_moved_away_date",
    "check_new_permit",
    "check_renewal_window",
    "check_supplement_reasons",
    "check_supplement_request",
    "configured_day_mode",
    "count_days",
    "days_until",
    "decision_deadline",
    "deemed_acceptance_cutoff",
    "endorsement_reminder_due",
    "endorse",
    "endorsement_reminder_dates",
    "expiries_reminded_on",
    "extended_deadline",
    "has_resided_long_enough",
    "is_change_late",
    "is_endorsement_overdue",
    "is_deemed_accepted",
    "is_in_city",
    "is_overdue",
    "is_working_day",
    "next_working_day",
    "normalize_region_code",
    "months_resided",
    "new_permit_refusals",
    "new_permit_valid_until",
    "renewal_opens_on",
    "renewal_window",
    "residence_chain_start",
    "residence_eligible_from",
    "status_after_lost_report_withdrawn",
]


class DayMode(StrEnum):
    """How a deadline counts its days (setting ``DEADLINE_DAY_MODE``)."""

    CALENDAR = "calendar"
    WORKING = "working"


class RenewalWindow(StrEnum):
    """Where a date falls relative to a permit's endorsement window."""

    TOO_EARLY = "too_early"
    OPEN = "open"
    LATE = "late"


#: Seed 001 (Regulations Art. 9): the permit is issued within 15 days from acceptance.
DECISION_DAYS = 15
#: Seed 001 (Regulations Art. 9): an extension "shall not exceed 30 days at most".
MAX_EXTENSION_DAYS = 30
#: Seed 002 (Haikou guide, 二): a change of registered details is reported within 30 days.
CHANGE_DUE_DAYS = 30
#: Seeds 002, 003: the permit is endorsed once a year; each endorsement adds one year.
ENDORSEMENT_TERM_YEARS = 1
#: Seed 003 (Regulations Art. 2): more than half a year of residence.
RESIDENCE_MONTHS_REQUIRED = 6
#: Seed 002 (Haikou guide, 一.1): endorsement "within one month before the expiry date".
RENEWAL_WINDOW_MONTHS = 1
#: Reminders (seed 002, endorse within the month before expiry): on the day the renewal window
#: opens, and again this many days before ``valid_until``.
ENDORSEMENT_REMINDER_DAYS = 7
#: A reminder the daily job missed (a day it did not run) is still sent this many days late.
REMINDER_CATCH_UP_DAYS = 3
#: Seed 003 (Regulations Art. 2), residence in the city: registrations one after another count as
#: one unbroken stay unless more than this many days lie between moving out and moving in.
REGISTRATION_GAP_DAYS = 30
#: Administrative Licensing Law Art. 32: incomplete material is notified within 5 working days,
#: otherwise the application counts as accepted on receipt (setting
#: ``DEEMED_ACCEPTANCE_WORKING_DAYS`` overrides it; 0 turns it off).
DEEMED_ACCEPTANCE_DAYS = 5


class RuleViolation(ValueError):
    """A statutory rule refuses an act.

    ``code`` is stable (for callers and tests), ``message`` is a lazily translated source string
    in English with ``%(name)s`` placeholders, ``params`` fills them. ``str(exc)`` renders the
    message in the active language, like Django's ``ValidationError``.
    """

    def __init__(self, code: str, message: Any, params: Mapping[str, Any] | None = None):
        self.code = code
        self.message = message
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(code, message, self.params)

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text

    def __repr__(self) -> str:
        return f"RuleViolation(code={self.code!r}, params={self.params!r})"

    def as_validation_error(self):
        """The same refusal as a Django ``ValidationError`` (for forms and DRF serializers)."""
        from django.core.exceptions import ValidationError

        return ValidationError(self.message, code=self.code, params=self.params or None)


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


# --- New permit (seed 003, Regulations Art. 2) ----------------------------------------------------


def _half_year_after(registered_since: date) -> date:
    return registered_since + relativedelta(months=RESIDENCE_MONTHS_REQUIRED)


def has_resided_long_enough(registered_since: date, on: date) -> bool:
    """Seed 003 (Regulations Art. 2), eligibility: lived in the city "半年以上" (half a year or
    more).

    以上 includes the number (Civil Code Art. 1259), so half a year is enough: eligible on the
    same day number six months after ``registered_since`` (clamped to month end: Aug 31 ->
    Feb 28/29). Registered on Mar 15: eligible from Sep 15.
    """
    return on >= _half_year_after(registered_since)


def residence_eligible_from(registered_since: date) -> date:
    """Seed 003 (Regulations Art. 2): the first day ``has_resided_long_enough`` is True."""
    return _half_year_after(registered_since)


def residence_chain_start(
    periods: Iterable[tuple[date, date | None]], *, max_gap_days: int = REGISTRATION_GAP_DAYS
) -> date | None:
    """Seed 003 (Regulations Art. 2), residence in the city: the date from which the person has
    lived in the city without a break.

    ``periods`` are the person's registrations in the city as ``(since, moved_out_on)``; the one
    in force has ``moved_out_on`` None. Moving between houses of the city does not restart the
    count: a registration continues the one before it unless more than ``max_gap_days`` days lie
    between moving out and moving in (moved out Jan 1: moving in on Jan 31 continues, on Feb 1
    starts again). ``None`` when no registration is in force.
    """
    ordered = sorted(periods, key=lambda period: period[0])
    if not ordered or ordered[-1][1] is not None:
        return None
    start = ordered[-1][0]
    for since, moved_out in reversed(ordered[:-1]):
        if moved_out is None or (start - moved_out).days > max_gap_days:
            break
        start = min(start, since)
    return start


def months_resided(registered_since: date, on: date) -> int:
    """Seed 003 (Regulations Art. 2): whole months of residence on ``on`` (0 before the start),
    for messages such as "registered for 4 months"; six whole months are enough (see
    ``has_resided_long_enough``)."""
    if on <= registered_since:
        return 0
    delta = relativedelta(on, registered_since)
    return delta.years * 12 + delta.months


def new_permit_valid_until(issued_on: date) -> date:
    """Seeds 001 (procedure 2: "valid for one year") and 002: a new permit is valid up to and
    including ``issued_on + 1 year`` (the same day number; Feb 29 -> Feb 28). The same convention as
    ``endorse``: one year of validity from day X ends on X + 1 year."""
    return issued_on + relativedelta(years=ENDORSEMENT_TERM_YEARS)


def applicant_refusals(*, identity_verified: bool, registered_since: date | None) -> list:
    """Seed 003 (Regulations Art. 2) and seed 002 (real name, residence registration first), any
    service: a verified identity and a registered residence. Every unmet rule, in order, as
    RuleViolations (codes ``identity_not_verified``, ``not_registered``); empty: both met."""
    refusals = []
    if not identity_verified:
        refusals.append(
            RuleViolation(
                "identity_not_verified",
                _("The real-name identity must be verified before applying."),
            )
        )
    if registered_since is None:
        refusals.append(
            RuleViolation(
                "not_registered", _("Register the residence in the city first (居住登记).")
            )
        )
    return refusals


def agent_refusals(*, is_dependent: bool, agent_verified: bool) -> list:
    """Seed 001 (Art. 9: an agent brings "both identity documents", the person's and their own)
    and seed 004: an agent files for a dependent only once the agent's own identity is verified;
    if it is later rejected, the agent's drafts stop at submission. RuleViolation
    ``agent_not_verified`` or nothing."""
    if is_dependent and not agent_verified:
        return [
            RuleViolation(
                "agent_not_verified",
                _(
                    "An agent applies for another person only with both identities verified: "
                    "verify your own identity first."
                ),
            )
        ]
    return []


def normalize_region_code(value: Any) -> str:
    """Seed 003 (Regulations Art. 2, place of household registration 户籍所在地): a six-digit
    administrative division code (GB/T 2260, e.g. 460106), or "" when ``value`` is not one."""
    text = "".join(str(value or "").split())
    return text if len(text) == 6 and text.isdigit() else ""


def is_in_city(region_code: str, city_region_codes: Iterable[str]) -> bool:
    """Seed 003 (Regulations Art. 2): whether a household registration place lies in this city.
    A configured code covers its subdivisions: 460100 (Haikou) covers 460105, 460106, ...; a
    province code 460000 covers the whole province."""
    code = normalize_region_code(region_code)
    if not code:
        return False
    for city in city_region_codes:
        city = normalize_region_code(city)
        if not city:
            continue
        prefix = city[:2] if city[2:] == "0000" else city[:4] if city[4:] == "00" else city
        if code.startswith(prefix):
            return True
    return False


def check_household_registration(region_code: str, city_region_codes: Iterable[str]) -> None:
    """Seed 003 (Regulations Art. 2): the residence permit is for citizens who have left the place
    of their household registration (离开常住户口所在地). A person whose household registration is
    in this city is refused (RuleViolation ``registered_in_city``); an invalid code is
    ``bad_region_code``."""
    if not normalize_region_code(region_code):
        raise RuleViolation(
            "bad_region_code",
            _(
                "Enter the place of household registration (户籍所在地) as its six-digit region "
                "code, e.g. 110105."
            ),
        )
    if is_in_city(region_code, city_region_codes):
        raise RuleViolation(
            "registered_in_city",
            _(
                "Your household registration (户口) is in this city, so the residence permit is "
                "not for you: it is for people who live here with their household registration "
                "elsewhere."
            ),
        )


def new_permit_refusals(
    *,
    identity_verified: bool,
    registered_since: date | None,
    on: date,
    has_current_permit: bool,
    basis: str | None = None,
    check_basis: bool = True,
    household_region: str | None = None,
    city_region_codes: Iterable[str] = (),
) -> list:
    """Seed 003 (Regulations Art. 2) and seed 001 (Art. 9), new permit: a verified identity,
    residence in the city for at least half a year, one basis (employment, residence or study),
    a household registration outside the city (when ``household_region`` is given), and no
    active or suspended permit already. Every unmet rule, in order, as RuleViolations (codes
    ``identity_not_verified``, ``not_registered``, ``residence_too_short``, ``no_basis``,
    ``registered_in_city``/``bad_region_code``, ``already_has_permit``); empty: eligible.
    ``check_basis=False``: the basis is not chosen yet (eligibility before the draft), so it is
    not judged."""
    refusals = applicant_refusals(
        identity_verified=identity_verified, registered_since=registered_since
    )
    if registered_since is not None and not has_resided_long_enough(registered_since, on):
        months = months_resided(registered_since, on)
        refusals.append(
            RuleViolation(
                "residence_too_short",
                ngettext_lazy(
                    "Lived in the city for %(months)s month; a new permit needs at least half a "
                    "year (%(required)s months; possible from %(from)s).",
                    "Lived in the city for %(months)s months; a new permit needs at least half a "
                    "year (%(required)s months; possible from %(from)s).",
                    months,
                ),
                {
                    "months": months,
                    "required": RESIDENCE_MONTHS_REQUIRED,
                    "from": residence_eligible_from(registered_since).isoformat(),
                },
            )
        )
    if check_basis and not basis:
        refusals.append(
            RuleViolation(
                "no_basis",
                _(
                    "Choose one condition: legally stable employment, residence or continuous "
                    "study."
                ),
            )
        )
    if household_region is not None:
        try:
            check_household_registration(household_region, city_region_codes)
        except RuleViolation as violation:
            refusals.append(violation)
    if has_current_permit:
        refusals.append(
            RuleViolation(
                "already_has_permit",
                _("A residence permit is already held; renew, change or replace it instead."),
            )
        )
    return refusals


def check_new_permit(
    *,
    identity_verified: bool,
    registered_since: date | None,
    on: date,
    basis: str | None,
    has_current_permit: bool,
    household_region: str | None = None,
    city_region_codes: Iterable[str] = (),
) -> None:
    """Seed 003 (Regulations Art. 2) and seed 001 (Art. 9), new permit: raises RuleViolation with
    the first unmet rule of ``new_permit_refusals``."""
    refusals = new_permit_refusals(
        identity_verified=identity_verified,
        registered_since=registered_since,
        on=on,
        basis=basis,
        has_current_permit=has_current_permit,
        household_region=household_region,
        city_region_codes=city_region_codes,
    )
    if refusals:
        raise refusals[0]


# --- Endorsement (renewal) (seeds 002, 003) -------------------------------------------------------


def renewal_opens_on(valid_until: date) -> date:
    """Seed 002 (Haikou guide, 一.1), renewal conditions: endorse "within one month before the
    expiry date" (在居住证有效期满之日起前一个月内).

    The window opens on the same day number one month before ``valid_until`` (clamped to month
    end: valid until Mar 31 -> opens Feb 28/29; valid until Mar 15 -> opens Feb 15) and that day is
    inside the window: "within" includes the limit itself (Civil Code Art. 1259: 以内 includes the
    number), and the choice only ever helps the applicant by one day.
    """
    return valid_until - relativedelta(months=RENEWAL_WINDOW_MONTHS)


def renewal_window(valid_until: date, today: date) -> RenewalWindow:
    """Seeds 002, 003, renewal window: TOO_EARLY before ``renewal_opens_on``, OPEN from that day
    up to and including ``valid_until``, LATE afterwards (the permit is suspended, and a late
    endorsement is still allowed)."""
    if today < renewal_opens_on(valid_until):
        return RenewalWindow.TOO_EARLY
    if today <= valid_until:
        return RenewalWindow.OPEN
    return RenewalWindow.LATE


def check_renewal_window(valid_until: date, today: date) -> RenewalWindow:
    """Seed 002 (Haikou guide, 一.1): refuse a renewal before the window opens (RuleViolation
    ``renewal_too_early``); otherwise return OPEN or LATE (a late one is allowed, seed 003)."""
    window = renewal_window(valid_until, today)
    if window is RenewalWindow.TOO_EARLY:
        raise RuleViolation(
            "renewal_too_early",
            _(
                "The permit can be endorsed from %(opens_on)s, one month before it expires on "
                "%(valid_until)s."
            ),
            {
                "opens_on": renewal_opens_on(valid_until).isoformat(),
                "valid_until": valid_until.isoformat(),
            },
        )
    return window


def is_endorsement_overdue(valid_until: date, today: date) -> bool:
    """Seeds 002, 003, suspension: not endorsed by ``valid_until`` -> from the next day the permit's
    use is suspended (逾期未办理签注手续的,居住证使用功能中止)."""
    return today > valid_until


def endorse(
    *,
    valid_until: date,
    continuous_since: date,
    endorsed_on: date,
    applied_on: date | None = None,
) -> tuple[date, date]:
    """Seeds 002, 003, endorsement: returns ``(new_valid_until, new_continuous_since)``.

    - On time (by ``valid_until``): one more year, ``valid_until + 1 year``; the years of
      residence keep counting from ``continuous_since``.
    - Late (after ``valid_until``, the permit was suspended): the permit is restored,
      valid until ``endorsed_on + 1 year``, and "the residence period is continuously calculated
      from the date of the late endorsement" (补办签注手续之日起连续计算). That date is the
      holder's act, the day the approved endorsement was filed (``applied_on``), not the day the
      station produced it: a station's delay never costs the holder.

    Lateness is judged on ``applied_on`` when given (an application filed inside the window stays
    on time even if the station finishes it after ``valid_until``), else on ``endorsed_on``.
    Endorsing before the window opens raises RuleViolation ``renewal_too_early`` (once a year).
    """
    filed = applied_on if applied_on is not None else endorsed_on
    window = check_renewal_window(valid_until, filed)
    if window is RenewalWindow.OPEN:
        return valid_until + relativedelta(years=ENDORSEMENT_TERM_YEARS), continuous_since
    return endorsed_on + relativedelta(years=ENDORSEMENT_TERM_YEARS), filed


def endorsement_reminder_dates(valid_until: date) -> tuple[date, date]:
    """Seed 002 (endorse "within one month before the expiry date"), reminders: on the day the
    renewal window opens (``renewal_opens_on``, never before: acting on a reminder is never
    refused) and 7 calendar days before ``valid_until``."""
    return (
        renewal_opens_on(valid_until),
        valid_until - timedelta(days=ENDORSEMENT_REMINDER_DAYS),
    )


def endorsement_reminder_due(valid_until: date, today: date) -> str | None:
    """Seed 002, reminders: which reminder is due on ``today`` for a permit valid until
    ``valid_until``: ``"window"`` (the window has opened), ``"week"`` (7 days before expiry) or
    None. A reminder is due on its date and, if the daily job missed that day, up to
    ``REMINDER_CATCH_UP_DAYS`` days later; the week reminder supersedes a window reminder not
    yet sent. Never after ``valid_until``."""
    opens, week = endorsement_reminder_dates(valid_until)
    if today > valid_until:
        return None
    if week <= today <= week + timedelta(days=REMINDER_CATCH_UP_DAYS):
        return "week"
    if opens <= today <= opens + timedelta(days=REMINDER_CATCH_UP_DAYS) and today < week:
        return "window"
    return None


def _last_expiry_open_on(day: date) -> date:
    """The latest ``valid_until`` whose renewal window is open on ``day``."""
    last = day + relativedelta(months=RENEWAL_WINDOW_MONTHS)
    while renewal_opens_on(last + timedelta(days=1)) <= day:
        last += timedelta(days=1)
    return last


def expiries_reminded_on(today: date) -> dict[str, tuple[date, date]]:
    """Seed 002, reminders, for the daily job's one query: for each reminder, the range
    ``(first, last)`` of ``valid_until`` dates (inclusive) for which
    ``endorsement_reminder_due(valid_until, today)`` returns it. Valid until Mar 29, 30 or 31
    2026 (window opening Feb 28) are all reminded on Feb 28, never before."""
    catch_up = timedelta(days=REMINDER_CATCH_UP_DAYS)
    week_first = today + timedelta(days=ENDORSEMENT_REMINDER_DAYS) - catch_up
    week_last = today + timedelta(days=ENDORSEMENT_REMINDER_DAYS)
    window_first = max(_last_expiry_open_on(today - catch_up - timedelta(days=1)), week_last)
    window_first += timedelta(days=1)
    window_last = _last_expiry_open_on(today)
    return {"week": (week_first, week_last), "window": (window_first, window_last)}


# --- A lost card reported with a replacement (seeds 002, 003) ------------------------------------


def status_after_lost_report_withdrawn(*, valid_until: date, on: date) -> str:
    """Seeds 002, 003: a card reported lost stops verifying at once; if the replacement is
    withdrawn or refused, the permit returns to the status it would have without the report:
    ``"active"``, or ``"suspended"`` when it expired meanwhile without endorsement
    (``is_endorsement_overdue``). The reported card stays invalid either way: the holder
    applies again for a card."""
    return "suspended" if is_endorsement_overdue(valid_until, on) else "active"


# --- Change of registered details (seed 002) ------------------------------------------------------


def change_due_by(changed_on: date) -> date:
    """Seed 002 (Haikou guide, 二.1), change of details: report "within 30 days" of a change of
    address, employer or school: due by ``changed_on + 30`` calendar days (inclusive); a last
    day on a rest day moves to the next working day (Civil Code Art. 203)."""
    return next_working_day(changed_on + timedelta(days=CHANGE_DUE_DAYS))


def is_change_late(changed_on: date, filed_on: date) -> bool:
    """Seed 002 (Haikou guide, 二.1): filed after ``change_due_by``. A late change is still
    accepted; the application only shows that it is late."""
    return filed_on > change_due_by(changed_on)


def check_change_date(changed_on: date, today: date) -> None:
    """Seed 002 (Haikou guide, 二.1): a change is reported after it happened, so its date cannot
    be in the future (RuleViolation ``change_in_future``)."""
    if changed_on > today:
        raise RuleViolation(
            "change_in_future",
            _("The date of the change cannot be in the future."),
        )


# --- One-time notice (seed 001) -------------------------------------------------------------------


def check_supplement_request(
    *,
    requested: Iterable[str],
    previous_requested: Iterable[str] | None,
    reuploaded_since_previous: Iterable[str],
) -> None:
    """Seed 001 (Regulations Art. 9), one-time notice (一次性告知): incomplete materials are
    notified to the applicant "at one time".

    The first request on an application may flag any items, but at least one. A further request
    may only flag items the applicant re-uploaded since the previous request (a new upload can
    be unacceptable in its turn); flagging anything else would be asking piecemeal and raises
    RuleViolation ``piecemeal`` naming the offending items (``params["items"]``, sorted).
    An empty request raises ``empty_supplement``.
    """
    requested = set(requested)
    if not requested:
        raise RuleViolation(
            "empty_supplement",
            _("A request for more material must name at least one item."),
        )
    if previous_requested is None:
        return
    offending = requested - set(reuploaded_since_previous)
    if offending:
        raise RuleViolation(
            "piecemeal",
            _(
                "All missing or unacceptable material must be requested in one notice. A further "
                "request may only name items re-uploaded since the last one; these were not: "
                "%(items)s."
            ),
            {"items": ", ".join(sorted(offending)), "item_codes": sorted(offending)},
        )


def check_supplement_reasons(reasons: Mapping[str, str]) -> None:
    """Seed 001 (Regulations Art. 9), one-time notice: every flagged item carries a reason the
    applicant can act on (RuleViolation ``reason_missing`` naming the items without one)."""
    missing = sorted(item for item, reason in reasons.items() if not (reason or "").strip())
    if missing:
        raise RuleViolation(
            "reason_missing",
            _("Give a reason for every item you ask for: %(items)s."),
            {"items": ", ".join(missing), "item_codes": missing},
        )


# --- Cancellation on moving away (seed 001, procedure 3) -----------------------------------------

# How far ahead the date of moving away may lie: one may file (and return the card) in the last
# month before leaving; a date further ahead is a plan, not a move (the portal's own bound).
CANCELLATION_DAYS_AHEAD = 30


def check_moved_away_date(moved_on: date, today: date, *, since: date | None = None) -> None:
    """Seed 001 (procedure 3): a person who moves away cancels the registration and returns the
    card. The date of moving lies between the start of the registration (``since``) and
    ``CANCELLATION_DAYS_AHEAD`` days from today, both inclusive (RuleViolation
    ``moved_too_far_ahead`` or ``moved_before_registration``)."""
    if moved_on > today + timedelta(days=CANCELLATION_DAYS_AHEAD):
        raise RuleViolation(
            "moved_too_far_ahead",
            _("The date of moving away may be at most %(days)s days from today (until %(date)s)."),
            {
                "days": CANCELLATION_DAYS_AHEAD,
                "date": today + timedelta(days=CANCELLATION_DAYS_AHEAD),
            },
        )
    if since is not None and moved_on < since:
        raise RuleViolation(
            "moved_before_registration",
            _("The date of moving away cannot be before the registration began (%(date)s)."),
            {"date": since},
        )


# --- The papers a station signs (issue 16) --------------------------------------------------------

#: Administrative Reconsideration Law (2023) Art. 20: reconsideration is applied for within 60
#: days of knowing the decision; stated on every refusal (Administrative Licensing Law Art. 38).
RECONSIDERATION_DAYS = 60
#: Administrative Procedure Law Art. 46: a lawsuit is brought within 6 months of knowing the
#: decision.
LAWSUIT_MONTHS = 6
#: Issue 16 (a decision of the portal; the seeds are silent): a residence certificate (居住证明)
#: is valid for 30 days from its issue, then a fresh one is asked for.
RESIDENCE_CERTIFICATE_VALID_DAYS = 30
#: Issue 16 (a decision of the portal; no statute sets the applicant's term): the one-time
#: notice asks for the material within 15 days, in the deadline's day mode.
SUPPLY_DAYS = 15


def remedy_deadlines(decided_on: date) -> tuple[date, date]:
    """Administrative Reconsideration Law Art. 20 and Administrative Procedure Law Art. 46: the
    last day to apply for reconsideration (60 days) and to sue (6 months) when the decision is
    known on ``decided_on`` (the day counted from is not counted, Civil Code Art. 201)."""
    return (
        decided_on + timedelta(days=RECONSIDERATION_DAYS),
        decided_on + relativedelta(months=LAWSUIT_MONTHS),
    )


def residence_certificate_valid_until(issued_on: date) -> date:
    """Issue 16: a residence certificate is valid up to and including 30 days after issue."""
    return issued_on + timedelta(days=RESIDENCE_CERTIFICATE_VALID_DAYS)


def supply_due_by(requested_on: date, *, mode: DayMode) -> date:
    """Issue 16 (seed 001 Art. 9, one-time notice): the date by which the applicant is asked to
    supply the material, 15 days after the notice in the deadline's day mode."""
    return add_days(requested_on, SUPPLY_DAYS, mode=mode)


def years_and_months(since: date | None, today: date) -> tuple[int, int]:
    """Seed 002 (continuous residence counted from ``continuous_since``): whole years and
    months from ``since`` to ``today``; (0, 0) before it."""
    if since is None or today < since:
        return 0, 0
    delta = relativedelta(today, since)
    return delta.years, delta.months
