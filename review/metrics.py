"""The portal's own Prometheus gauges (served by config/metrics.py behind its access check):
SMS by status and the oldest queued, applications waiting per station and state, identities
waiting, the last success of each daily job. Read from the database at each scrape."""

from __future__ import annotations

import logging

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily

from applicants.constants import IdentityState
from applicants.models import Identity
from core.db_router import replica_reads
from core.jobs import last_successes
from notifications.constants import UNSETTLED_STATUSES, SmsStatus
from notifications.models import SmsMessage
from permits.constants import FINAL_APPLICATION_STATES, ApplicationState
from permits.models import PermitApplication

logger = logging.getLogger(__name__)
# Not waiting for anyone: never submitted, or finished.
NOT_WAITING = {ApplicationState.DRAFT, *FINAL_APPLICATION_STATES}


class PortalCollector:
    """The portal's gauges, read from the database at each scrape."""

    def __init__(self, *, daily_jobs=lambda: []):
        self.daily_jobs = daily_jobs  # the scheduled daily task names (config.celery)

    def describe(self):
        """The gauges' names without values: registration asks this, never the database."""
        return list(self._families())

    @staticmethod
    def _families():
        return (
            GaugeMetricFamily(
                "portal_sms_messages",
                "SMS messages not settled yet (queued, sending, unknown) by status",
                labels=["status"],
            ),
            GaugeMetricFamily(
                "portal_sms_oldest_queued_age_seconds", "Age of the oldest SMS still queued"
            ),
            GaugeMetricFamily(
                "portal_applications_waiting",
                "Applications submitted and not finished, per station and state",
                labels=["station", "state"],
            ),
            GaugeMetricFamily("portal_identities_waiting", "Identities waiting for verification"),
            GaugeMetricFamily(
                "portal_daily_job_last_success_timestamp_seconds",
                "When each daily job last finished without an error (Unix time; 0: never)",
                labels=["job"],
            ),
        )

    def collect(self):
        sms, oldest, waiting, identities, jobs = self._families()
        try:
            with replica_reads():  # gauges tolerate a few seconds of lag (issue 28)
                # Only the unsettled statuses: read from their partial index (sms_unsettled),
                # never a count of the whole table (issue 28); settled ones are history.
                unsettled = SmsMessage.objects.filter(status__in=UNSETTLED_STATUSES)
                for row in unsettled.values("status").annotate(n=Count("pk")).order_by():
                    sms.add_metric([row["status"]], row["n"])
                first = SmsMessage.objects.filter(status=SmsStatus.QUEUED).aggregate(
                    m=Min("created_at")
                )["m"]
                oldest.add_metric([], (timezone.now() - first).total_seconds() if first else 0)
                rows = (
                    PermitApplication.objects.exclude(state__in=NOT_WAITING)
                    .values("station_id", "state")
                    .annotate(n=Count("pk"))
                )
                for row in rows:
                    waiting.add_metric([str(row["station_id"]), row["state"]], row["n"])
                pending = Identity.objects.filter(state=IdentityState.PENDING).count()
                identities.add_metric([], pending)
                for name, last in last_successes(self.daily_jobs()).items():
                    jobs.add_metric([name], last.timestamp() if last else 0)
        except Exception:  # a scrape must not fail because of one gauge
            logger.exception("metrics: portal gauges not computed")
            return
        yield from (sms, oldest, waiting, identities, jobs)
