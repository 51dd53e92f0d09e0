"""Who may have a new permit (seed 003, Regulations Art. 2; seed 001 Art. 9): a verified
identity, half a year of residence in the city (an unbroken chain of registrations), one basis,
a household registration elsewhere, no permit already held."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from .endorsement import ENDORSEMENT_TERM_YEARS
from .violations import RuleViolation

__all__ = [
    "REGISTRATION_GAP_DAYS",
    "RESIDENCE_MONTHS_REQUIRED",
    "applicant_refusals",
    "check_household_registration",
    "check_new_permit",
    "has_resided_long_enough",
    "is_in_city",
    "months_resided",
    "new_permit_refusals",
    "new_permit_valid_until",
    "normalize_region_code",
    "residence_chain_start",
    "residence_eligible_from",
]

#: Seed 003 (Regulations Art. 2): more than half a year of residence.
RESIDENCE_MONTHS_REQUIRED = 6
#: Seed 003 (Regulations Art. 2), residence in the city: registrations one after another count as
#: one unbroken stay unless more than this many days lie between moving out and moving in.
REGISTRATION_GAP_DAYS = 30


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
