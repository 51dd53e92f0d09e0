"""The papers a station signs (issue 16): the remedies stated on a refusal (Administrative
Reconsideration Law Art. 20, Administrative Procedure Law Art. 46) and how long a residence
certificate is valid."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _

from .clock import next_working_day

__all__ = [
    "LAST_DAY_BASIS",
    "LAWSUIT_BASIS",
    "LAWSUIT_MONTHS",
    "RECONSIDERATION_BASIS",
    "RECONSIDERATION_DAYS",
    "RESIDENCE_CERTIFICATE_VALID_DAYS",
    "Remedies",
    "refusal_remedies",
    "remedy_deadlines",
    "residence_certificate_valid_until",
]

#: Administrative Reconsideration Law (2023) Art. 20: reconsideration is applied for within 60
#: days of knowing the decision; stated on every refusal (Administrative Licensing Law Art. 38).
RECONSIDERATION_DAYS = 60
#: Administrative Procedure Law Art. 46: a lawsuit is brought within 6 months of knowing the
#: decision.
LAWSUIT_MONTHS = 6
#: What a page or paper cites for each of them (never typed into a template): the periods above,
#: and the rest-day rule of their last day (Civil Code Art. 203).
RECONSIDERATION_BASIS = _("Administrative Reconsideration Law, Art. 20")
LAWSUIT_BASIS = _("Administrative Procedure Law, Art. 46")
LAST_DAY_BASIS = _("Civil Code Art. 203")
#: Issue 16 (a decision of the portal; the seeds are silent): a residence certificate (居住证明)
#: is valid for 30 days from its issue, then a fresh one is asked for.
RESIDENCE_CERTIFICATE_VALID_DAYS = 30


def remedy_deadlines(received_on: date) -> tuple[date, date]:
    """Administrative Reconsideration Law Art. 20 and Administrative Procedure Law Art. 46: the
    last day to apply for reconsideration (60 days) and to sue (6 months), counted from the day
    the applicant received the decision (``received_on``; the day counted from is not counted,
    Civil Code Art. 201). A last day that is a statutory rest day moves to the next working day
    (Civil Code Art. 203): received on 2026-08-02, 60 days end on 2026-10-01, National Day, so
    the last day is the first working day after the holidays."""
    return (
        next_working_day(received_on + timedelta(days=RECONSIDERATION_DAYS)),
        next_working_day(received_on + relativedelta(months=LAWSUIT_MONTHS)),
    )


@dataclass(frozen=True)
class Remedies:
    """What a refused person may do and by when, as the refusal notice and the case's page
    state it."""

    received_on: date
    reconsideration_days: int
    reconsider_by: date
    lawsuit_months: int
    sue_by: date
    reconsideration_basis: str = RECONSIDERATION_BASIS
    lawsuit_basis: str = LAWSUIT_BASIS
    last_day_basis: str = LAST_DAY_BASIS


def refusal_remedies(decided_on: date) -> Remedies:
    """The remedies of a refusal decided on ``decided_on``: the refusal notice reaches the
    person's My Affairs (and the SMS is sent) the day it is decided, so the periods run from
    that receipt (``remedy_deadlines``: Administrative Reconsideration Law Art. 20,
    Administrative Procedure Law Art. 46, Civil Code Arts. 201 and 203)."""
    received_on = decided_on
    reconsider_by, sue_by = remedy_deadlines(received_on)
    return Remedies(
        received_on=received_on,
        reconsideration_days=RECONSIDERATION_DAYS,
        reconsider_by=reconsider_by,
        lawsuit_months=LAWSUIT_MONTHS,
        sue_by=sue_by,
    )


def residence_certificate_valid_until(issued_on: date) -> date:
    """Issue 16: a residence certificate is valid up to and including 30 days after issue."""
    return issued_on + timedelta(days=RESIDENCE_CERTIFICATE_VALID_DAYS)
