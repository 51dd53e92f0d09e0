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

The rules are a package by topic; each module names its sources, and ``from permits import
rules; rules.anything`` reaches every public name through the re-exports below:

- ``clock``: calendar or working days, China's holidays, the decision deadline, its extension and
  deemed acceptance (seeds 001, 004; Administrative Licensing Law Art. 32, 82; Civil Code
  Art. 201, 203);
- ``eligibility``: a new permit (seed 003, Regulations Art. 2; seed 001 Art. 9);
- ``agents``: filing for another person (seed 001 Art. 9, seed 004), and the agents' age
  limits, defined in ``applicants.constants`` and re-exported;
- ``endorsement``: the yearly endorsement, suspension, restoration and reminders (seeds 002, 003);
- ``changes``: a change of registered details, a lost card reported with a replacement (seeds
  002, 003);
- ``cancellation``: moving away (seed 001, procedure 3);
- ``notice``: the one-time notice of missing material (seed 001 Art. 9);
- ``papers``: the dates on the papers a station signs, remedies included (issue 16);
- ``photo``: the certificate photo's size and proportions (GA 461-2004; not in the seeds);
- ``violations``: ``RuleViolation``, raised by all of them.

A rule calls another through its own module, not through this package: patch a rule where it
is defined (``permits.rules.clock.is_working_day``) for the change to reach its callers.
"""

from __future__ import annotations

from .agents import (
    ELDERLY_AGE,
    MINOR_AGE_LIMIT,
    agent_reason_age_mismatch,
    agent_refusals,
)
from .cancellation import (
    CANCELLATION_DAYS_AHEAD,
    check_moved_away_date,
)
from .changes import (
    CHANGE_DUE_DAYS,
    change_due_by,
    check_change_date,
    is_change_late,
    status_after_lost_report_withdrawn,
)
from .clock import (
    DECISION_DAYS,
    DEEMED_ACCEPTANCE_DAYS,
    MAX_EXTENSION_DAYS,
    DayMode,
    add_days,
    configured_day_mode,
    configured_deemed_acceptance_days,
    count_days,
    days_until,
    decision_deadline,
    deemed_acceptance_cutoff,
    extended_deadline,
    is_deemed_accepted,
    is_overdue,
    is_working_day,
    next_working_day,
)
from .eligibility import (
    REGISTRATION_GAP_DAYS,
    RESIDENCE_MONTHS_REQUIRED,
    applicant_refusals,
    check_household_registration,
    check_new_permit,
    has_resided_long_enough,
    is_in_city,
    months_resided,
    new_permit_refusals,
    new_permit_valid_until,
    normalize_region_code,
    residence_chain_start,
    residence_eligible_from,
)
from .endorsement import (
    ENDORSEMENT_REMINDER_DAYS,
    ENDORSEMENT_TERM_YEARS,
    REMINDER_CATCH_UP_DAYS,
    RENEWAL_WINDOW_MONTHS,
    RenewalWindow,
    check_renewal_window,
    endorse,
    endorsement_reminder_dates,
    endorsement_reminder_due,
    expiries_reminded_on,
    is_endorsement_overdue,
    is_in_use,
    renewal_opens_on,
    renewal_window,
    residence_counted_since,
    years_and_months,
)
from .notice import (
    SUPPLY_DAYS,
    check_supplement_reasons,
    check_supplement_request,
    supply_due_by,
)
from .papers import (
    LAST_DAY_BASIS,
    LAWSUIT_BASIS,
    LAWSUIT_MONTHS,
    RECONSIDERATION_BASIS,
    RECONSIDERATION_DAYS,
    RESIDENCE_CERTIFICATE_VALID_DAYS,
    Remedies,
    refusal_remedies,
    remedy_deadlines,
    residence_certificate_valid_until,
)
from .photo import (
    PHOTO_ASPECT,
    PHOTO_ASPECT_TOLERANCE,
    PHOTO_BACKGROUND_MIN_LIGHTNESS,
    PHOTO_CENTRE_TOLERANCE,
    PHOTO_EYES_FROM_BOTTOM_MIN,
    PHOTO_FACE_TO_HEAD,
    PHOTO_HEAD_TOP_MARGIN,
    PHOTO_HEAD_WIDTH,
    PHOTO_MIN_HEIGHT_PX,
    PHOTO_MIN_WIDTH_PX,
    photo_face_width_range,
)
from .violations import (
    RuleViolation,
)

__all__ = [
    "PHOTO_ASPECT",
    "PHOTO_ASPECT_TOLERANCE",
    "PHOTO_BACKGROUND_MIN_LIGHTNESS",
    "PHOTO_CENTRE_TOLERANCE",
    "PHOTO_EYES_FROM_BOTTOM_MIN",
    "PHOTO_FACE_TO_HEAD",
    "PHOTO_HEAD_TOP_MARGIN",
    "PHOTO_HEAD_WIDTH",
    "PHOTO_MIN_HEIGHT_PX",
    "PHOTO_MIN_WIDTH_PX",
    "photo_face_width_range",
    "CANCELLATION_DAYS_AHEAD",
    "CHANGE_DUE_DAYS",
    "DECISION_DAYS",
    "DEEMED_ACCEPTANCE_DAYS",
    "DayMode",
    "ELDERLY_AGE",
    "ENDORSEMENT_REMINDER_DAYS",
    "ENDORSEMENT_TERM_YEARS",
    "LAST_DAY_BASIS",
    "LAWSUIT_BASIS",
    "LAWSUIT_MONTHS",
    "MAX_EXTENSION_DAYS",
    "MINOR_AGE_LIMIT",
    "RECONSIDERATION_BASIS",
    "RECONSIDERATION_DAYS",
    "REGISTRATION_GAP_DAYS",
    "REMINDER_CATCH_UP_DAYS",
    "RENEWAL_WINDOW_MONTHS",
    "RESIDENCE_CERTIFICATE_VALID_DAYS",
    "RESIDENCE_MONTHS_REQUIRED",
    "RenewalWindow",
    "RuleViolation",
    "SUPPLY_DAYS",
    "add_days",
    "agent_reason_age_mismatch",
    "agent_refusals",
    "applicant_refusals",
    "change_due_by",
    "check_change_date",
    "check_household_registration",
    "check_moved_away_date",
    "check_new_permit",
    "check_renewal_window",
    "check_supplement_reasons",
    "check_supplement_request",
    "configured_day_mode",
    "configured_deemed_acceptance_days",
    "count_days",
    "days_until",
    "decision_deadline",
    "deemed_acceptance_cutoff",
    "endorse",
    "endorsement_reminder_dates",
    "endorsement_reminder_due",
    "expiries_reminded_on",
    "extended_deadline",
    "has_resided_long_enough",
    "is_change_late",
    "is_deemed_accepted",
    "is_endorsement_overdue",
    "is_in_city",
    "is_in_use",
    "is_overdue",
    "is_working_day",
    "months_resided",
    "new_permit_refusals",
    "new_permit_valid_until",
    "next_working_day",
    "normalize_region_code",
    "Remedies",
    "refusal_remedies",
    "remedy_deadlines",
    "renewal_opens_on",
    "renewal_window",
    "residence_certificate_valid_until",
    "residence_chain_start",
    "residence_counted_since",
    "residence_eligible_from",
    "status_after_lost_report_withdrawn",
    "supply_due_by",
    "years_and_months",
]
