"""Cancellation on moving away (seed 001, procedure 3): the date of moving away."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from .violations import RuleViolation

__all__ = ["CANCELLATION_DAYS_AHEAD", "check_moved_away_date"]

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
