"""A task only the queue-separation test's daily worker imports (``celery worker -I``)."""

import time
from pathlib import Path

from celery import shared_task


@shared_task(name="tests.slow_daily_job")
def slow_daily_job(marker: str, seconds: float) -> None:
    """Stands for a long daily run (a suspension over a million permits)."""
    Path(marker + ".started").touch()
    time.sleep(seconds)
    Path(marker + ".finished").touch()
