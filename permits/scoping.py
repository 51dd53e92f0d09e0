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


def agency_id_of(user) -> int | None:
    """The community service agency a staff account works at (issue 31), or None."""
    assignment = getattr(user, "staff_assignment", None)
    return assignment.agency_id if assignment is not None else None


def scope_to_station(
    queryset: QuerySet, user, *, station_field: str = "station", agency_field: str = ""
) -> QuerySet:
    """Rows of ``queryset`` that ``user`` may see: all for a supervisor, the user's station's
    for assigned staff, none for anyone else. Agency staff (issue 31) see their agency's rows
    of a model that records the agency (``agency`` beside ``station_field``, or the path given
    as ``agency_field``), nothing else."""
    if is_supervisor(user):
        return queryset
    if not (user and user.is_authenticated and user.is_staff):
        return queryset.none()
    station_id = station_id_of(user)
    if station_id is None:
        return queryset.none()
    agency_id = agency_id_of(user)
    if agency_id is not None:
        if not agency_field:
            prefix = station_field[: -len("station")] if station_field.endswith("station") else None
            agency_field = f"{prefix}agency" if prefix is not None else None
        if agency_field is None or not _has_path(queryset.model, agency_field):
            return queryset.none()
        return queryset.filter(
            **{f"{station_field}_id": station_id, f"{agency_field}_id": agency_id}
        )
    return queryset.filter(**{f"{station_field}_id": station_id})


def _has_path(model, path: str) -> bool:
    """Whether ``model`` reaches a field by ``path`` ("agency", "application__agency")."""
    from django.core.exceptions import FieldDoesNotExist

    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        model = field.related_model
    return True


def acts_for_row(user, instance) -> bool:
    """Whether a station's staff member may act on ``instance`` (a row with ``station_id``):
    supervisors everywhere, station staff on their station's rows, agency staff on their
    agency's rows only."""
    if is_supervisor(user):
        return True
    if station_id_of(user) != getattr(instance, "station_id", None):
        return False
    agency_id = agency_id_of(user)
    return agency_id is None or getattr(instance, "agency_id", None) == agency_id
