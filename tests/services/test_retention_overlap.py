"""Issue 30 (9) with real processes: the daily retention job (``permits.delete_expired_files``,
which beat puts on the ``daily`` queue) sent twice at once to two `celery worker` processes
serving that queue, on the same due files. Each file is deleted once: one run does the work, the
other finds the job under way and does nothing, a third run later finds nothing left. A run
killed mid-way (SIGKILL of its worker) leaves a lease that ends by itself.

What each run did is read from the job's own records: its log lines
(``event=retention_deleted kind=… rows=… files=…``, or "already running elsewhere"), the files
left in the storage, the rows' file fields, the ``core.JobLock`` lease and ``core.JobRun``.

To have the first run still under way when the second starts, the test holds one of the due
rows locked (``SELECT … FOR UPDATE`` on its own connection): the first run deletes the files of
its batch, then waits to empty their rows, as a long run over a big batch would."""

import concurrent.futures
import contextlib
import datetime as dt
import re

import psycopg2
import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from psycopg2 import sql

from applicants.models import Identity
from core.jobs import lease_seconds
from core.models import JobLock, JobRun
from permits import tasks
from permits.selectors.retention import IDENTITY_FILE_FIELDS, identities_with_photos_due
from tests.permits.test_retention import closed_application
from tests.services.conftest import test_database_url as database_url
from tests.services.conftest import wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

JOB = "permits.delete_expired_files"
CASES = 3
DONE = re.compile(r"kind=identity_photos rows=(\d+) files=(\d+)")
SKIPPED = "already running elsewhere"


def seed_due_identities():
    """CASES people whose only case closed long ago: their identity photos are due."""
    for _ in range(CASES):
        closed_application(withdrawn=True)
    due = list(identities_with_photos_due())
    names = [getattr(i, f).name for i in due for f in IDENTITY_FILE_FIELDS if getattr(i, f)]
    assert len(due) == CASES and len(names) >= CASES
    assert all(default_storage.exists(name) for name in names)
    return due, names


@contextlib.contextmanager
def row_held(identity):
    """One due row locked by another connection until the block ends."""
    connection = psycopg2.connect(database_url())
    try:
        with connection.cursor() as cursor:
            table = sql.Identifier(Identity._meta.db_table)
            cursor.execute(
                sql.SQL("SELECT 1 FROM {} WHERE id = %s FOR UPDATE").format(table), [identity.pk]
            )
        yield
    finally:
        connection.rollback()
        connection.close()


def runs_waiting_on_the_row() -> int:
    """Backends of the job waiting for the held row (a run under way, between its files and
    its rows)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND query LIKE %s",
            [f'UPDATE "{Identity._meta.db_table}"%'],
        )
        return cursor.fetchone()[0]


def start_two(start_worker):
    """Two workers on the same queue, started together (as `docker compose up --scale`)."""
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        return list(pool.map(lambda _n: start_worker(), range(2)))


def send_run(queue):
    tasks.delete_expired_files.apply_async(queue=queue)


def log(worker) -> str:
    return worker.log_path.read_text()


def finished(workers) -> int:
    return sum(len(re.findall(rf"Task {JOB}\[[^\]]+\] succeeded", log(w))) for w in workers)


def deletions(workers) -> list[tuple[int, int]]:
    """(rows, files) of every identity-photo pass logged by the runs, in all workers."""
    return [(int(r), int(f)) for w in workers for r, f in DONE.findall(log(w))]


def test_two_runs_at_once_on_two_workers_delete_each_file_once(start_worker):
    due, names = seed_due_identities()
    workers = start_two(start_worker)
    queue = workers[0].queue
    with row_held(due[-1]):
        send_run(queue)
        send_run(queue)
        # both runs under way: one told the job is running (or, without the lease, both at
        # the held row having deleted the same files)
        assert wait_for(
            lambda: any(SKIPPED in log(w) for w in workers) or runs_waiting_on_the_row() >= 2,
            timeout=40,
        ), "\n".join(log(w) for w in workers)
    assert wait_for(lambda: finished(workers) == 2, timeout=40), "\n".join(log(w) for w in workers)

    # each file deleted once, by one run; the other did nothing
    assert deletions(workers) == [(CASES, len(names))], deletions(workers)
    assert sorted(SKIPPED in log(w) for w in workers) == [False, True]
    assert [w for w in workers if DONE.search(log(w))] == [
        w for w in workers if SKIPPED not in log(w)
    ]
    assert not any(default_storage.exists(name) for name in names)
    for identity in Identity.objects.filter(pk__in=[i.pk for i in due]):
        assert not any(getattr(identity, field) for field in IDENTITY_FILE_FIELDS)
    assert not JobLock.objects.exclude(holder="").exists()  # the lease was given back
    assert JobRun.objects.filter(name=JOB).exists()

    # a third run, later: nothing left to delete
    send_run(queue)
    assert wait_for(lambda: finished(workers) == 3, timeout=40)
    assert sorted(deletions(workers)) == [(0, 0), (CASES, len(names))]


def test_a_run_killed_mid_way_leaves_a_lease_that_ends_by_itself(start_worker):
    due, names = seed_due_identities()
    killed = start_worker()
    with row_held(due[-1]):
        send_run(killed.queue)
        assert wait_for(lambda: runs_waiting_on_the_row() == 1, timeout=40), log(killed)
        killed.kill()  # SIGKILL mid-run: nothing gets to give the lease back
        lease = JobLock.objects.exclude(holder="").get()
        ends_in = (lease.expires_at - timezone.now()).total_seconds()
        assert 0 < ends_in <= lease_seconds()  # held, but not for ever
    wait_for(lambda: runs_waiting_on_the_row() == 0, timeout=20)

    survivor = start_worker()
    send_run(survivor.queue)  # while the lease runs: the job counts as under way
    assert wait_for(lambda: finished([survivor]) == 1, timeout=40), log(survivor)
    assert SKIPPED in log(survivor) and not DONE.search(log(survivor))

    # the lease's time passes (the task's hard time limit and a minute)
    JobLock.objects.filter(pk=lease.pk).update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    send_run(survivor.queue)
    assert wait_for(lambda: finished([survivor]) == 2, timeout=40), log(survivor)
    # this run ran (its files were deleted by the killed run; PostgreSQL finished the killed
    # run's last statement, emptying their rows, once the row was let go)
    assert log(survivor).count(SKIPPED) == 1 and DONE.search(log(survivor)), log(survivor)
    assert not any(default_storage.exists(name) for name in names)
    assert not identities_with_photos_due().exists()
    assert not JobLock.objects.exclude(holder="").exists()
