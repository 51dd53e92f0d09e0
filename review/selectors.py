"""Reads of the police side (no writes): the work queues, "due soon", the officer's single queue
on the admin's landing page and the stations report. Each read is bounded by the caller's scope
(``permits.scoping``): officers and clerks their station, supervisors all; identity
verification is city-wide.

One definition of each work queue (``QUEUE_STATES``) and one "due soon" (``DUE_SOON_DAYS``),
used by the landing queue, the applications changelist's desk filters and the staff API.
"""

from __future__ import annotations

import datetime
import heapq
import math
import re
from dataclasses import dataclass

from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from applicants.constants import IdentityState
from applicants.models import Identity
from core import clock
from core.masking import mask_id_number, mask_name
from core.paging import Total
from permits import rules, service_types
from permits.constants import ApplicationState, RegistrationState, StaffGroup
from permits.models import (
    Agency,
    PermitApplication,
    Rating,
    RatingFollowUp,
    ResidenceRegistration,
    Station,
)
from permits.scoping import agency_id_of, is_supervisor, scope_to_station
from permits.selectors.reminders import (
    LONG_UNCOLLECTED_DAYS,
    uncollected_since,
    waiting_for_collection,
)

from .access import group_names

# --- the work queues ---------------------------------------------------------------------------

# What each station queue shows, in the order it is worked.
QUEUE_STATES: dict[str, tuple[str, ...]] = {
    "to_accept": (ApplicationState.SUBMITTED,),
    "to_decide": (ApplicationState.ACCEPTED,),
    "to_produce": (ApplicationState.APPROVED,),
    "to_hand_over": (
        ApplicationState.PRODUCED,
        ApplicationState.AWAITING_PICKUP,
        ApplicationState.AWAITING_OLD_CARD,
    ),
    "mailed": (ApplicationState.MAILED,),
    "waiting_for_applicant": (ApplicationState.SUPPLEMENT_REQUESTED,),
    # cancellation (注销): the clerk waits for the card, then the officer completes
    "card_to_receive": (ApplicationState.AWAITING_CARD_RETURN,),
    "to_complete": (ApplicationState.CARD_RETURNED,),
}
# The queues each role works (the landing page shows these).
OFFICER_QUEUES = ("to_accept", "to_decide", "to_complete")
CLERK_QUEUES = ("to_produce", "to_hand_over", "mailed", "card_to_receive")
# Issue 31: an agency's staff receive, check, send the one-time notice and accept.
AGENCY_QUEUES = ("to_accept", "waiting_for_applicant", "to_hand_over")


def states_of(*queues: str) -> tuple[str, ...]:
    return tuple(state for queue in queues for state in QUEUE_STATES[queue])


def hand_over_condition(user) -> Q:
    """An agency's staff hand over only the cards collected at their agency (issue 31; the act's
    ``StaffPermission(agency_if="pickup_at_agency")``): their queues leave out the cards of
    their agency's cases that are collected at the station. Anyone else: no condition."""
    if agency_id_of(user) is None or is_supervisor(user):
        return Q()
    return ~Q(state__in=QUEUE_STATES["to_hand_over"]) | Q(pickup_at_agency=True)


OFFICER_STATES = states_of(*OFFICER_QUEUES)
CLERK_STATES = states_of(*CLERK_QUEUES)
WAITING_STATES = OFFICER_STATES + CLERK_STATES
AGENCY_STATES = states_of(*AGENCY_QUEUES)

# --- deadlines ----------------------------------------------------------------------------------

# The statutory clock runs from acceptance to production (seed 001 Art. 9: the permit is
# "issued" within 15 days): an approved card never produced is overdue too.
CLOCK_STATES = (ApplicationState.ACCEPTED, ApplicationState.APPROVED)
# An accepted application whose decision is due within this many days is "due soon".
DUE_SOON_DAYS = 3


