"""DRF permission classes built on ``core.permissions`` (the one staff check)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from core.permissions import staff_may
from core.second_factor import is_verified

SECOND_FACTOR_REQUIRED = _(
    "Staff need a second factor: ask for a new token with the code from your authenticator app "
    "(otp_token). Set one up by logging in to the police desk (/admin/) first."
)


def require_second_factor(request) -> None:
    """Staff acts over the API need a token (or session) verified by a second factor."""
    if not is_verified(request.user):
        raise PermissionDenied(SECOND_FACTOR_REQUIRED, code="second_factor_required")


class StaffWithPermission(BasePermission):
    """Active staff holding ``perm``, signed in with a second factor (403
    ``second_factor_required`` otherwise); on an object with ``owner_field``, never their own.
    Subclass and set ``perm`` (and ``message``)."""

    perm: str | None = None
    owner_field: str | None = None
    message = _("You are not allowed to do this.")

    def has_permission(self, request, view):
        if not staff_may(request.user, self.perm):
            return False
        require_second_factor(request)
        return True

    def has_object_permission(self, request, view, obj):
        owner_id = getattr(obj, self.owner_field, None) if self.owner_field else None
        return staff_may(request.user, self.perm, owner_id=owner_id)
