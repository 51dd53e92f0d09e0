"""The one-time notice (一次性告知, seed 001, Regulations Art. 9): everything missing is asked
for at once, each item with a reason, and the applicant is given a term to supply it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.utils.translation import gettext_lazy as _

from .clock import DayMode, add_days
from .violations import RuleViolation

__all__ = [
    "SUPPLY_DAYS",
    "check_supplement_reasons",
    "check_supplement_request",
    "supply_due_by",
]

#: Issue 16 (a decision of the portal; no statute sets the applicant's term): the one-time
#: notice asks for the material within 15 days, in the deadline's day mode.
SUPPLY_DAYS = 15


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


def supply_due_by(requested_on: date, *, mode: DayMode) -> date:
    """Issue 16 (seed 001 Art. 9, one-time notice): the date by which the applicant is asked to
    supply the material, 15 days after the notice in the deadline's day mode."""
    return add_days(requested_on, SUPPLY_DAYS, mode=mode)