def due_choices() -> list[tuple[str, str]]:
    """The deadline filter's choices (the queue's and the admin list's), in the active
    language: the number of days is ``DUE_SOON_DAYS``'s, never typed into a label."""
    soon = ngettext("due within %(days)d day", "due within %(days)d days", DUE_SOON_DAYS) % {
        "days": DUE_SOON_DAYS
    }
    return [("overdue", gettext("overdue")), ("soon", soon)]


def due_condition(due: str, today: datetime.date) -> Q | None:
    """``overdue``: accepted, past its deadline; ``soon``: accepted, due within
    ``DUE_SOON_DAYS`` days from today. Anything else: no condition."""
    if due == "overdue":
        return Q(state__in=CLOCK_STATES, deadline__lt=today)
    if due == "soon":
        return Q(
            state__in=CLOCK_STATES,
            deadline__gte=today,
            deadline__lte=today + datetime.timedelta(days=DUE_SOON_DAYS),
        )
    return None


def deadline_urgency(state: str, deadline: datetime.date | None, today: datetime.date) -> str:
    """ "overdue", "due-soon" or "" (the CSS class of the row), by ``due_condition``'s rules."""
    if deadline is None or state not in CLOCK_STATES:
        return ""
    return due_urgency(deadline, today)


def due_urgency(due: datetime.date, today: datetime.date) -> str:
    """ "overdue" past ``due``, "due-soon" within ``DUE_SOON_DAYS`` days of it, else ""."""
    if due < today:
        return "overdue"
    if due <= today + datetime.timedelta(days=DUE_SOON_DAYS):
        return "due-soon"
    return ""


def urgency(application: PermitApplication, today: datetime.date) -> str:
    """``deadline_urgency`` of an application."""
    return deadline_urgency(application.state, application.deadline, today)


# --- the station queues (staff API, changelist) -------------------------------------------------


def station_queue(user, queue: str, *, service: str | None = None) -> QuerySet[PermitApplication]:
    """One queue for a staff member: their station's (all for a supervisor), the nearest
    deadline first (index station, state, deadline)."""
    qs = PermitApplication.objects.filter(hand_over_condition(user), state__in=QUEUE_STATES[queue])
    if service:
        qs = qs.filter(service=service)
    return (
        scope_to_station(qs, user)
        .select_related("person", "station")
        .order_by("deadline", "submitted_at", "pk")
    )


def overdue_applications(user, *, today: datetime.date | None = None):
    """Accepted applications past their deadline (seed 001: 15 days + extension)."""
    today = today or clock.today()
    qs = PermitApplication.objects.filter(due_condition("overdue", today))
    return scope_to_station(qs, user).select_related("person", "station").order_by("deadline")


def long_uncollected(user, *, today: datetime.date | None = None) -> QuerySet[PermitApplication]:
    """Cards waiting at the station ``LONG_UNCOLLECTED_DAYS`` (90) days or more since production
    (the holder was reminded after 7 and 30 days): the station's clerk follows them up. The
    user's station (all for a supervisor), the oldest first."""
    today = today or clock.today()
    qs = PermitApplication.objects.filter(
        waiting_for_collection(), uncollected_since(LONG_UNCOLLECTED_DAYS, today=today)
    )
    return (
        scope_to_station(qs, user).select_related("person", "station").order_by("produced_at", "pk")
    )


# --- searching ----------------------------------------------------------------------------------

ID_DIGITS = re.compile(r"^\d{3,17}[\dXx]?$")


def search_filter(term: str, *, person: str = "person__", reference: bool = True) -> Q:
    """Reference, name, or the last digits of the ID number (a whole number matches too).
    ``person`` is the lookup path to the identity ("" for an identity itself)."""
    term = term.strip()
    condition = Q(**{f"{person}full_name__icontains": term})
    if reference:
        condition |= Q(reference__icontains=term)
    if ID_DIGITS.match(term):
        condition |= Q(**{f"{person}id_number__endswith": term.upper()})
    return condition


