"""One `celery beat` at a time (issue 19): a second stands by until the first stops."""

import subprocess
import sys
import threading

import pytest
import redis
from django.conf import settings

from config.beat import LOCK_KEY, hold_beat_lock, keep_beat_lock
from tests.services.conftest import ROOT, wait_for, worker_base_env

pytestmark = pytest.mark.services


@pytest.fixture
def client():
    connection = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    connection.delete(LOCK_KEY)
    yield connection
    connection.delete(LOCK_KEY)


def test_a_second_holder_waits_until_the_first_lets_go(client):
    first = hold_beat_lock(client, ttl=5)
    second_holds = threading.Event()

    def second():
        hold_beat_lock(client, ttl=5, poll=0.05)
        second_holds.set()

    threading.Thread(target=second, daemon=True).start()
    assert not second_holds.wait(0.6)
    first.release()
    assert second_holds.wait(2)


def test_a_beat_that_lost_its_lock_stops(client):
    lock = hold_beat_lock(client, ttl=3)
    client.delete(LOCK_KEY)  # as if it had expired while the process hung
    lost = threading.Event()
    keep_beat_lock(lock, ttl=3, on_lost=lost.set)
    assert lost.is_set()


@pytest.mark.django_db(transaction=True)  # a beat reads its schedule from the database
def test_two_beat_processes_schedule_one_at_a_time(client, tmp_path):
    env = {**worker_base_env(tmp_path), "BEAT_LOCK_TTL_SECONDS": "3", "LOG_FORMAT": "plain"}

    def beat(name):
        log = tmp_path / f"{name}.log"
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
             "--schedule", str(tmp_path / f"{name}-schedule")],
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        return proc, log

    first, first_log = beat("first")
    second = None
    try:
        assert wait_for(lambda: client.exists(LOCK_KEY), timeout=40), first_log.read_text()
        second, second_log = beat("second")
        assert wait_for(lambda: "standing by" in second_log.read_text(), timeout=40), (
            second_log.read_text()
        )
        first.kill()  # its host is lost: no clean shutdown, the lock simply expires
        first.wait(timeout=10)
        assert wait_for(lambda: "took over" in second_log.read_text(), timeout=15), (
            second_log.read_text()
        )
        # the new active beat has read its schedule before it is stopped: a SIGTERM within
        # the first moments after a takeover can hang its shutdown (see the README's beat notes)
        wait_for(lambda: "Schedule changed" in second_log.read_text(), timeout=15)
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:  # not this test's subject: never leave it
                    proc.kill()
                    proc.wait(timeout=10)
                    raise


@pytest.mark.django_db(transaction=True)
def test_a_standby_beat_stops_at_once_when_asked(client, tmp_path):
    """A standby beat asked to stop (SIGTERM: a deploy, a scale-down) ends within seconds; it
    used to wait, inside celery's signal handler, for the lock the active beat holds."""
    env = {**worker_base_env(tmp_path), "BEAT_LOCK_TTL_SECONDS": "30", "LOG_FORMAT": "plain"}
    procs = []

    def beat(name):
        log = tmp_path / f"{name}.log"
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        procs.append(proc)
        return proc, log

    try:
        active, active_log = beat("active")
        assert wait_for(lambda: client.exists(LOCK_KEY), timeout=40), active_log.read_text()
        standby, standby_log = beat("standby")
        assert wait_for(lambda: "standing by" in standby_log.read_text(), timeout=40), (
            standby_log.read_text()
        )
        standby.terminate()
        assert standby.wait(timeout=10) is not None, standby_log.read_text()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


# --- issue 30: one memory of the schedule, in the database, shared by every beat ----------------

FAILOVER_JOB = "test-beat-failover"
EVERY = 30  # seconds between two runs of the job


def _sends(log_path) -> int:
    return log_path.read_text().count(f"Sending due task {FAILOVER_JOB}")


@pytest.mark.django_db(transaction=True)
def test_a_standby_beat_taking_over_does_not_rerun_a_job_that_ran(client, tmp_path):
    """Two beats; the active one killed (SIGKILL) just after it sent a job: the standby takes
    over and runs the job only when it is next due, never again at once (before: a standby
    with a memory of its own ran every daily job at the takeover, then again on time)."""
    import time
    import uuid

    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    queue = f"test-beat-{uuid.uuid4().hex[:8]}"
    every, _ = IntervalSchedule.objects.get_or_create(every=EVERY, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name=FAILOVER_JOB, task="tests.noop", interval=every, queue=queue)
    # 6 s: a lock renewed every 2 s survives a loaded machine's pauses
    env = {**worker_base_env(tmp_path), "BEAT_LOCK_TTL_SECONDS": "6", "LOG_FORMAT": "plain"}

    def beat(name):
        log = tmp_path / f"{name}.log"
        proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip
        return proc, log

    first, first_log = beat("first")
    second = None
    try:
        assert wait_for(lambda: client.exists(LOCK_KEY), timeout=40), first_log.read_text()
        second, second_log = beat("second")
        assert wait_for(lambda: "standing by" in second_log.read_text(), timeout=40), (
            second_log.read_text()
        )
        assert _sends(second_log) == 0
        # the active beat sends the job once, writes that it ran, and is killed at once
        assert wait_for(lambda: _sends(first_log) >= 1, timeout=EVERY + 20), first_log.read_text()
        assert wait_for(
            lambda: PeriodicTask.objects.get(name=FAILOVER_JOB).last_run_at, timeout=5
        ), first_log.read_text()
        ran_at = time.monotonic()
        first.kill()
        first.wait(timeout=10)
        assert wait_for(lambda: "took over" in second_log.read_text(), timeout=20), (
            second_log.read_text()
        )
        took_over_at = time.monotonic()
        # not at the takeover: the job ran moments ago
        assert not wait_for(lambda: _sends(second_log), timeout=ran_at + EVERY - 6 - took_over_at)
        # but on time, once
        assert wait_for(lambda: _sends(second_log) >= 1, timeout=20), second_log.read_text()
        assert _sends(second_log) == 1
        assert time.monotonic() - ran_at >= EVERY - 6
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=15)
        client.delete(queue)


@pytest.mark.django_db
def test_the_jobs_defined_in_code_are_in_the_database_once():
    """Synced after migrate (and at every beat's start), idempotently, in the city's time."""
    from django_celery_beat.models import PeriodicTask

    from config.beat import sync_schedule
    from config.celery import app

    sync_schedule(app)
    sync_schedule(app)
    rows = {task.name: task for task in PeriodicTask.objects.select_related("crontab")}
    assert set(app.conf.beat_schedule) <= set(rows)
    suspend = rows["permits-suspend-overdue"]
    assert (suspend.crontab.hour, suspend.crontab.minute) == ("0", "30")
    assert str(suspend.crontab.timezone) == str(app.timezone)
    PeriodicTask.objects.filter(name="permits-suspend-overdue").update(
        last_run_at="2026-12-07T16:30:00Z"
    )
    PeriodicTask.objects.create(name="gone-from-code", task="x", interval=rows[
        "notifications-sweep-queued-sms"].interval)  # fmt: skip
    sync_schedule(app)
    assert not PeriodicTask.objects.filter(name="gone-from-code").exists()
    assert PeriodicTask.objects.get(name="permits-suspend-overdue").last_run_at is not None
