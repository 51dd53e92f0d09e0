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

from django.conf import settings
from django.http import Http404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client.core import REGISTRY

from config.celery import scheduled_daily_jobs
from review.metrics import PortalCollector

logger = logging.getLogger(__name__)

# Final or not yet submitted: not waiting for anyone at the station.


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


_collector = PortalCollector(daily_jobs=scheduled_daily_jobs)


def register() -> None:
    """Register the portal's gauges once per process (called from config/urls.py)."""
    if _collector not in REGISTRY._collector_to_names:
        REGISTRY.register(_collector)
