"""When scheduled jobs last succeeded (``JobRun``); a Celery signal (config/celery.py) records.
And one run of a daily job at a time (``single_run``, a lease in ``JobLock``)."""

from __future__ import annotations

import contextlib
import datetime
import functools
import logging
import uuid

from django.utils import timezone

STALE_AFTER = datetime.timedelta(days=2)


def record_success(name: str, *, at: datetime.datetime | None = None) -> None:
    from .models import JobRun

    JobRun.objects.update_or_create(name=name, defaults={"last_success_at": at or timezone.now()})


def last_successes(names) -> dict[str, datetime.datetime | None]:
    from .models import JobRun

    found = dict(JobRun.objects.filter(name__in=names).values_list("name", "last_success_at"))
    return {name: found.get(name) for name in names}


def stale_jobs(names, *, now: datetime.datetime | None = None) -> list[str]:
    """Jobs whose last success is older than two days, or that never succeeded."""
    now = now or timezone.now()
    return sorted(
        name
        for name, last in last_successes(names).items()
        if last is None or now - last > STALE_AFTER
    )


# --- One run at a time (issue 30: two retention runs both deleted the same 26 files) ----------
logger = logging.getLogger(__name__)


def lease_seconds() -> int:
    """How long a run holds its lease unless it releases it first: the task's hard time limit
    (a worker kills a run that takes longer) and a minute, so a run killed with its worker
    (kill -9, lost host) frees the job without anyone's help."""
    from celery import current_app

    return int(current_app.conf.task_time_limit or 120) + 60


def take_lease(name: str, *, seconds: int | None = None) -> str | None:
    """Take the job's lease if nobody holds it: one conditional UPDATE, which the database
    applies one at a time (so of two runs at once exactly one gets it). Returns the holder's
    token, or None when another run holds it."""
    from django.db.models import Q

    from .models import JobLock

    JobLock.objects.bulk_create([JobLock(name=name)], ignore_conflicts=True)
    now = timezone.now()
    token = uuid.uuid4().hex
    until = now + datetime.timedelta(seconds=seconds or lease_seconds())
    taken = (
        JobLock.objects.filter(name=name)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__lte=now))
        .update(holder=token, expires_at=until)
    )
    return token if taken else None


def release_lease(name: str, token: str) -> None:
    from .models import JobLock

    JobLock.objects.filter(name=name, holder=token).update(holder="", expires_at=None)


@contextlib.contextmanager
def lease(name: str, *, seconds: int | None = None):
    """``with lease(name) as held:`` runs the block holding the job's lease (``held`` True), or
    with ``held`` False when another run holds it."""
    token = take_lease(name, seconds=seconds)
    try:
        yield token is not None
    finally:
        if token is not None:
            release_lease(name, token)


SKIPPED_RUN = "portal_skipped_run"


def _mark_skipped() -> None:
    """Mark the running task's request: this run did nothing, so it is no success to record
    (``config.celery``'s ``task_success`` handler reads it; the request lives until then)."""
    from celery import current_task

    if current_task is not None and current_task.request is not None:
        setattr(current_task.request, SKIPPED_RUN, True)


def was_skipped(task) -> bool:
    """Whether ``task``'s current run found the job running elsewhere (``single_run``)."""
    return bool(getattr(getattr(task, "request", None), SKIPPED_RUN, False))


def single_run(func):
    """A daily job's task body runs only when no other run of it is under way; a second run at
    the same time returns None at once and does nothing (logged), and is not recorded as the
    job's success (``was_skipped``: monitoring must not call a job fresh while the run doing the
    work may still fail). Put under ``@shared_task``."""
    name = f"{func.__module__}.{func.__qualname__}"

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with lease(name) as held:
            if not held:
                logger.warning("%s is already running elsewhere: this run does nothing", name)
                _mark_skipped()
                return None
            return func(*args, **kwargs)

    wrapper.single_run = name
    return wrapper
