"""Endorsement (签注) and suspension (seeds 002, 003): once a year within the month before
expiry; not endorsed in time, the permit's use is suspended; a late endorsement restores it and
the years of residence count from its date. The reminders of the window."""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _

from .violations import RuleViolation

__all__ = [
    "ENDORSEMENT_REMINDER_DAYS",
    "ENDORSEMENT_TERM_YEARS",
    "REMINDER_CATCH_UP_DAYS",
    "RENEWAL_WINDOW_MONTHS",
    "RenewalWindow",
    "check_renewal_window",
    "endorse",
    "endorsement_reminder_dates",
    "endorsement_reminder_due",
    "expiries_reminded_on",
    "is_endorsement_overdue",
    "is_in_use",
    "renewal_opens_on",
    "renewal_window",
    "residence_counted_since",
    "years_and_months",
]


class RenewalWindow(StrEnum):
    """Where a date falls relative to a permit's endorsement window."""

    TOO_EARLY = "too_early"
    OPEN = "open"
    LATE = "late"


#: Seeds 002, 003: the permit is endorsed once a year; each endorsement adds one year.
ENDORSEMENT_TERM_YEARS = 1
#: Seed 002 (Haikou guide, 一.1): endorsement "within one month before the expiry date".
RENEWAL_WINDOW_MONTHS = 1
#: Reminders (seed 002, endorse within the month before expiry): on the day the renewal window
#: opens, and again this many days before ``valid_until``.
ENDORSEMENT_REMINDER_DAYS = 7
#: A reminder the daily job missed (a day it did not run) is still sent this many days late.
REMINDER_CATCH_UP_DAYS = 3


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


def is_in_use(*, valid_until: date, today: date, renewal_filed_on: date | None = None) -> bool:
    """Seeds 002, 003: whether a permit (not cancelled, its card not lost) may be used today.

    Not overdue (``is_endorsement_overdue``), or overdue while an endorsement filed on time (on
    or before ``valid_until``) is still being decided: the holder applied in the window, so the
    station's time never suspends the permit (``endorse`` judges lateness on the filing day).
    ``renewal_filed_on``: the day the pending endorsement was filed, None when none is pending.
    What the daily suspension job, the public verification and the residence certificate all
    read."""
    if not is_endorsement_overdue(valid_until, today):
        return True
    return renewal_filed_on is not None and renewal_filed_on <= valid_until


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


def residence_counted_since(*, chain_start: date | None, issued_on: date) -> date:
    """Seeds 002, 003: the day a new permit's continuous residence counts from: the start of the
    unbroken chain of residence registrations in the city (``eligibility.residence_chain_start``),
    which the half year of eligibility was already counted on, never the day the card was
    produced. ``issued_on`` only when no registration chain is known. A late endorsement later
    restarts the count (``endorse``)."""
    if chain_start is None:
        return issued_on
    return min(chain_start, issued_on)


def years_and_months(since: date | None, today: date) -> tuple[int, int]:
    """Seed 002 (continuous residence counted from ``continuous_since``): whole years and
    months from ``since`` to ``today``; (0, 0) before it."""
    if since is None or today < since:
        return 0, 0
    delta = relativedelta(today, since)
    return delta.years, delta.months
