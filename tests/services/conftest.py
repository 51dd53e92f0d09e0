"""Fixtures for the `services` suite: a real `celery worker` process against Redis and the
test PostgreSQL database, on a queue of its own, stopped after the test."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def test_database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker_env():
    """Extra environment for the worker process (it reads its settings only from the
    environment). Override this fixture in a test module, e.g. for SMS_BACKEND and TWILIO_*."""
    return {}


@pytest.fixture
def celery_worker_process(transactional_db, tmp_path, worker_env):
    """Start `celery worker` on a unique queue; yield (queue, log path)."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DB_CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(tmp_path / "media"),
    }
    env.update(getattr(celery_worker_process, "extra_env", {}))
    env.update(worker_env)
    log = log_path.open("w")
    proc = subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
            "-Q",
            queue,
            "-n",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{log_path.read_text()}")
            if "ready." in log_path.read_text():
                break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"worker not ready in 30 s:\n{log_path.read_text()}")
        yield queue, log_path
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
        log.close()


def wait_for(predicate, *, timeout=20.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return predicate()
