"""GET /metrics: Prometheus text format (django-prometheus plus the portal's own gauges).

Only for a scraper: a request with ``Authorization: Bearer <METRICS_TOKEN>``, or from an address
in ``METRICS_ALLOWED_IPS`` (addresses or networks, REMOTE_ADDR). Anyone else gets 404, as if
there were nothing here. With neither setting, nobody gets it.

The portal's gauges are computed at scrape time with a few aggregate queries (no personal data):
SMS by status and the age of the oldest queued one, applications waiting per station and state,
identities waiting for verification.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Min
from django.http import Http404
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client.core import REGISTRY, GaugeMetricFamily

from config.celery import scheduled_daily_jobs
from core.jobs import last_successes

logger = logging.getLogger(__name__)

# Final or not yet submitted: not waiting for anyone at the station.
NOT_WAITING = {"draft", "rejected", "withdrawn", "collected", "delivered"}


def allowed(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    header = request.META.get("HTTP_AUTHORIZATION", "")
    presented = header[len("Bearer ") :].strip() if header.startswith("Bearer ") else ""
    if token and presented and hmac.compare_digest(presented.encode(), token.encode()):
        return True
    address = request.META.get("REMOTE_ADDR", "")
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in getattr(settings, "METRICS_ALLOWED_IPS", []):
        try:
            if ip in ipaddress.ip_network(entry.strip(), strict=False):
                return True
        except ValueError:
            logger.warning("METRICS_ALLOWED_IPS: not an address or network: %r", entry)
    return False


@never_cache
@require_GET
def metrics(request):
    if not allowed(request):
        raise Http404
    from django_prometheus.exports import ExportToDjangoView

    return ExportToDjangoView(request)


class PortalCollector:
    """The portal's gauges, read from the database at each scrape."""

    def describe(self):
        """The gauges' names without values: registration asks this, never the database."""
        return list(self._families())

    @staticmethod
    def _families():
        return (
            GaugeMetricFamily(
                "portal_sms_messages", "SMS messages on record by status", labels=["status"]
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
            SmsMessage = apps.get_model("notifications", "SmsMessage")
            for row in SmsMessage.objects.values("status").annotate(n=Count("pk")):
                sms.add_metric([row["status"]], row["n"])
            first = SmsMessage.objects.filter(status="queued").aggregate(m=Min("created_at"))["m"]
            oldest.add_metric([], (timezone.now() - first).total_seconds() if first else 0)
            Application = apps.get_model("permits", "PermitApplication")
            rows = (
                Application.objects.exclude(state__in=NOT_WAITING)
                .values("station_id", "state")
                .annotate(n=Count("pk"))
            )
            for row in rows:
                waiting.add_metric([str(row["station_id"]), row["state"]], row["n"])
            Identity = apps.get_model("applicants", "Identity")
            identities.add_metric([], Identity.objects.filter(state="pending").count())
            for name, last in last_successes(scheduled_daily_jobs()).items():
                jobs.add_metric([name], last.timestamp() if last else 0)
        except Exception:  # a scrape must not fail because of one gauge
            logger.exception("metrics: portal gauges not computed")
            return
        yield from (sms, oldest, waiting, identities, jobs)


_collector = PortalCollector()


def register() -> None:
    """Register the portal's gauges once per process (called from config/urls.py)."""
    if _collector not in REGISTRY._collector_to_names:
        REGISTRY.register(_collector)
