"""When scheduled jobs last succeeded (``JobRun``); a Celery signal (config/celery.py) records."""

from __future__ import annotations

import datetime

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
