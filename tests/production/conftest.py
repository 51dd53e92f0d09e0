"""The production smoke stack: real OS processes started as docker-compose.yml starts them.

Two gunicorn web nodes, one Celery worker serving every queue, Celery beat, against a fresh
PostgreSQL database (created, migrated, dropped), a Redis database of its own, an S3-compatible
server (moto) with a private bucket and a stand-in for Twilio's REST API. Every process binds
127.0.0.1 and is stopped (terminate, then kill) when the module ends.

The settings are production's: DJANGO_DEBUG=0, a random SECRET_KEY, ALLOWED_HOSTS, secure
cookies and SSL redirect honoured through X-Forwarded-Proto (the client plays the TLS proxy).
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from config.celery import ALL_QUEUES
from tests.services.test_sms_twilio import ACCOUNT_SID, AUTH_TOKEN, FROM, StubTwilio
from tests.wechat_standin import APP_ID as WECHAT_APP_ID
from tests.wechat_standin import SECRET as WECHAT_SECRET
from tests.wechat_standin import WeChatStandIn

WECHAT_TOKEN = "production-wechat-token"

ROOT = Path(__file__).resolve().parents[2]
BUCKET = "portal-private"
logger = logging.getLogger("tests.production")

# The commands docker-compose.yml runs (there: --bind 0.0.0.0:8000, one worker per queue and
# WEB_CONCURRENCY=3; here one port per node, one worker for every queue, WEB_CONCURRENCY=2).
GUNICORN = ["-m", "gunicorn", "config.wsgi:application", "--timeout", "30"]
WORKER = ["-m", "celery", "-A", "config", "worker", "--loglevel=INFO", "--concurrency=2"]
BEAT = ["-m", "celery", "-A", "config", "beat", "--loglevel=INFO"]


def step(message: str) -> None:
    """One line per check: shown with `pytest -s` and in the log."""
    logger.debug(message)
    print(f"[production] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, *, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


class ProxyClient(requests.Session):
    """The client stands where the TLS-terminating proxy stands: it says `X-Forwarded-Proto:
    https`, and sends the portal's `Secure` cookies on the plain-HTTP hop to gunicorn (which a
    cookie jar would keep for https:// only)."""

    def __init__(self):
        super().__init__()
        self.headers["X-Forwarded-Proto"] = "https"

    def prepare_request(self, request):
        prepared = super().prepare_request(request)
        cookies = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
        if cookies:
            prepared.headers["Cookie"] = cookies
        return prepared


def https_client() -> requests.Session:
    return ProxyClient()


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None


@dataclass
class Stack:
    nodes: list[str]  # base URLs of the two gunicorn nodes
    env: dict
    s3: object  # a boto3 client on the moto server
    twilio: StubTwilio
    media_root: Path
    processes: dict[str, Process] = field(default_factory=dict)
    wechat: WeChatStandIn | None = None  # the WeChat API stand-in (issue 26)

    def logs(self) -> str:
        return "\n".join(f"--- {n} ---\n{p.log()[-4000:]}" for n, p in self.processes.items())


def _start(name, args, *, env, tmp: Path, processes: dict) -> Process:
    log_path = tmp / f"{name}.log"
    handle = log_path.open("w")
    popen = subprocess.Popen(  # noqa: S603
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: gunicorn/celery children stop with it
    )
    handle.close()
    process = Process(name, popen, log_path)
    processes[name] = process
    return process


def _stop(process: Process) -> None:
    if not process.alive():
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.popen.pid, signal.SIGTERM)
    try:
        process.popen.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.popen.pid, signal.SIGKILL)
        process.popen.wait(timeout=5)
    # Children left in the group (a prefork child whose parent went first) go too.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.popen.pid, signal.SIGKILL)


