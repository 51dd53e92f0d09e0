"""The one staff permission check (domain-free): every desk, service and API uses it.

A member of staff may act when the account is active staff, holds the Django permission, and
the record is not their own (separation of duties: an officer who is also an applicant never
decides what their own account filed). Station scoping is the domain's business (``permits``).
"""

from __future__ import annotations


def is_active_staff(user) -> bool:
    return bool(
        user and getattr(user, "is_authenticated", False) and user.is_active and user.is_staff
    )


def staff_may(user, perm: str | None = None, *, owner_id: int | None = None) -> bool:
    """Active staff holding ``perm`` (if given), never on a record owned by their own account
    (``owner_id``: the account that filed it)."""
    if not is_active_staff(user):
        return False
    if perm and not user.has_perm(perm):
        return False
    return owner_id is None or owner_id != user.pk
