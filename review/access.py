"""What a staff request asks about its user, read in one query (issue 18).

Every admin page asks for the user's permissions (the app list, the act buttons), the
supervisor group (``permits.scoping.is_supervisor``), the user's groups (the landing queue's
role) and the station (``permits.scoping.station_id_of``): four or five round trips when each
is read on first use. ``load_staff_access`` reads them all at once (one ``UNION ALL``) and fills
the same per-object caches Django's ``ModelBackend`` and ``permits.scoping`` fill themselves,
so what each check answers does not change, only the number of queries. Like those caches it
lives on the request's user object: a change of groups or station counts from the next request.
"""

from __future__ import annotations

import functools

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, Coalesce, Concat

from permits.constants import StaffGroup
from permits.models import StaffAssignment
from permits.scoping import agency_id_of, station_id_of

GROUP_NAMES_CACHE = "_staff_group_names"

_USER_PERM, _GROUP_PERM, _GROUP, _STATION = "u", "g", "r", "s"


def _rows(user):
    text = CharField()

    def perms(kind, lookup):
        return (
            Permission.objects.filter(**{lookup: user})
            .annotate(kind=Value(kind, text), a=F("content_type__app_label"), b=F("codename"))
            .values_list("kind", "a", "b")
            .order_by()
        )

    groups = (
        Group.objects.filter(user=user)
        .annotate(kind=Value(_GROUP, text), a=F("name"), b=Value("", text))
        .values_list("kind", "a", "b")
        .order_by()
    )
    station = (
        StaffAssignment.objects.filter(user=user)
        .annotate(
            kind=Value(_STATION, text),
            a=Cast("station_id", text),
            # "pk:agency" (issue 31: an agency's staff; empty for a station's)
            b=Concat(Cast("pk", text), Value(":"), Coalesce(Cast("agency_id", text), Value(""))),
        )
        .values_list("kind", "a", "b")
        .order_by()
    )
    return perms(_USER_PERM, "user").union(
        perms(_GROUP_PERM, "group__user"), groups, station, all=True
    )


# The user id the query is built for once (``_statement``), replaced by each user's own in its
# parameters; never a real account's (ids are positive).
_PLACEHOLDER_ID = -424242


@functools.cache
def _statement() -> tuple[str, tuple]:
    """The ``UNION ALL`` of ``_rows`` as SQL and parameters, built once per process: the ORM
    spends about 2 ms building it, on every staff request (issue 29: the staff screens' floor).
    The parameters hold ``_PLACEHOLDER_ID`` wherever the user's id goes."""
    sql, params = _rows(get_user_model()(pk=_PLACEHOLDER_ID)).query.sql_with_params()
    if _PLACEHOLDER_ID not in params:  # pragma: no cover - the query no longer names the user
        raise RuntimeError("review.access: the staff access query has no user parameter")
    return sql, tuple(params)


def _read(user) -> list[tuple[str, str, str]]:
    """The rows of ``_rows(user)``, by the statement built once."""
    sql, params = _statement()
    with connection.cursor() as cursor:
        cursor.execute(sql, [user.pk if p == _PLACEHOLDER_ID else p for p in params])
        return cursor.fetchall()


def load_staff_access(user) -> None:
    """Permissions, groups and station of an active, non-superuser member of staff, in one
    query; nothing for anyone else (a superuser's permissions are all of them, Django's way).
    A second call on the same user object does nothing."""
    if not (
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.is_staff
        and not user.is_superuser
    ):
        return
    if hasattr(user, "_perm_cache") or hasattr(user, GROUP_NAMES_CACHE):
        return
    user_perms, group_perms, groups, assignment = set(), set(), set(), None
    for kind, a, b in _read(user):
        if kind == _USER_PERM:
            user_perms.add(f"{a}.{b}")
        elif kind == _GROUP_PERM:
            group_perms.add(f"{a}.{b}")
        elif kind == _GROUP:
            groups.add(a)
        else:
            pk, _sep, agency = b.partition(":")
            assignment = StaffAssignment(
                pk=int(pk),
                user_id=user.pk,
                station_id=int(a),
                agency_id=int(agency) if agency else None,
            )
    # django.contrib.auth.backends.ModelBackend's caches (get_user_permissions,
    # get_group_permissions, get_all_permissions).
    user._user_perm_cache = user_perms
    user._group_perm_cache = group_perms
    user._perm_cache = user_perms | group_perms
    setattr(user, GROUP_NAMES_CACHE, frozenset(groups))
    # permits.scoping's caches: is_supervisor() and station_id_of().
    user._is_supervisor_cache = StaffGroup.SUPERVISOR in groups
    get_user_model().staff_assignment.related.set_cached_value(user, assignment)


def group_names(user) -> frozenset[str]:
    """The names of the user's groups (read once per user object)."""
    names = getattr(user, GROUP_NAMES_CACHE, None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, GROUP_NAMES_CACHE, names)
    return names


def access_digest(user) -> str:
    """What a staff screen's content depends on about its viewer, as text for a cache key
    (``core.page_cache.staff_page_key``): superuser or not, every permission, the groups, the
    station and agency. Read from the caches ``load_staff_access`` filled (no query then)."""
    return "|".join(
        (
            "superuser" if user.is_superuser else "",
            ",".join(sorted(user.get_all_permissions())),
            ",".join(sorted(group_names(user))),
            str(station_id_of(user)),
            str(agency_id_of(user)),
        )
    )