def _run(args, *, env, what: str, timeout: float = 120) -> None:
    result = subprocess.run(  # noqa: S603
        [sys.executable, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")


def _admin_dsn(database_url: str) -> tuple[dict, str]:
    url = urllib.parse.urlsplit(database_url)
    params = {
        "host": url.hostname or "127.0.0.1",
        "port": url.port or 5432,
        "user": urllib.parse.unquote(url.username or "postgres"),
        "dbname": "postgres",
    }
    if url.password:
        params["password"] = urllib.parse.unquote(url.password)
    return params, url._replace(path="/{name}").geturl()


def _redis_url(base: str) -> str:
    """Same server as REDIS_URL, another database number (the unit tests flush theirs)."""
    url = urllib.parse.urlsplit(base)
    given = int(url.path.strip("/") or 0)
    db = int(os.environ.get("PORTAL_PRODUCTION_REDIS_DB", (given - 1) % 16))
    return url._replace(path=f"/{db}").geturl()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    """Start everything; yield a Stack; stop and drop everything."""
    from tests.conftest import SERVICES_CONFIGURED

    if not SERVICES_CONFIGURED:  # the same gate as tests/conftest.py: skip, or fail in CI
        reason = "needs DATABASE_URL (PostgreSQL) and REDIS_URL set; .ci/run sets both"
        if os.environ.get("PORTAL_REQUIRE_SERVICES") == "1":
            pytest.fail(f"production suite required in CI but not configured: {reason}")
        pytest.skip(reason)

    import boto3
    import psycopg2
    import redis

    tmp = tmp_path_factory.mktemp("production")
    processes: dict[str, Process] = {}
    admin, url_template = _admin_dsn(os.environ["DATABASE_URL"])
    db_name = f"portal_production_{secrets.token_hex(4)}"
    redis_url = _redis_url(os.environ["REDIS_URL"])
    twilio = StubTwilio()
    twilio.thread.start()
    wechat = WeChatStandIn().__enter__()
    database_created = False
    try:
        # PostgreSQL: a fresh database for this run.
        conn = psycopg2.connect(**admin)
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{db_name}"')
        conn.close()
        database_created = True
        redis.Redis.from_url(redis_url).flushdb()
        step(f"database {db_name} created; Redis {redis_url}")

        # S3: moto's server on a free port, a private bucket.
        s3_port = free_port()
        _start(
            "s3",
            ["-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)],
            env={**os.environ, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"},
            tmp=tmp,
            processes=processes,
        )
        s3_url = f"http://127.0.0.1:{s3_port}"
        s3 = boto3.client(
            "s3",
            endpoint_url=s3_url,
            region_name="us-east-1",
            aws_access_key_id="portal-key",
            aws_secret_access_key="portal-secret",  # noqa: S106
        )

        def s3_up():
            try:
                s3.list_buckets()
                return True
            except Exception:
                return False

        wait_until(s3_up, timeout=30, what="the S3 server")
        s3.create_bucket(Bucket=BUCKET, ACL="private")
        s3.put_public_access_block(
            Bucket=BUCKET,
            PublicAccessBlockConfiguration={
                "BlockPublicAcls": True,
                "IgnorePublicAcls": True,
                "BlockPublicPolicy": True,
                "RestrictPublicBuckets": True,
            },
        )
        step(f"S3 server on {s3_url}, private bucket {BUCKET}")

        ports = [free_port(), free_port()]
        nodes = [f"http://127.0.0.1:{port}" for port in ports]
        media_root = tmp / "media"
        media_root.mkdir()
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "WEB_CONCURRENCY": "2",
            # production settings
            "DJANGO_DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": "https://127.0.0.1",
            "DATABASE_URL": url_template.format(name=db_name),
            "DB_CONN_MAX_AGE": "60",
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "STATIC_ROOT": str(tmp / "static"),
            "MEDIA_ROOT": str(media_root),  # must stay empty: uploads go to the bucket
            "AWS_STORAGE_BUCKET_NAME": BUCKET,
            "AWS_S3_ENDPOINT_URL": s3_url,
            "AWS_S3_REGION_NAME": "us-east-1",
            "AWS_ACCESS_KEY_ID": "portal-key",
            "AWS_SECRET_ACCESS_KEY": "portal-secret",
            "SMS_BACKEND": "twilio",
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM": FROM,
            "TWILIO_API_BASE_URL": twilio.url,
            "TWILIO_TIMEOUT_SECONDS": "5",
            "WECHAT_APP_ID": WECHAT_APP_ID,
            "WECHAT_SECRET": WECHAT_SECRET,
            "WECHAT_TOKEN": WECHAT_TOKEN,
            "WECHAT_TEMPLATE_IDS": "default=TPL-progress",
            "WECHAT_API_BASE_URL": wechat.url,
            # small enough to reach in a test, counted across the nodes in Redis
            "PHONE_CODE_MAX_PER_IP_PER_HOUR": "3",
            "METRICS_TOKEN": "production-metrics-token",
            "METRICS_ALLOWED_IPS": "",
            "SMS_QUIET_HOURS": "",  # the smoke journeys run at any hour
        }
        for name in ("DJANGO_SETTINGS_MODULE", "PORTAL_REQUIRE_SERVICES", "PYTEST_CURRENT_TEST"):
            env.pop(name, None)

        started = time.monotonic()
        _run(["manage.py", "migrate", "--noinput"], env=env, what="migrate")
        _run(["manage.py", "collectstatic", "--noinput"], env=env, what="collectstatic")
        step(f"migrated and collected static files in {time.monotonic() - started:.1f} s")

        for index, port in enumerate(ports):
            _start(
                f"web{index + 1}",
                [*GUNICORN, "--bind", f"127.0.0.1:{port}", "--access-logfile", "-"],
                env=env,
                tmp=tmp,
                processes=processes,
            )
        _start(
            "worker",
            [*WORKER, "-Q", ",".join(ALL_QUEUES), "-n", f"production-{db_name}@%h"],
            env=env,
            tmp=tmp,
            processes=processes,
        )
        _start(
            "beat",
            [*BEAT, "--schedule", str(tmp / "celerybeat-schedule")],
            env=env,
            tmp=tmp,
            processes=processes,
        )

        def healthy(node):
            def check():
                for process in processes.values():
                    if not process.alive():
                        raise RuntimeError(f"{process.name} exited:\n{process.log()[-4000:]}")
                try:
                    return requests.get(f"{node}/healthz", timeout=3).status_code == 200
                except requests.RequestException:
                    return False

            return check

        for node in nodes:
            wait_until(healthy(node), timeout=60, what=f"{node}/healthz")
        wait_until(
            lambda: "ready." in processes["worker"].log(), timeout=60, what="the Celery worker"
        )
        wait_until(
            lambda: "beat: Starting" in processes["beat"].log(), timeout=30, what="Celery beat"
        )
        step(f"two web nodes {nodes}, worker on {','.join(ALL_QUEUES)}, beat: all up")
        yield Stack(
            nodes=nodes,
            env=env,
            s3=s3,
            twilio=twilio,
            media_root=media_root,
            processes=processes,
            wechat=wechat,
        )
    finally:
        for process in reversed(list(processes.values())):
            _stop(process)
        twilio.server.shutdown()
        twilio.server.server_close()
        wechat.__exit__()
        if database_created:
            conn = psycopg2.connect(**admin)
            conn.autocommit = True
            with conn.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)')
            conn.close()
        with contextlib.suppress(Exception):
            redis.Redis.from_url(redis_url).flushdb()
        step("stack stopped, database dropped")
