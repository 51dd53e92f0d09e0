"""The answers each service asks for, and the basis (condition) of the application."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput, RuleRefused
from permits import rules
from permits.constants import Basis, CardReturn, ChangedField, ReplacementReason, Service

from ._common import _city_region_codes, _today


def _clean_answers(service, answers: dict, *, complete: bool) -> dict:
    """The answers each service asks (seed 002): new permit: the place of household
    registration (seed 003); change: what changed, its new value and the date; replacement: lost
    or damaged. ``complete``: every answer must be there (submit)."""
    answers = dict(answers or {})
    cleaned: dict = {}
    missing = []
    if service == Service.CHANGE:
        field = answers.get("changed_field", "")
        if field and field not in ChangedField.values:
            raise InvalidInput(_("Choose what changed: address, employer or school."))
        new_value = str(answers.get("new_value", "")).strip()[:200]
        changed_on = answers.get("changed_on", "")
        if changed_on:
            try:
                day = (
                    changed_on
                    if isinstance(changed_on, datetime.date)
                    else datetime.date.fromisoformat(str(changed_on))
                )
            except ValueError as exc:
                raise InvalidInput(_("Enter the date of the change as YYYY-MM-DD.")) from exc
            try:
                rules.check_change_date(day, _today())
            except rules.RuleViolation as violation:
                raise RuleRefused.from_rule(violation) from violation
            changed_on = day.isoformat()
        cleaned = {"changed_field": field, "new_value": new_value, "changed_on": changed_on}
        missing = [k for k, v in cleaned.items() if not v]
    elif service == Service.NEW:
        # Seed 003 (Regulations Art. 2): the permit is for people who left the place of their
        # household registration (户籍所在地): a region code outside the city (CITY_REGION_CODES)
        region = answers.get("household_region", "")
        if region:
            try:
                rules.check_household_registration(region, _city_region_codes())
            except rules.RuleViolation as violation:
                raise RuleRefused.from_rule(violation) from violation
            region = rules.normalize_region_code(region)
        place = str(answers.get("household_place", "")).strip()[:100]
        cleaned = {"household_region": region, "household_place": place}
        missing = [] if region else ["household_region"]
    elif service == Service.REPLACEMENT:
        reason = answers.get("reason", "")
        if reason and reason not in ReplacementReason.values:
            raise InvalidInput(_("Choose whether the card was lost or damaged."))
        cleaned = {"reason": reason}
        missing = [] if reason else ["reason"]
    elif service == Service.CANCELLATION:
        cleaned = _clean_cancellation(answers)
        missing = [k for k, v in cleaned.items() if not v]
    if complete and missing:
        raise InvalidInput(
            _("Some answers are missing: %(fields)s."), params={"fields": ", ".join(missing)}
        )
    return cleaned


def _clean_cancellation(answers: dict) -> dict:
    """Cancellation (seed 001 procedure 3): the date of moving away (``rules``: at most
    ``CANCELLATION_DAYS_AHEAD`` days ahead) and how the card goes back to the station."""
    card_return = answers.get("card_return", "")
    if card_return and card_return not in CardReturn.values:
        raise InvalidInput(_("Choose how you return the card: by mail or at the window."))
    moved_on = answers.get("moved_on", "")
    if moved_on:
        try:
            day = (
                moved_on
                if isinstance(moved_on, datetime.date)
                else datetime.date.fromisoformat(str(moved_on))
            )
        except ValueError as exc:
            raise InvalidInput(_("Enter the date of moving away as YYYY-MM-DD.")) from exc
        try:
            rules.check_moved_away_date(day, _today())
        except rules.RuleViolation as violation:
            raise RuleRefused.from_rule(violation) from violation
        moved_on = day.isoformat()
    return {"moved_on": moved_on, "card_return": card_return}


def _check_basis(service, basis) -> str:
    if service in (Service.NEW, Service.RENEWAL) and basis not in Basis.values:
        raise InvalidInput(
            _("Choose one condition: legally stable employment, residence or continuous study.")
        )
    if basis and basis not in Basis.values:
        raise InvalidInput(_("Unknown condition."))
    return basis or ""
