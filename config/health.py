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
    if down:
        result["down"] = down
    return JsonResponse(result, status=503 if down else 200)
