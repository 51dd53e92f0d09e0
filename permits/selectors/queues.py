"""The station queues (staff): each bounded by the caller's scope and served by an index."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from permits.constants import ApplicationState, PermitStatus
from permits.models import PermitApplication, ResidencePermit
from permits.scoping import scope_to_station

# What each station queue shows, in the order it is worked.
QUEUE_STATES = {
    "to_accept": (ApplicationState.SUBMITTED,),
    "to_decide": (ApplicationState.ACCEPTED,),
    "to_produce": (ApplicationState.APPROVED,),
    "to_hand_over": (
        ApplicationState.PRODUCED,
        ApplicationState.AWAITING_PICKUP,
        ApplicationState.AWAITING_OLD_CARD,
    ),
    "waiting_for_applicant": (ApplicationState.SUPPLEMENT_REQUESTED,),
}


def station_queue(user, queue: str, *, service: str | None = None) -> QuerySet[PermitApplication]:
    """One queue for a staff member: their station's (all for a supervisor), the nearest
    deadline first (index station, state, deadline)."""

    qs = PermitApplication.objects.filter(state__in=QUEUE_STATES[queue])
    if service:
        qs = qs.filter(service=service)
    return (
        scope_to_station(qs, user)
        .select_related("person", "station")
        .order_by("deadline", "submitted_at", "pk")
    )


def overdue_applications(user, *, today: datetime.date | None = None):
    """Accepted applications past their deadline (seed 001: 15 days + extension)."""

    today = today or timezone.localdate()
    qs = PermitApplication.objects.filter(state=ApplicationState.ACCEPTED, deadline__lt=today)
    return scope_to_station(qs, user).select_related("person", "station").order_by("deadline")


def permits_expiring(user, *, within_days: int = 30, today: datetime.date | None = None):
    """Active permits expiring soon (index status, valid_until), for the station's overview."""

    today = today or timezone.localdate()
    qs = ResidencePermit.objects.filter(
        status=PermitStatus.ACTIVE,
        valid_until__gte=today,
        valid_until__lte=today + datetime.timedelta(days=within_days),
    )
    return scope_to_station(qs, user).select_related("holder", "station").order_by("valid_until")
