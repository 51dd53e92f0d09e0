"""Only one `celery beat` schedules at a time, whatever is deployed.

Two beats would send every daily job twice. At start (Celery's ``beat_init``) a beat takes a
lock in Redis (the broker) that expires after ``BEAT_LOCK_TTL_SECONDS`` and is renewed by a
thread every third of that. A second beat finds the lock taken and stands by, logging so, until
the first stops renewing (stopped, crashed, its host lost); then it takes over. A beat that
cannot renew its lock stops at once rather than risk a second schedule.
"""

from __future__ import annotations

import logging
import os
import threading
import time

from celery.signals import beat_init
from django.conf import settings
from redis.exceptions import LockError

logger = logging.getLogger(__name__)
LOCK_KEY = "portal:celery-beat:lock"


def _ttl() -> int:
    return int(getattr(settings, "BEAT_LOCK_TTL_SECONDS", 60))


def hold_beat_lock(client, *, ttl: int | None = None, poll: float | None = None):
    """Block until this process holds the beat lock; return the held lock."""
    ttl = ttl or _ttl()
    lock = client.lock(LOCK_KEY, timeout=ttl, thread_local=False)
    waited = False
    while not lock.acquire(blocking=False):
        if not waited:
            logger.warning("another celery beat holds the schedule lock: standing by")
            waited = True
        time.sleep(poll if poll is not None else ttl / 3)
    if waited:
        logger.warning("celery beat took over the schedule lock")
    return lock


def keep_beat_lock(lock, *, ttl: int, stop: threading.Event | None = None, on_lost=None) -> None:
    """Renew ``lock`` every ttl/3 seconds; if it was lost, call ``on_lost`` (default: exit)."""
    stop = stop or threading.Event()
    while not stop.wait(ttl / 3):
        try:
            lock.extend(ttl, replace_ttl=True)
        except LockError:
            logger.critical("celery beat lost its schedule lock: stopping (no double schedule)")
            (on_lost or (lambda: os._exit(1)))()
            return


@beat_init.connect(dispatch_uid="portal_single_beat")
def single_beat(sender=None, **kwargs) -> None:
    broker = settings.CELERY_BROKER_URL or ""
    if not broker.startswith(("redis://", "rediss://")):
        return  # the embedded default (eager tasks) runs no beat
    import redis

    ttl = _ttl()
    lock = hold_beat_lock(redis.Redis.from_url(broker), ttl=ttl)
    threading.Thread(
        target=keep_beat_lock, kwargs={"lock": lock, "ttl": ttl}, name="beat-lock", daemon=True
    ).start()
