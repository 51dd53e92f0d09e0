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
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=15)