# --- the officer's single queue -----------------------------------------------------------------

KIND_IDENTITY, KIND_REGISTRATION, KIND_APPLICATION = "identity", "registration", "application"
KIND_FOLLOW_UP = "follow_up"
KINDS = {
    KIND_IDENTITY: _("Identity to verify"),
    KIND_REGISTRATION: _("Residence registration"),
    KIND_APPLICATION: _("Application"),
    KIND_FOLLOW_UP: _("Bad rating to answer"),
}
# Filters that only applications have: any of them set, the other kinds are left out.
APPLICATION_ONLY_FILTERS = ("service", "state", "due")


def default_states(user) -> tuple:
    if is_supervisor(user):
        return WAITING_STATES
    names = group_names(user)
    if StaffGroup.AGENCY in names:
        return AGENCY_STATES
    if StaffGroup.OFFICER in names:
        return OFFICER_STATES
    if StaffGroup.CLERK in names:
        return CLERK_STATES
    return WAITING_STATES


def application_queue(user, params, *, today=None) -> QuerySet[PermitApplication]:
    """The waiting applications of the user's station (all stations for a supervisor) for the
    user's role, the oldest deadline first, filtered by ``params`` (service, state, due,
    station, q)."""
    today = today or clock.today()
    states = default_states(user)
    state = params.get("state", "")
    if state in WAITING_STATES:
        states = (state,)
    qs = PermitApplication.objects.filter(hand_over_condition(user), state__in=states)
    service = params.get("service", "")
    if service_types.is_registered(service):
        qs = qs.filter(service=service)
    due = due_condition(params.get("due", ""), today)
    if due is not None:
        qs = qs.filter(due)
    station = params.get("station", "")
    if station.isdigit():
        qs = qs.filter(station_id=int(station))
    term = (params.get("q") or "").strip()
    if term:
        qs = qs.filter(search_filter(term[:60]))
    return (
        scope_to_station(qs, user)
        .select_related("person", "station", "agency")
        .order_by(F("deadline").asc(nulls_last=True), "submitted_at", "pk")
    )


def identities_to_verify(user, params=None) -> QuerySet[Identity]:
    """Pending identities, city-wide, for those who verify (never one's own), oldest first."""
    params = params or {}
    if not user.has_perm("applicants.verify_identity"):
        return Identity.objects.none()
    qs = Identity.objects.filter(state=IdentityState.PENDING).exclude(account_id=user.pk)
    term = (params.get("q") or "").strip()
    if term:
        qs = qs.filter(search_filter(term[:60], person="", reference=False))
    if (params.get("station") or "").isdigit():
        qs = qs.none()  # identities belong to no station
    return qs.order_by("submitted_at", "pk")


def registrations_to_register(user, params=None) -> QuerySet[ResidenceRegistration]:
    """Submitted residence registrations of the user's station (all for a supervisor), for
    those who register them, oldest first."""
    params = params or {}
    if not user.has_perm("permits.review_registration"):
        return ResidenceRegistration.objects.none()
    qs = ResidenceRegistration.objects.filter(state=RegistrationState.SUBMITTED)
    station = params.get("station", "")
    if station.isdigit():
        qs = qs.filter(station_id=int(station))
    term = (params.get("q") or "").strip()
    if term:
        qs = qs.filter(search_filter(term[:60], reference=False))
    return (
        scope_to_station(qs, user)
        .select_related("person", "house", "station")
        .order_by("created_at", "pk")
    )


