"""Reads for the applicant's own pages: the account's own identity and the people it acts for."""

from __future__ import annotations

from django.db.models import BooleanField, Case, Value, When

from .constants import Relationship
from .models import Identity

DEPENDENTS_SHOWN = 50


def dependents_of(account):
    """The people the account acts for (every identity but its own), oldest first."""
    return account.identities.exclude(relationship=Relationship.SELF).order_by("created_at")


def identities_of(user, *, dependents: int = DEPENDENTS_SHOWN):
    """``(own identity or None, the first ``dependents`` people the account acts for)`` in one
    query: what ``user.own_identity`` and ``dependents_of(user)`` give (issue 18)."""
    rows = list(
        Identity.objects.filter(account=user)
        .annotate(
            not_own=Case(
                When(relationship=Relationship.SELF, then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            )
        )
        .order_by("not_own", "created_at", "pk")[: dependents + 1]
    )
    own = rows[0] if rows and rows[0].relationship == Relationship.SELF else None
    return own, [row for row in rows if row.relationship != Relationship.SELF][:dependents]
