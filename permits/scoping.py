"""Who on the police side sees what: officers and clerks their station only, supervisors all."""

from django.db.models import QuerySet

from .constants import StaffGroup


def is_supervisor(user) -> bool:
    """Asked once per user object (a request's user), like Django's own permission cache."""
    if not (user and user.is_authenticated and user.is_active and user.is_staff):
        return False
    if user.is_superuser:
        return True
    cached = getattr(user, "_is_supervisor_cache", None)
    if cached is None:
        cached = user.groups.filter(name=StaffGroup.SUPERVISOR).exists()
        user._is_supervisor_cache = cached
    return cached


def station_id_of(user) -> int | None:
    assignment = getattr(user, "staff_assignment", None)
    return assignment.station_id if assignment is not None else None


def scope_to_station(queryset: QuerySet, user, *, station_field: str = "station") -> QuerySet:
    """Rows of ``queryset`` that ``user`` may see: all for a supervisor, the user's station's
    for assigned staff, none for anyone else."""
    if is_supervisor(user):
        return queryset
    if not (user and user.is_authenticated and user.is_staff):
        return queryset.none()
    station_id = station_id_of(user)
    if station_id is None:
        return queryset.none()
    return queryset.filter(**{f"{station_field}_id": station_id})
