"""Changes and replacement (seeds 002, 003): a change of address, employer or school is
reported within 30 days; a card reported lost with a replacement stops verifying, and the
permit returns to its status if the replacement is withdrawn or refused."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

from .clock import next_working_day
from .endorsement import is_endorsement_overdue
from .violations import RuleViolation

__all__ = [
    "CHANGE_DUE_DAYS",
    "change_due_by",
    "check_change_date",
    "is_change_late",
    "status_after_lost_report_withdrawn",
]

#: Seed 002 (Haikou guide, 二): a change of registered details is reported within 30 days.
CHANGE_DUE_DAYS = 30


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