def follow_ups_to_answer(user, params=None) -> QuerySet[RatingFollowUp]:
    """Open follow-ups of bad ratings (好差评), for supervisors, the earliest due first."""
    params = params or {}
    if not is_supervisor(user):
        return RatingFollowUp.objects.none()
    qs = RatingFollowUp.objects.filter(answered_at__isnull=True)
    station = params.get("station", "")
    if station.isdigit():
        qs = qs.filter(station_id=int(station))
    term = (params.get("q") or "").strip()
    if term:
        person = "rating__application__person__"
        qs = qs.filter(
            search_filter(term[:60], person=person, reference=False)
            | Q(rating__application__reference__icontains=term[:60])
        )
    return qs.select_related("rating__application__person", "station").order_by(
        "due_on", "opened_at", "pk"
    )


# What each kind's row shows, read as plain values (``values_list``: no model rows, issue 29):
# for each kind, the lookup that fills each column of ``QueueRow`` (a column a kind lacks stays
# empty).
QUEUE_LOOKUPS = {
    KIND_APPLICATION: {
        "pk": "pk",
        "reference": "reference",
        "detail": "service",
        "name": "person__full_name",
        "id_number": "person__id_number",
        "station": "station__name",
        "agency_code": "agency__code",
        "agency_name": "agency__name",
        "state": "state",
        "due": "deadline",
        "moment": "submitted_at",
    },
    KIND_REGISTRATION: {
        "pk": "pk",
        "reference": "house__code",
        "detail": "basis",
        "name": "person__full_name",
        "id_number": "person__id_number",
        "station": "station__name",
        "state": "state",
        "moment": "created_at",
    },
    KIND_IDENTITY: {
        "pk": "pk",
        "detail": "relationship",
        "name": "full_name",
        "id_number": "id_number",
        "state": "state",
        "moment": "submitted_at",
    },
    KIND_FOLLOW_UP: {
        "pk": "pk",
        "reference": "rating__application__reference",
        "detail": "rating__score",
        "name": "rating__application__person__full_name",
        "id_number": "rating__application__person__id_number",
        "station": "station__name",
        "due": "due_on",
        "moment": "opened_at",
    },
}


@dataclass(frozen=True)
class QueueRow:
    """One row of the landing queue, as plain values: ``kind`` (see ``KINDS``), the row's key,
    the sort key (the deadline; the submission day where there is none), and what the page
    shows. ``name`` and ``id_number`` are masked; ``detail`` (service, basis, relationship or
    score) and ``state`` are the stored values until ``review.views.queue`` puts their labels
    in, with the row's page (``url``) and its submission time (``submitted``, local)."""

    kind: str
    pk: int
    key: tuple
    urgency: str = ""
    reference: str = ""
    detail: object = ""
    name: str = ""
    id_number: str = ""
    station: str = ""
    agency_code: str = ""
    agency_name: str = ""
    state: str = ""
    due: datetime.date | None = None
    moment: datetime.datetime | None = None


def _day(moment) -> datetime.date:
    return timezone.localdate(moment) if moment else datetime.date.max


def _moment(moment):
    return moment or datetime.datetime.max.replace(tzinfo=datetime.UTC)


