"""The production smoke stack: real OS processes started as docker-compose.yml starts them.

nginx (Debian's, with deploy/nginx's configuration, TLS with a throw-away certificate) in front of
two gunicorn web nodes; one Celery worker serving every queue and Celery beat; PgBouncer
(deploy/pgbouncer, transaction pooling) in front of a PostgreSQL primary of the stack's own
(initdb in a temporary directory) with a streaming standby made by pg_basebackup, read by the
portal's router (core.db_router); a Redis database of its own, an S3-compatible server (moto)
with a private bucket and a stand-in for Twilio's REST API. Every process binds 127.0.0.1 and is
stopped (terminate, then kill) when the module ends; the clusters are removed.

The settings are production's: DJANGO_DEBUG=0, a random SECRET_KEY, ALLOWED_HOSTS, secure
cookies and SSL redirect (nginx terminates TLS and says X-Forwarded-Proto), PROXY_COUNT=1.
PostgreSQL and PgBouncer refuse to run as root: as root (CI) they run as the `postgres` user.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
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
# Debian's PostgreSQL programs (initdb, pg_ctl, pg_basebackup): the newest installed version.
PG_BIN = Path(
    os.environ.get("PORTAL_PG_BIN")
    or max(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        default=Path("/usr/lib/postgresql/15/bin"),
    )
)
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
ACCEL_PREFIX = "/_protected/"
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
    nodes: list[str]  # base URLs of the two gunicorn nodes (behind nginx; tests go around it)
    edge: str  # nginx, https://127.0.0.1:port
    edge_http: str  # nginx's plain-HTTP port (probes; pages redirect to HTTPS)
    env: dict
    s3: object  # a boto3 client on the moto server
    twilio: StubTwilio
    media_root: Path
    processes: dict[str, Process] = field(default_factory=dict)
    wechat: WeChatStandIn | None = None  # the WeChat API stand-in (issue 26)
    primary: Cluster | None = None
    standby: Cluster | None = None
    pgbouncer: PgBouncer | None = None
    tmp: Path | None = None
    start_web: Callable[[int], Process] | None = None  # (re)starts web node 0 or 1

    @property
    def via_nginx(self) -> list[str]:
        """Two "nodes" for the journey's alternation: both nginx, which spreads the requests."""
        return [self.edge, self.edge]

    def logs(self) -> str:
        return "\n".join(f"--- {n} ---\n{p.log()[-4000:]}" for n, p in self.processes.items())


