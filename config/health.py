"""GET /healthz: is the database, the cache and the broker answering? No personal data."""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return "ok"


def _cache() -> str:
    key = f"healthz:{uuid.uuid4().hex}"
    cache.set(key, "1", timeout=5)
    if cache.get(key) != "1":
        raise RuntimeError("cache did not return what was stored")
    cache.delete(key)
    return "ok"


def _broker() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from kombu import Connection

    with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)
        if conn.transport_cls in ("redis", "rediss") or conn.transport.driver_type == "redis":
            conn.default_channel.client.ping()
    return "ok"


CHECKS = {"database": _database, "cache": _cache, "broker": _broker}


def _backlog() -> dict:
    """What operators watch besides the services: the oldest SMS still queued (seconds) and the
    daily jobs whose last success is older than two days (or that never succeeded). Reported,
    not failing the check: a web node stays in service while a worker is looked at."""
    from django.apps import apps
    from django.db.models import Min
    from django.utils import timezone

    from config.celery import scheduled_daily_jobs
    from core.jobs import stale_jobs

    sms = apps.get_model("notifications", "SmsMessage")
    oldest = sms.objects.filter(status="queued").aggregate(first=Min("created_at"))["first"]
    stale = stale_jobs(scheduled_daily_jobs())
    return {
        "sms_oldest_queued_seconds": int((timezone.now() - oldest).total_seconds())
        if oldest
        else 0,
        "daily_jobs": {"not_run_for_two_days": stale} if stale else "ok",
    }


@never_cache
@require_GET
def healthz(request):
    result, down = {}, []
    for name, check in CHECKS.items():
        try:
            result[name] = check()
        except Exception as exc:  # any failure is "down"; the detail goes to the log only
            logger.warning("healthz: %s is down: %s", name, type(exc).__name__)
            result[name] = "down"
            down.append(name)
    if "database" not in down:
        try:
            result.update(_backlog())
        except Exception as exc:
            logger.warning("healthz: backlog not read: %s", type(exc).__name__)
    if down:
        result["down"] = down
    return JsonResponse(result, status=503 if down else 200)
