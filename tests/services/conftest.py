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


class WorkerProcess:
    """One `celery worker` process (solo pool) on ``queue``, with its log file."""

    def __init__(self, *, queue, log_path, env, extra_args=()):
        self.queue = queue
        self.log_path = log_path
        self._log = log_path.open("w")
        self.proc = subprocess.Popen(  # noqa: S603
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
                f"{queue}-{uuid.uuid4().hex[:4]}@%h",
                *extra_args,
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout=30.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log_path.read_text()}")
            if "ready." in self.log_path.read_text():
                return self
            time.sleep(0.2)
        raise RuntimeError(f"worker not ready in {timeout} s:\n{self.log_path.read_text()}")

    def kill(self):
        """SIGKILL, as the OOM killer or a lost machine would: nothing gets to clean up."""
        self.proc.kill()
        self.proc.wait(timeout=10)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self._log.close()


def worker_base_env(tmp_path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DB_CONN_MAX_AGE": "0",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "SMS_QUIET_HOURS": "",  # the suite runs at any hour (issue 30's quiet hours off)
    }


@pytest.fixture
def start_worker(transactional_db, tmp_path, worker_env):
    """Start workers on one unique queue: ``start_worker(**extra_env)`` returns a ready
    ``WorkerProcess``; every one is stopped after the test."""
    queue = f"test-{uuid.uuid4().hex[:8]}"
    started = []

    def start(*extra_args, **extra_env):
        env = {**worker_base_env(tmp_path), **worker_env, **extra_env, "TEST_WORKER_QUEUE": queue}
        worker = WorkerProcess(
            queue=queue,
            log_path=tmp_path / f"worker-{len(started) + 1}.log",
            env=env,
            extra_args=extra_args,
        )
        started.append(worker)
        return worker.wait_ready()

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()


@pytest.fixture
def celery_worker_process(start_worker):
    """Start `celery worker` on a unique queue; yield (queue, log path)."""
    worker = start_worker()
    yield worker.queue, worker.log_path


def wait_for(predicate, *, timeout=20.0, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    return predicate()