def _start(name, args, *, env, tmp: Path, processes: dict, python=True, user=None) -> Process:
    log_path = tmp / f"{name}.log"
    handle = log_path.open("w")
    popen = subprocess.Popen(  # noqa: S603
        [sys.executable, *args] if python else args,
        cwd=ROOT,
        env=env,
        stdout=handle,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: gunicorn/celery children stop with it
        user=user,
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


# --- PostgreSQL primary + standby, PgBouncer, nginx (issue 28) ---------------------------------


def _db_user() -> str | None:
    """PostgreSQL and PgBouncer refuse root: run them as `postgres` when we are root."""
    return "postgres" if os.geteuid() == 0 else None


def _own(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    user = _db_user()
    if user:
        entry = pwd.getpwnam(user)
        os.chown(path, entry.pw_uid, entry.pw_gid)
    return path


def _run_as_db_user(args, *, what: str, timeout: float = 120) -> str:
    result = subprocess.run(  # noqa: S603
        [str(a) for a in args],
        user=_db_user(),
        cwd="/",
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env={**os.environ, "LC_ALL": "C.UTF-8", "PGTZ": "UTC"},
    )
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result.stdout


@dataclass
class Cluster:
    """A PostgreSQL cluster of the stack's own (pg_ctl), on 127.0.0.1:port."""

    name: str
    data: Path
    port: int

    def start(self) -> None:
        _run_as_db_user(
            [PG_BIN / "pg_ctl", "-D", self.data, "-l", self.data.parent / f"{self.name}.log",
             "-w", "-t", "60", "start"],
            what=f"starting {self.name}",
        )  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        with contextlib.suppress(RuntimeError):
            _run_as_db_user(
                [PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop"],
                what=f"stopping {self.name}",
            )

    def connect(self, dbname: str = "postgres"):
        import psycopg2

        conn = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname=dbname, connect_timeout=3
        )
        conn.autocommit = True
        return conn

    def query(self, sql: str, dbname: str = "postgres") -> list[tuple]:
        conn = self.connect(dbname)
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql)
                return cursor.fetchall() if cursor.description else []
        finally:
            conn.close()

    def log(self) -> str:
        path = self.data.parent / f"{self.name}.log"
        return path.read_text(errors="replace") if path.exists() else ""


def start_primary_and_standby(base: Path) -> tuple[Cluster, Cluster]:
    """A primary (initdb) and its streaming standby (pg_basebackup -R): WAL sent as written."""
    primary = Cluster("primary", _own(base / "pg") / "primary", free_port())
    _run_as_db_user(
        [PG_BIN / "initdb", "-D", primary.data, "-U", "postgres", "--auth=trust",
         "--encoding=UTF8", "--no-sync"],
        what="initdb",
    )  # fmt: skip
    with (primary.data / "postgresql.conf").open("a") as conf:
        conf.write(
            f"port = {primary.port}\n"
            "listen_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{base / 'pg'}'\n"
            "timezone = 'UTC'\n"  # PgBouncer: Django then never sends SET TIME ZONE
            "wal_level = replica\nmax_wal_senders = 5\nhot_standby = on\n"
            "fsync = off\nfull_page_writes = off\n"  # a throw-away cluster
            "max_connections = 200\n"
        )
    primary.start()
    standby = Cluster("standby", base / "pg" / "standby", free_port())
    _run_as_db_user(
        [PG_BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", primary.port, "-U", "postgres",
         "-D", standby.data, "-R", "-X", "stream", "--no-sync"],
        what="pg_basebackup",
    )  # fmt: skip
    with (standby.data / "postgresql.auto.conf").open("a") as conf:
        conf.write(f"port = {standby.port}\n")
    standby.start()
    return primary, standby


@dataclass
class PgBouncer:
    """PgBouncer in transaction mode (deploy/pgbouncer/pool.ini) in front of the primary."""

    ini: Path
    port: int
    env: dict
    tmp: Path
    processes: dict
    process: Process | None = None

    def start(self) -> None:
        self.process = _start(
            "pgbouncer", [PGBOUNCER, str(self.ini)], env=self.env, tmp=self.tmp,
            processes=self.processes, python=False, user=_db_user(),
        )  # fmt: skip

        def answers():
            if not self.process.alive():
                raise RuntimeError(f"pgbouncer exited:\n{self.process.log()[-3000:]}")
            with socket.socket() as sock:
                return sock.connect_ex(("127.0.0.1", self.port)) == 0

        wait_until(answers, timeout=20, what="PgBouncer")

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process)

    def show(self, what: str) -> list[dict]:
        """PgBouncer's admin console (SHOW CONFIG, SHOW POOLS, ...) as rows of dicts."""
        import psycopg2

        conn = psycopg2.connect(
            host="127.0.0.1", port=self.port, user="postgres", dbname="pgbouncer"
        )
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(f"SHOW {what}")
                names = [c.name for c in cursor.description]
                return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
        finally:
            conn.close()


def start_pgbouncer(base: Path, primary: Cluster, dbname: str, tmp: Path, processes) -> PgBouncer:
    home = _own(base / "pgbouncer")
    users = home / "userlist.txt"
    users.write_text('"postgres" ""\n')
    port = free_port()
    ini = home / "pgbouncer.ini"
    ini.write_text(
        "[databases]\n"
        f"{dbname} = host=127.0.0.1 port={primary.port} dbname={dbname}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {users}\n"
        f"pidfile = {home / 'pgbouncer.pid'}\n"
        f"%include {ROOT / 'deploy' / 'pgbouncer' / 'pool.ini'}\n"
    )
    for path in (users, ini):
        _own(home)
        if _db_user():
            entry = pwd.getpwnam(_db_user())
            os.chown(path, entry.pw_uid, entry.pw_gid)
    bouncer = PgBouncer(ini, port, dict(os.environ), tmp, processes)
    bouncer.start()
    return bouncer


