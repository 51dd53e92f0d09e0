"""Reads of the applicant's own applications."""

from __future__ import annotations

from django.db.models import QuerySet

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