class LandingQueue:
    """Everything waiting for one user, merged from one query per kind (no per-row query):
    applications by deadline (as ``application_queue``), identities and registrations by their
    submission day. A sequence for ``Paginator``: ``count()`` and slicing.

    Each kind's query brings its first rows and its total together (``core.paging.Total``), so
    the count and the page cost one query per kind, and reads only the columns the page shows
    (``QUEUE_LOOKUPS``). ``stop_hint`` is where the slice the caller will ask for ends (the
    requested page's last row): the count fetches that many rows of each kind; a later slice
    within them runs no query."""

    def __init__(self, user, params, *, today=None, stop_hint: int = 0):
        self.today = today or clock.today()
        kind = params.get("kind", "")
        only_applications = any(params.get(name) for name in APPLICATION_ONLY_FILTERS)
        wanted = [kind] if kind in KINDS else list(KINDS)
        if only_applications:
            wanted = [k for k in wanted if k == KIND_APPLICATION]
        self.sources = []
        if KIND_IDENTITY in wanted:
            self.sources.append((KIND_IDENTITY, identities_to_verify(user, params)))
        if KIND_REGISTRATION in wanted:
            self.sources.append((KIND_REGISTRATION, registrations_to_register(user, params)))
        if KIND_APPLICATION in wanted:
            self.sources.append((KIND_APPLICATION, application_queue(user, params, today=today)))
        if KIND_FOLLOW_UP in wanted:
            self.sources.append((KIND_FOLLOW_UP, follow_ups_to_answer(user, params)))
        self.stop_hint = max(1, stop_hint)
        self._stop = 0  # how many rows of each kind ``_heads`` holds (at most)
        self._heads: list[tuple[str, list, int]] = []  # (kind, first rows, total)

    def _fetch(self, stop: int) -> None:
        if stop <= self._stop:
            return
        heads = []
        for kind, qs in self.sources:
            if qs.query.is_empty():  # a kind this user does not work: no query
                heads.append((kind, [], 0))
                continue
            lookups = QUEUE_LOOKUPS[kind]
            counted = qs.annotate(queue_total=Total(qs.order_by().values("pk")))
            rows = list(counted.values_list(*lookups.values(), "queue_total")[:stop])
            heads.append((kind, rows, rows[0][-1] if rows else 0))
        self._heads, self._stop = heads, stop

    def count(self) -> int:
        self._fetch(self.stop_hint)
        return sum(total for _kind, _rows, total in self._heads)

    def __len__(self) -> int:
        return self.count()

    def _rows(self, kind, values):
        order = list(KINDS).index(kind)
        columns = list(QUEUE_LOOKUPS[kind])
        today = self.today
        for row in values:
            cells = dict(zip(columns, row, strict=False))
            pk, moment, due = cells["pk"], cells["moment"], cells.get("due")
            if kind == KIND_APPLICATION:
                key = (due or datetime.date.max, _moment(moment), order, pk)
                flag = deadline_urgency(cells["state"], due, today)
            elif kind == KIND_FOLLOW_UP:
                key = (due, _moment(moment), order, pk)
                flag = due_urgency(due, today)
            else:
                key = (_day(moment), _moment(moment), order, pk)
                flag = ""
            cells["name"] = mask_name(cells["name"])
            cells["id_number"] = mask_id_number(cells["id_number"])
            yield QueueRow(kind=kind, key=key, urgency=flag, **cells)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("LandingQueue supports slices only")
        start, stop = index.start or 0, index.stop
        if stop is None:
            stop = self.count()
        if stop <= start:
            return []
        self._fetch(stop)
        streams = [list(self._rows(kind, rows[:stop])) for kind, rows, _total in self._heads]
        merged = heapq.merge(*streams, key=lambda row: row.key)
        return [row for position, row in enumerate(merged) if start <= position < stop]


# --- an application's desk ------------------------------------------------------------------------

# What the desk shows beside the application: read with it in one joined query, but for the
# registration and its house, read by a second one. Joined all at once (eight tables), PostgreSQL
# spends longer planning the query than two smaller ones cost: 6.2-6.7 ms against 3.9-4.4 ms on
# 100,000 applications (issue 29).
DESK_RELATED = ("person", "filed_by", "station", "agency", "permit")