def render_nginx(base: Path, *, nodes: list[int], static_root: Path, s3_url: str) -> tuple:
    """deploy/nginx/portal.conf.template filled in as the official image's entrypoint does, in
    a main configuration for Debian's nginx: returns (nginx.conf, https port, http port)."""
    home = base / "nginx"
    (home / "temp").mkdir(parents=True)
    cert, key = home / "cert.pem", home / "key.pem"
    subprocess.run(  # noqa: S603
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    https_port, http_port = free_port(), free_port()
    values = {
        "PORTAL_UPSTREAM": " ".join(f"server 127.0.0.1:{port};" for port in nodes),
        "PORTAL_RESOLVER": "",
        "PORTAL_HTTP_PORT": f"127.0.0.1:{http_port}",
        "PORTAL_HTTPS_PORT": f"127.0.0.1:{https_port}",
        "PORTAL_TLS_CERT": str(cert),
        "PORTAL_TLS_KEY": str(key),
        "PORTAL_STATIC_ROOT": str(static_root),
        "PORTAL_STORAGE_ENDPOINT": s3_url,
        "PORTAL_MAX_BODY": "42m",
        "PORTAL_PROXY_PARAMS": str(ROOT / "deploy" / "nginx" / "proxy_params.conf"),
        "PORTAL_PROTECTED_PARAMS": str(ROOT / "deploy" / "nginx" / "protected_params.conf"),
        "PORTAL_RATE_EXEMPT": os.environ.get("PORTAL_RATE_EXEMPT", "192.0.2.1/32"),
    }
    template = (ROOT / "deploy" / "nginx" / "portal.conf.template").read_text()
    for name, value in values.items():
        template = template.replace("${" + name + "}", value)
    assert "${PORTAL_" not in template, "a template variable left unfilled"
    (home / "portal.conf").write_text(template)
    temp = home / "temp"
    conf = home / "nginx.conf"
    conf.write_text(
        "daemon off;\nworker_processes 2;\n"
        f"pid {home / 'nginx.pid'};\nerror_log {home / 'error.log'} warn;\n"
        "events { worker_connections 1024; }\n"
        "http {\n  include /etc/nginx/mime.types;\n  default_type application/octet-stream;\n"
        f"  access_log {home / 'access.log'};\n  sendfile on;\n"
        f"  client_body_temp_path {temp / 'body'};\n  proxy_temp_path {temp / 'proxy'};\n"
        f"  fastcgi_temp_path {temp / 'fastcgi'};\n  uwsgi_temp_path {temp / 'uwsgi'};\n"
        f"  scgi_temp_path {temp / 'scgi'};\n"
        f"  include {home / 'portal.conf'};\n}}\n"
    )
    return conf, cert, https_port, http_port


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
    with production_stack(tmp_path_factory.mktemp("production")) as started:
        yield started


@contextlib.contextmanager
def production_stack(tmp: Path, *, extra_env: dict | None = None):
    """The stack (also `make loadtest`'s, tests/perf/loadtest.py): needs REDIS_URL set."""
    import boto3
    import redis

    # PostgreSQL, PgBouncer and nginx's workers run as other users: a directory they can enter.
    base = Path(tempfile.mkdtemp(prefix="portal-production-"))
    base.chmod(0o755)
    processes: dict[str, Process] = {}
    db_name = "portal"
    redis_url = _redis_url(os.environ["REDIS_URL"])
    twilio = StubTwilio()
    twilio.thread.start()
    wechat = WeChatStandIn().__enter__()
    primary = standby = bouncer = None
    ca_bundle = os.environ.get("REQUESTS_CA_BUNDLE")
    try:
        started = time.monotonic()
        primary, standby = start_primary_and_standby(base)
        primary.query(f'CREATE DATABASE "{db_name}"')
        bouncer = start_pgbouncer(base, primary, db_name, tmp, processes)
        redis.Redis.from_url(redis_url).flushdb()
        step(
            f"PostgreSQL primary :{primary.port} and streaming standby :{standby.port}, "
            f"PgBouncer :{bouncer.port} (transaction pooling), Redis {redis_url}: "
            f"{time.monotonic() - started:.1f} s"
        )

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
        # PORTAL_PRODUCTION_STATIC_ROOT: files collected by an earlier run, kept (local reruns).
        static_root = Path(os.environ.get("PORTAL_PRODUCTION_STATIC_ROOT") or base / "static")
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "WEB_CONCURRENCY": "2",
            # production settings
            "DJANGO_DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": "https://127.0.0.1",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{bouncer.port}/{db_name}",
            "DB_TRANSACTION_POOLING": "1",
            "DATABASE_REPLICA_URL": f"postgres://postgres@127.0.0.1:{standby.port}/{db_name}",
            "DATABASE_REPLICA_RETRY_SECONDS": "2",
            "DB_CONN_MAX_AGE": "60",
            "PROXY_COUNT": "1",  # nginx
            "PROTECTED_FILES_ACCEL_PREFIX": ACCEL_PREFIX,
            "REDIS_URL": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": "0",
            "STATIC_ROOT": str(static_root),
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
            **(extra_env or {}),
        }
        for name in ("DJANGO_SETTINGS_MODULE", "PORTAL_REQUIRE_SERVICES", "PYTEST_CURRENT_TEST"):
            env.pop(name, None)

        started = time.monotonic()
        _run(["manage.py", "migrate", "--noinput"], env=env, what="migrate")
        if not (static_root / "staticfiles.json").exists():
            # compressing every file takes a minute of CPU (minutes on a loaded machine)
            _run(["manage.py", "collectstatic", "--noinput"], env=env, what="collectstatic",
                 timeout=900)  # fmt: skip
        step(f"migrated and collected static files in {time.monotonic() - started:.1f} s")

        def start_web(index: int) -> Process:
            return _start(
                f"web{index + 1}",
                [*GUNICORN, "--bind", f"127.0.0.1:{ports[index]}", "--access-logfile", "-"],
                env=env,
                tmp=tmp,
                processes=processes,
            )

        for index in range(len(ports)):
            start_web(index)
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
        conf, cert, https_port, http_port = render_nginx(
            base, nodes=ports, static_root=static_root, s3_url=s3_url
        )
        _start(
            "nginx",
            [NGINX, "-c", str(conf), "-p", str(conf.parent), "-e", "stderr"],
            env=env,
            tmp=tmp,
            processes=processes,
            python=False,
        )
        edge, edge_http = f"https://127.0.0.1:{https_port}", f"http://127.0.0.1:{http_port}"
        os.environ["REQUESTS_CA_BUNDLE"] = str(cert)  # this test process trusts the stack's TLS
        wait_until(healthy(edge_http), timeout=30, what="nginx")
        wait_until(
            lambda: "ready." in processes["worker"].log(), timeout=60, what="the Celery worker"
        )
        wait_until(
            lambda: "beat: Starting" in processes["beat"].log(), timeout=30, what="Celery beat"
        )
        step(
            f"nginx {edge} in front of two web nodes {nodes}, worker on {','.join(ALL_QUEUES)},"
            " beat: all up"
        )
        yield Stack(
            nodes=nodes,
            edge=edge,
            edge_http=edge_http,
            primary=primary,
            standby=standby,
            pgbouncer=bouncer,
            tmp=tmp,
            start_web=start_web,
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
        for cluster in (standby, primary):
            if cluster is not None:
                cluster.stop("immediate")
        with contextlib.suppress(Exception):
            redis.Redis.from_url(redis_url).flushdb()
        if ca_bundle is None:
            os.environ.pop("REQUESTS_CA_BUNDLE", None)
        else:
            os.environ["REQUESTS_CA_BUNDLE"] = ca_bundle
        shutil.rmtree(base, ignore_errors=True)
        step("stack stopped, clusters removed")
