"""Fixtures for the `services` suite: a real `celery worker` process against Redis and the
test PostgreSQL database, on a queue of its own, stopped after the test; real gunicorn web
nodes (``start_gunicorn``) serving the same database."""

import itertools
import os
import re
import secrets
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
    numbers = itertools.count(1)  # each worker its own log, also when started from threads

    def start(*extra_args, **extra_env):
        env = {**worker_base_env(tmp_path), **worker_env, **extra_env, "TEST_WORKER_QUEUE": queue}
        worker = WorkerProcess(
            queue=queue,
            log_path=tmp_path / f"worker-{next(numbers)}.log",
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


# --- gunicorn web nodes ------------------------------------------------------------------------
# Each access-log line names the worker process that served the request (%(p)s is "<pid>"), so a
# test can show its requests landed in different processes.
ACCESS_LOG_FORMAT = '%(p)s "%(r)s" %(s)s'
ACCESS_LINE = re.compile(r'^<(?P<pid>\d+)> "(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+)')


class WebNode:
    """One `gunicorn config.wsgi:application` (sync workers, as docker-compose.yml runs it) on a
    port of its own, with production's DEBUG off."""

    def __init__(self, tmp_path, name, *, workers=1, **env_overrides):
        from tests.production.conftest import free_port

        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = tmp_path / f"{name}.log"
        self.access_log = tmp_path / f"{name}-access.log"
        env = {
            **worker_base_env(tmp_path),
            "DJANGO_DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SESSION_COOKIE_SECURE": "0",
            "CSRF_COOKIE_SECURE": "0",
            "STATICFILES_STORAGE": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "DB_CONN_MAX_AGE": "60",  # a live connection, as production keeps
            "LOG_FORMAT": "plain",
            **env_overrides,
        }
        self.proc = subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "gunicorn", "config.wsgi:application",
             "--workers", str(workers), "--bind", f"127.0.0.1:{self.port}", "--timeout", "30",
             "--access-logfile", str(self.access_log), "--access-logformat", ACCESS_LOG_FORMAT],
            cwd=ROOT, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT,
        )  # fmt: skip

    def wait_up(self, timeout=60):
        import requests

        def up():
            try:
                return requests.get(f"{self.base}/accounts/login/", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        assert wait_for(up, timeout=timeout), self.log.read_text()
        return self

    def served(self, method="POST", path_prefix="/"):
        """(pid, path, status) of every request of ``method`` under ``path_prefix`` served."""
        lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
        found = (ACCESS_LINE.match(line) for line in lines)
        return [
            (int(m["pid"]), m["path"], int(m["status"]))
            for m in found
            if m and m["method"] == method and m["path"].startswith(path_prefix)
        ]

    def stop(self):
        stop(self.proc)


def gunicorn(tmp_path, name, **env_overrides):
    """A one-worker node, up: (process, base URL, log path)."""
    node = WebNode(tmp_path, name, **env_overrides).wait_up()
    return node.proc, node.base, node.log


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
