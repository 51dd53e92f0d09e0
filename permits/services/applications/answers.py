"""The answers each service asks for, and the basis (condition) of the application."""

from __future__ import annotations

import datetime

from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput, RuleRefused
from permits import rules
from permits.constants import Basis, ChangedField, ReplacementReason, Service

from ._common import _today


def _clean_answers(service, answers: dict, *, complete: bool) -> dict:
    """The answers each service asks (seed 002): change: what changed, its new value and the
    date; replacement: lost or damaged. ``complete``: every answer must be there (submit)."""
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
    elif service == Service.REPLACEMENT:
        reason = answers.get("reason", "")
        if reason and reason not in ReplacementReason.values:
            raise InvalidInput(_("Choose whether the card was lost or damaged."))
        cleaned = {"reason": reason}
        missing = [] if reason else ["reason"]
    if complete and missing:
        raise InvalidInput(
            _("Some answers are missing: %(fields)s."), params={"fields": ", ".join(missing)}
        )
    return cleaned


def _check_basis(service, basis) -> str:
    if service in (Service.NEW, Service.RENEWAL) and basis not in Basis.values:
        raise InvalidInput(
            _("Choose one condition: legally stable employment, residence or continuous study.")
        )
    if basis and basis not in Basis.values:
        raise InvalidInput(_("Unknown condition."))
    return basis or ""