def _in_scope(user, pk) -> QuerySet[PermitApplication]:
    """The application ``pk`` if it is within the user's scope (``permits.scoping``: their
    station's, all for a supervisor): one row at most, none for a key that is no number."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return PermitApplication.objects.none()
    return scope_to_station(PermitApplication.objects.filter(pk=pk), user).order_by()


def desk_generations(user, pk) -> tuple[int, int] | None:
    """The page generations (``core.page_cache``) of the accounts the application ``pk``
    concerns (who filed it, the person's own), if it is within the user's scope; None
    otherwise. Whatever its desk shows bumps one of them: its transitions, materials, papers,
    the person's identity, registration and permit, the places named."""
    rows = _in_scope(user, pk).values_list(
        "filed_by__page_generation", "person__account__page_generation"
    )
    return next(iter(rows), None)


def desk_application(user, pk) -> PermitApplication | None:
    """The application ``pk`` with what its desk shows, if it is within the user's scope; None
    otherwise."""
    rows = _in_scope(user, pk)
    registration = Prefetch(
        "registration", queryset=ResidenceRegistration.objects.select_related("house")
    )
    found = list(rows.select_related(*DESK_RELATED).prefetch_related(registration))
    return found[0] if found else None


# --- the supervisors' report --------------------------------------------------------------------


def percentile(values: list[float], fraction: float) -> float | None:
    """Linear interpolation between closest ranks (as PostgreSQL's percentile_cont)."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _period_bounds(start: datetime.date, end: datetime.date):
    tz = timezone.get_current_timezone()
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=tz)
    next_day = end + datetime.timedelta(days=1)
    until = datetime.datetime.combine(next_day, datetime.time.min, tzinfo=tz)

    def between(field):
        return Q(**{f"{field}__gte": since, f"{field}__lt": until})

    return between


def _place_metrics(key: str, between, today, scope: Q | None = None) -> dict:
    """Received, accepted, approved, rejected, produced, median and p90 days from acceptance to
    production, overdue now and the first-time approval rate, per value of ``key``
    ("station_id", or "agency_id" for the community service agencies, issue 31)."""
    base = (
        PermitApplication.objects.all()
        if scope is None
        else PermitApplication.objects.filter(scope)
    )
    decided = between("decided_at")
    rejected = Q(state=ApplicationState.REJECTED)
    counts = {
        row[key]: row
        for row in base.values(key).annotate(
            received=Count("pk", filter=between("submitted_at")),
            accepted=Count("pk", filter=between("accepted_at")),
            approved=Count("pk", filter=decided & ~rejected),
            rejected=Count("pk", filter=decided & rejected),
            first_time=Count(
                "pk", filter=decided & ~rejected & Q(supplement_requested_at__isnull=True)
            ),
            overdue=Count("pk", filter=Q(state__in=CLOCK_STATES, deadline__lt=today)),
        )
    }
    # in the days the statutory deadline counts (rules.count_days, DEADLINE_DAY_MODE: working
    # days by default, seed 004), so the figures compare with the 15 days of Regulations Art. 9
    mode = rules.configured_day_mode()
    tz = timezone.get_current_timezone()
    durations: dict[int, list[float]] = {}
    produced = base.filter(between("produced_at"), accepted_at__isnull=False).values_list(
        key, "accepted_at", "produced_at"
    )
    for group, accepted_at, produced_at in produced.iterator(chunk_size=2000):
        durations.setdefault(group, []).append(
            rules.count_days(
                timezone.localdate(accepted_at, tz), timezone.localdate(produced_at, tz), mode=mode
            )
        )
    metrics = {}
    for group in set(counts) | set(durations):
        row = counts.get(group, {})
        decisions = row.get("approved", 0) + row.get("rejected", 0)
        days = durations.get(group, [])
        median, p90 = percentile(days, 0.5), percentile(days, 0.9)
        metrics[group] = {
            "received": row.get("received", 0),
            "accepted": row.get("accepted", 0),
            "approved": row.get("approved", 0),
            "rejected": row.get("rejected", 0),
            "produced": len(days),
            "median_days": None if median is None else round(median, 1),
            "p90_days": None if p90 is None else round(p90, 1),
            "overdue": row.get("overdue", 0),
            "first_time_rate": (
                None if not decisions else round(100 * row.get("first_time", 0) / decisions)
            ),
        }
    return metrics


_NO_CASES = {
    "received": 0,
    "accepted": 0,
    "approved": 0,
    "rejected": 0,
    "produced": 0,
    "median_days": None,
    "p90_days": None,
    "overdue": 0,
    "first_time_rate": None,
}


def station_report(*, start: datetime.date, end: datetime.date, today=None) -> list[dict]:
    """Per station, for the days ``start`` to ``end`` (inclusive, local time): received
    (submitted), accepted, approved, rejected, median and 90th-percentile days from acceptance
    to production (in the deadline's days: working days by default), overdue now, and the
    first-time approval rate (approved without any request for more material, over all
    decisions of the period). A station's figures count the cases
    its agencies received too; ``agency_report`` shows those apart."""
    today = today or clock.today()
    between = _period_bounds(start, end)
    metrics = _place_metrics("station_id", between, today)
    satisfaction = satisfaction_by_station(between("rated_at"), today)
    return [
        {
            "station": station,
            **metrics.get(station.pk, _NO_CASES),
            **satisfaction.get(station.pk, _NO_RATINGS),
        }
        for station in Station.objects.order_by("name")
    ]


def agency_report(*, start: datetime.date, end: datetime.date, today=None) -> list[dict]:
    """Issue 31: the same figures for the cases filed at each community service agency, and for
    those filed at each station itself, so the two can be compared."""
    today = today or clock.today()
    between = _period_bounds(start, end)
    by_agency = _place_metrics("agency_id", between, today, Q(agency__isnull=False))
    at_station = _place_metrics("station_id", between, today, Q(agency__isnull=True))
    rows = []
    agencies = Agency.objects.select_related("station").order_by("station__name", "name")
    by_station: dict[int, list] = {}
    for agency in agencies:
        by_station.setdefault(agency.station_id, []).append(agency)
    for station in Station.objects.filter(pk__in=by_station).order_by("name"):
        rows.append({"station": station, "agency": None, **at_station.get(station.pk, _NO_CASES)})
        for agency in by_station[station.pk]:
            rows.append(
                {"station": station, "agency": agency, **by_agency.get(agency.pk, _NO_CASES)}
            )
    return rows


_NO_RATINGS = {
    "ratings": 0,
    "average_score": None,
    "satisfied_rate": None,
    "follow_ups_overdue": 0,
    "by_service": [],
}


def _rate(part: int, whole: int) -> int | None:
    return None if not whole else round(100 * part / whole)


def satisfaction_by_station(in_period: Q, today: datetime.date) -> dict[int, dict]:
    """Ratings (好差评) per station and service in the period: how many, the average score,
    the share satisfied (4 or 5); and per station the follow-ups of bad ratings open past
    their due date now. Two grouped queries."""
    rows = (
        Rating.objects.filter(in_period, score__isnull=False)
        .values("application__station_id", "application__service")
        .annotate(
            ratings=Count("pk"),
            total=Sum("score"),
            satisfied=Count("pk", filter=Q(score__gte=4)),
        )
        .order_by("application__station_id", "application__service")
    )
    result: dict[int, dict] = {}
    for row in rows:
        station = result.setdefault(
            row["application__station_id"],
            {**_NO_RATINGS, "by_service": [], "_total": 0, "_satisfied": 0},
        )
        station["ratings"] += row["ratings"]
        station["_total"] += row["total"]
        station["_satisfied"] += row["satisfied"]
        station["by_service"].append(
            {
                "service": service_types.label(row["application__service"]),
                "ratings": row["ratings"],
                "average_score": round(row["total"] / row["ratings"], 1),
                "satisfied_rate": _rate(row["satisfied"], row["ratings"]),
            }
        )
    for station in result.values():
        station["average_score"] = round(station.pop("_total") / station["ratings"], 1)
        station["satisfied_rate"] = _rate(station.pop("_satisfied"), station["ratings"])
    overdue = (
        RatingFollowUp.objects.filter(answered_at__isnull=True, due_on__lt=today)
        .values("station_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in overdue:
        station = result.setdefault(row["station_id"], {**_NO_RATINGS, "by_service": []})
        station["follow_ups_overdue"] = row["n"]
    return result
