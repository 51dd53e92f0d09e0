"""Reads of the applicant's own applications."""

from __future__ import annotations

from django.db.models import F, QuerySet

from core.display import ChoiceLabels, pk_url, ymd
from permits import rules
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


# What a row of My applications (and of the personal center's) shows, next step included.
ROW_FIELDS = (
    "pk",
    "service",
    "state",
    "reference",
    "created_at",
    "deadline",
    "delivery_method",
    "old_card_received_at",
    "tracking_number",
)


def application_rows(applications: QuerySet[PermitApplication]) -> QuerySet:
    """``applications`` (``applications_of(user)``, narrowed as the page needs) as rows for a
    list: dicts with ``person_name``, one join, no model instances (issue 18: a page of 20 built
    80 instances with their state machines). Give the rows shown to ``displayed_rows``."""
    return applications.values(*ROW_FIELDS, person_name=F("person__full_name"))


def displayed_rows(rows) -> list[dict]:
    """The rows with what the template shows worked out once: ``url`` (the application's
    page), ``service_label``, ``state_label`` and ``created_on`` (Y-m-d)."""
    service_label = ChoiceLabels(PermitApplication, "service")
    state_label = ChoiceLabels(PermitApplication, "state")
    url = pk_url("permits:application_detail")
    rows = list(rows)
    for row in rows:
        row["url"] = url(row["pk"])
        row["service_label"] = service_label(row["service"])
        row["state_label"] = state_label(row["state"])
        row["created_on"] = ymd(row["created_at"])
    return rows


def answer_rows(application) -> list[tuple[str, str]]:
    """(label, value) for each answer given, by their labels, never their codes (issue 15,
    point 5), in the order the service asks them (``ServiceType.answer_rows``): the same rows
    on the applicant's check page and on the officer's desk."""
    return application.service_type.answer_rows(application.answers)


def deadline_terms() -> dict:
    """The periods a page states about what follows a submission, as the rules and the settings
    count them: the decision days and their unit (``DEADLINE_DAY_MODE``), and the working days
    after which a submission counts as accepted (Administrative Licensing Law Art. 32; 0: off)."""
    return {
        "decision_days": rules.DECISION_DAYS,
        "day_mode": str(rules.configured_day_mode()),
        "deemed_days": rules.configured_deemed_acceptance_days(),
    }
