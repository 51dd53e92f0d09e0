"""Permit reads for the station's overview (staff), bounded by the caller's scope. The work
queues (``QUEUE_STATES``, ``station_queue``, overdue applications) are in ``review.selectors``."""

from __future__ import annotations

import datetime

from core import clock
from permits.constants import PermitStatus
from permits.models import ResidencePermit
from permits.scoping import scope_to_station


def permits_expiring(user, *, within_days: int = 30, today: datetime.date | None = None):
    """Active permits expiring soon (index status, valid_until), for the station's overview."""

    today = today or clock.today()
    qs = ResidencePermit.objects.filter(
        status=PermitStatus.ACTIVE,
        valid_until__gte=today,
        valid_until__lte=today + datetime.timedelta(days=within_days),
    )
    return scope_to_station(qs, user).select_related("holder", "station").order_by("valid_until")
