"""DRF permission classes built on ``core.permissions`` (the one staff check)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.permissions import BasePermission

from core.permissions import staff_may


class StaffWithPermission(BasePermission):
    """Active staff holding ``perm``; on an object with ``owner_field``, never their own.
    Subclass and set ``perm`` (and ``message``)."""

    perm: str | None = None
    owner_field: str | None = None
    message = _("You are not allowed to do this.")

    def has_permission(self, request, view):
        return staff_may(request.user, self.perm)

    def has_object_permission(self, request, view, obj):
        owner_id = getattr(obj, self.owner_field, None) if self.owner_field else None
        return staff_may(request.user, self.perm, owner_id=owner_id)
