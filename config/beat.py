"""Only one `celery beat` schedules at a time, whatever is deployed, and every beat shares one
memory of when each job last ran.

Two beats would send every daily job twice. Before it reads the schedule, a beat takes a lock in
Redis (the broker) that expires after ``BEAT_LOCK_TTL_SECONDS`` and is renewed by a thread every
third of that. A second beat finds the lock taken and stands by, logging so, until the first
stops renewing (stopped, crashed, its host lost); then it takes over. A beat that cannot renew
its lock stops at once rather than risk a second schedule.

The schedule and each job's last run live in the database (django-celery-beat's
``DatabaseScheduler``, issue 30): the beat that takes over reads them only once it holds the
lock, so it runs what is due and nothing that already ran (a standby with a memory of its own ran
every daily job at 00:52, then again at 09:00). Each run is written as soon as it is sent.
"""

from __future__ import annotations

import functools
import logging
import os
import threading
import time

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


_held = []  # the lock this process holds, once it holds it
_waiting = []  # non-empty while this process stands by for the lock


def single_beat() -> None:
    """Block until this process holds the beat lock, then keep it renewed. Once per process: a
    stop asked for while the schedule is being read builds a second scheduler to close it, and
    that one must not wait for the lock its own process holds."""
    broker = settings.CELERY_BROKER_URL or ""
    if _held or not broker.startswith(("redis://", "rediss://")):
        return  # held already; or the embedded default (eager tasks), which runs no beat
    import redis

    if _waiting:
        # A stop asked for while standing by (celery's SIGTERM handler builds a scheduler to
        # close it): nothing is held and nothing was read, so the process ends at once instead
        # of waiting, inside the signal handler, for the lock the other beat holds.
        raise SystemExit(0)
    ttl = _ttl()
    _waiting.append(True)
    try:
        lock = hold_beat_lock(redis.Redis.from_url(broker), ttl=ttl)
    finally:
        _waiting.clear()
    _held.append(lock)
    threading.Thread(
        target=keep_beat_lock, kwargs={"lock": lock, "ttl": ttl}, name="beat-lock", daemon=True
    ).start()


def sync_schedule(app) -> None:
    """The periodic jobs defined in code (``config/celery.py``) written into the database, and
    rows no longer defined there removed: the code is the one home of the schedule. Idempotent
    (each row updated in place, its last run kept); run after ``migrate`` (post_migrate, see
    config/celery.py). Every beat's start also writes the code's entries (django-celery-beat's
    own ``setup_schedule``), so a deploy that changed a time needs no migrate to take effect."""
    from django_celery_beat.models import PeriodicTask
    from django_celery_beat.schedulers import ModelEntry

    schedule = app.conf.beat_schedule
    for name, entry in schedule.items():
        ModelEntry.from_entry(name, app=app, **entry)
    PeriodicTask.objects.exclude(name__in=[*schedule, "celery.backend_cleanup"]).delete()


@functools.cache
def scheduler_class():
    """The beat scheduler (``beat_scheduler`` names ``config.beat:SingleDatabaseScheduler``;
    defined on first use: django-celery-beat's models load only once Django is set up)."""
    from django_celery_beat.schedulers import DatabaseScheduler

    class SingleDatabaseScheduler(DatabaseScheduler):
        def __init__(self, *args, lazy=False, **kwargs):
            if not lazy:  # the banner's lazy copy reads nothing
                single_beat()  # the lock first, then the schedule and its last runs
            super().__init__(*args, lazy=lazy, **kwargs)

        def apply_entry(self, entry, producer=None):
            super().apply_entry(entry, producer=producer)
            self.sync()  # the run written at once: a standby taking over knows it ran

    return SingleDatabaseScheduler


def __getattr__(name):
    if name == "SingleDatabaseScheduler":
        return scheduler_class()
    raise AttributeError(name)
