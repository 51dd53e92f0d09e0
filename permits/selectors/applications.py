"""Reads of the applicant's own applications."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from permits.constants import CardReturn, ChangedField, ReplacementReason
from permits.models import PermitApplication


def applications_of(user) -> QuerySet[PermitApplication]:
    """The applications an account filed (for itself or as agent), newest first."""
    if not (user and user.is_authenticated):
        return PermitApplication.objects.none()
    return (
        PermitApplication.objects.filter(filed_by=user)
        .select_related("person", "station", "permit")
        .order_by("-created_at", "-pk")
    )


# The applicant's answers by their labels, never by their codes (issue 15, point 5): the same
# rows on the applicant's check page and on the officer's desk. An unknown key stays visible.
_ANSWER_LABELS = {
    "changed_field": (_("What changed"), ChangedField),
    "new_value": (_("New value"), None),
    "changed_on": (_("Date of the change"), None),
    "household_region": (_("Household registration (户籍所在地), region code"), None),
    "household_place": (_("Name of the place"), None),
    "reason": (_("Reason"), ReplacementReason),
    "moved_on": (_("Date of moving away"), None),
    "card_return": (_("How the card goes back"), CardReturn),
}


def answer_rows(application) -> list[tuple[str, str]]:
    """(label, value) for each answer given, in the order the pages ask them."""
    answers = application.answers or {}
    rows = []
    ordered = [k for k in _ANSWER_LABELS if k in answers]
    ordered += [k for k in answers if k not in _ANSWER_LABELS]
    for key in ordered:
        value = answers[key]
        if value in ("", None):
            continue
        label, choices = _ANSWER_LABELS.get(key, (key, None))
        if choices is not None and value in choices.values:
            value = choices(value).label
        rows.append((str(label), str(value)))
    return rows
