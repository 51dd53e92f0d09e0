"""The page benchmark of ``make bench`` (issue 18, point 3): requests per second of the portal's
pages served for real, against a bare Django view served the same way.

Both are served by gunicorn, 2 sync workers each, on the bench database with persistent
connections (``DB_CONN_MAX_AGE=60``): the portal (``config.wsgi``, DEBUG off, production
settings apart from the local host names, static files collected under ``var/bench/``, the cache
in Redis db 12 when Redis answers) and ``tests.perf.bare_app`` (session and authentication
middleware, a ``login_required`` view doing one query). wrk (16 connections, 2 threads) drives
them with the session cookie of a signed-in user; for each page, 3 rounds alternate the page and
the bare view (page, bare, page, bare, ...), and the ratio of each round's pair is taken, its
median printed. A person's pages (``core.page_cache``, issue 29) are answered from the cache
after the first request; a third server, the portal with the cache off (``PAGE_CACHE_SECONDS=0``),
draws them every time, measured in the same rounds: the "drawn" ratio is what the first view
after a change costs. Every response must be a 200: a redirect (a wrong cookie: the login page)
or an error stops the bench.

The users (made idempotently on the seeded data): an applicant with one application (an accepted
renewal, an active permit, 30 notifications in My Affairs), an agent who filed the last 100
applications of the seed, and the bench officer (second factor passed: a real session row with
django-otp's device key). Query counts are taken in-process (Django test client, same cookie).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH_DIR = ROOT / "var" / "bench"
WORKERS = 2
CONNECTIONS = 16
THREADS = 2
ROUNDS = 3
AGENT_APPLICATIONS = 100
NOTIFICATIONS = 30
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
# Every request passes the TLS proxy (the portal redirects plain HTTP with DEBUG off).
HEADERS = {"X-Forwarded-Proto": "https"}

# A status other than 200 is counted per wrk thread and summed at the end (wrk's own count of
# "Non-2xx or 3xx responses" lets a redirect to the login page through).
WRK_SCRIPT = """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function init(args)
  wrong = 0
  wrong_status = 0
end
function response(status, headers, body)
  if status ~= 200 then
    wrong = wrong + 1
    wrong_status = status
  end
end
function done(summary, latency, requests)
  local total, last = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("wrong")
    if thread:get("wrong_status") ~= 0 then last = thread:get("wrong_status") end
  end
  io.write(string.format("NOT200 %d %d\\n", total, last))
  io.write(string.format("LATENCY_US %d %d\\n", latency:percentile(50), latency:percentile(95)))
end
"""


# A person's pages, kept by ``core.page_cache`` (the others are drawn every time).
PERSON_PAGES = ("me", "list1", "list100", "application", "affairs")
# Pages the page cache keeps: a person's, and the application desk (``staff_page_key``).
CACHED_PAGES = (*PERSON_PAGES, "desk")

# The pages served by the lean staff screens (issue 29, point 3), and what their body carries.
STAFF_SCREENS = ("queue", "desk")
STAFF_SCREEN_MARK = b'<body class="staff-screen '


# A signed-in browser also holds the CSRF cookie (set by the login form): every page carries a
# form (the sign-out button) whose token comes from it, and a person's cached pages are kept per
# CSRF secret (core.page_cache). Without it each answer would set a new cookie.
CSRF_SECRET = secrets.token_hex(16)  # 32 characters, as Django's own


def _cookies(session_key: str) -> str:
    from django.conf import settings

    return (
        f"{settings.SESSION_COOKIE_NAME}={session_key}; {settings.CSRF_COOKIE_NAME}={CSRF_SECRET}"
    )


class BenchError(RuntimeError):
    pass


@dataclass
class Page:
    key: str
    work: str
    path: str
    session_key: str
    goal: str
    queries: int | None = None
    page_rps: list[float] = field(default_factory=list)
    bare_rps: list[float] = field(default_factory=list)
    # Per round, wrk's latency percentiles over every request of the round, in milliseconds.
    page_p50: list[float] = field(default_factory=list)
    page_p95: list[float] = field(default_factory=list)
    # A person's page (``core.page_cache``) is also served drawn, by a portal with the cache off:
    # what the first view after a change costs.
    drawn_rps: list[float] = field(default_factory=list)

    @property
    def cached(self) -> bool:
        return self.key in CACHED_PAGES

    @property
    def ratios(self) -> list[float]:
        return [p / b for p, b in zip(self.page_rps, self.bare_rps, strict=True) if b]

    @property
    def ratio(self) -> float:
        return statistics.median(self.ratios)

    @property
    def drawn_ratio(self) -> float | None:
        if not self.drawn_rps:
            return None
        return statistics.median(
            d / b for d, b in zip(self.drawn_rps, self.bare_rps, strict=True) if b
        )


# --- users and sessions ----------------------------------------------------------------------
def _session(user, *, staff_device=None) -> str:
    """A real session row, as after the login (and the second factor for staff)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = user._meta.pk.value_to_string(user)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    if staff_device is not None:
        from django_otp import DEVICE_ID_SESSION_KEY

        from review.middleware import LAST_ACTIVITY_KEY

        store[DEVICE_ID_SESSION_KEY] = staff_device.persistent_id
        store[LAST_ACTIVITY_KEY] = int(time.time())
    store.create()
    return store.session_key


def _notifications(user, application) -> None:
    """NOTIFICATIONS entries in the user's My Affairs (a third unread), once."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from notifications.models import Notification
    from notifications.selectors import kind_title

    prefix = f"bench-pages-{user.pk}-"
    if Notification.objects.filter(event_key__startswith=prefix).exists():
        return
    kinds = [
        "application_submitted",
        "application_accepted",
        "endorsement_due",
        "certificate_produced",
        "rating_invited",
    ]
    related_type = ContentType.objects.get_for_model(application)
    now = timezone.now()
    rows = []
    for n in range(NOTIFICATIONS):
        kind = kinds[n % len(kinds)]
        rows.append(
            Notification(
                recipient=user,
                kind=kind,
                event_key=f"{prefix}{n}",
                title=kind_title(kind, "zh-hans") or kind,
                body=f"您的申请 {application.reference} 有新的进展（第 {n + 1} 条）。",
                link=f"/permits/applications/{application.pk}/",
                related_type=related_type,
                related_id=application.pk,
                read_at=None if n % 3 == 0 else now,
            )
        )
    created = Notification.objects.bulk_create(rows)
    # created_at is auto_now_add: spread them over the last days, newest first.
    for n, notification in enumerate(created):
        Notification.objects.filter(pk=notification.pk).update(
            created_at=now - timezone.timedelta(hours=6 * (NOTIFICATIONS - n))
        )


def prepare(officer, *, applications: int, desk_application_id: int) -> list[Page]:
    """The users, their data and sessions; the pages to measure. Idempotent on the seed."""
    from django.db import connection
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from applicants.models import User
    from permits.models import PermitApplication

    if applications < AGENT_APPLICATIONS + 2:
        raise BenchError(f"the page bench needs at least {AGENT_APPLICATIONS + 2} applications")
    agent_first = applications - AGENT_APPLICATIONS + 1
    with connection.cursor() as cursor:
        # The agent: the account of application agent_first files the seed's last 100.
        cursor.execute(
            "UPDATE permits_permitapplication SET filed_by_id = %s "
            "WHERE id BETWEEN %s AND %s AND filed_by_id <> %s",
            [agent_first, agent_first, applications, agent_first],
        )
        # The applicant: the newest accepted renewal below them, with an active permit.
        cursor.execute(
            "SELECT a.id FROM permits_permitapplication a "
            "JOIN permits_residencepermit p ON p.id = a.permit_id "
            "WHERE a.state = 'accepted' AND p.status = 'active' AND a.id < %s "
            "ORDER BY a.id DESC LIMIT 1",
            [agent_first],
        )
        row = cursor.fetchone()
    if row is None:
        raise BenchError("no accepted application with an active permit in the seed")
    application = PermitApplication.objects.select_related("filed_by").get(pk=row[0])
    applicant = application.filed_by
    agent = User.objects.get(pk=agent_first)
    for user, expected in ((applicant, 1), (agent, AGENT_APPLICATIONS)):
        filed = PermitApplication.objects.filter(filed_by=user).count()
        if filed != expected:
            raise BenchError(f"account {user.pk} filed {filed} applications, not {expected}")
    _notifications(applicant, application)
    device, _ = TOTPDevice.objects.get_or_create(
        user=officer, name="bench authenticator", defaults={"confirmed": True}
    )
    one = _session(applicant)
    many = _session(agent)
    staff = _session(officer, staff_device=device)
    return [
        Page("me", "personal center `/accounts/me/`", "/accounts/me/", one, "≥ 0.5"),
        Page(
            "list1",
            "My applications, 1 application",
            "/permits/applications/",
            one,
            "≥ 0.5, the same for 1 or 100",
        ),
        Page(
            "list100",
            "My applications, 100 applications",
            "/permits/applications/",
            many,
            "≥ 0.5, the same for 1 or 100",
        ),
        Page(
            "application",
            "an application's page",
            f"/permits/applications/{application.pk}/",
            one,
            "≥ 0.5",
        ),
        Page("affairs", "My Affairs", "/my-affairs/", one, "≥ 0.6"),
        # The officer's queue and the application desk: their own lean screens (issue 29,
        # point 3: review.views.queue, review.views.desk), at the admin's landing page and the
        # application's admin page.
        Page(
            "queue",
            "officer's queue `/admin/`",
            "/admin/",
            staff,
            "≤ 3× its one SQL",
        ),
        Page(
            "desk",
            "application desk page",
            f"/admin/permits/permitapplication/{desk_application_id}/change/",
            staff,
            "≤ 6× its one SQL",
        ),
    ]


# --- in-process query counts -----------------------------------------------------------------
@contextmanager
def in_process():
    """Settings and signals for timing or counting requests in this process: any host, no TLS
    redirect, DEBUG off, plain static storage (nothing collected here), and one connection
    with its query log kept across requests (as the test runner does)."""
    from django.conf import settings
    from django.core import signals
    from django.db import close_old_connections, reset_queries
    from django.test.utils import override_settings

    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    handlers = [
        (signals.request_started, reset_queries),
        (signals.request_started, close_old_connections),
        (signals.request_finished, close_old_connections),
    ]
    with override_settings(
        ALLOWED_HOSTS=["*"],
        SECURE_SSL_REDIRECT=False,
        DEBUG=False,
        STORAGES=storages,
    ):
        for signal_, handler in handlers:
            signal_.disconnect(handler)
        try:
            yield
        finally:
            for signal_, handler in handlers:
                signal_.connect(handler)


def count_queries(pages: list[Page]) -> None:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    with in_process():
        for page in pages:
            client = Client()
            client.cookies[settings.SESSION_COOKIE_NAME] = page.session_key
            client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
            client.get(page.path)  # warm-up: caches, templates
            with CaptureQueriesContext(connection) as queries:
                response = client.get(page.path)
            if response.status_code != 200:
                raise BenchError(f"{page.path} answered {response.status_code} in-process")
            if page.key in STAFF_SCREENS and STAFF_SCREEN_MARK not in response.content:
                raise BenchError(f"{page.path} is not the lean staff screen (review/staff)")
            page.queries = len(queries)


# --- servers -----------------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    popen: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-3000:]


def _get(port: int, path: str, cookie: str) -> tuple[int, str]:

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={**HEADERS, "Cookie": _cookies(cookie)})
        response = conn.getresponse()
        response.read()
        return response.status, response.getheader("Location", "")
    finally:
        conn.close()


@contextmanager
def gunicorn(name: str, app: str, env: dict, *, probe: tuple[str, str]):
    """``app`` served by gunicorn (WORKERS sync workers) on a free port until the block ends."""
    port = _free_port()
    log = BENCH_DIR / f"{name}.log"
    with log.open("w") as handle:
        popen = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "gunicorn",
                app,
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "30",
            ],
            cwd=ROOT,
            env=env,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers stop with it
        )
    server = Server(name, port, popen, log)
    try:
        deadline = time.monotonic() + 60
        while True:
            if popen.poll() is not None:
                raise BenchError(f"gunicorn ({name}) exited:\n{server.tail()}")
            try:
                _get(port, *probe)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise BenchError(f"gunicorn ({name}) not answering:\n{server.tail()}") from None
                time.sleep(0.2)
        yield server
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(popen.pid, signal.SIGTERM)
        try:
            popen.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(popen.pid, signal.SIGKILL)
            popen.wait(timeout=5)


def _redis_answers(url: str) -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 - no Redis: the portal uses its local-memory cache
        return False


def _portal_env(write) -> dict:
    from django.conf import settings

    env = {
        **os.environ,
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "0",
        # The sessions were signed here: the same key.
        "SECRET_KEY": settings.SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DB_CONN_MAX_AGE": "60",
        "STATIC_ROOT": str(BENCH_DIR / "static"),
        "SMS_BACKEND": "console",
    }
    if _redis_answers(REDIS_URL):
        env["REDIS_URL"] = REDIS_URL
    else:
        env.pop("REDIS_URL", None)
        write(f"  (Redis at {REDIS_URL} not answering: the portal uses a local-memory cache)")
    return env


def _static_sources_mtime() -> float:
    """The newest of the project's static files and the installed packages (their static
    files: the admin's, the API docs')."""
    newest = (ROOT / ".venv" / ".installed").stat().st_mtime if (ROOT / ".venv").exists() else 0
    for directory in [ROOT / "static", *ROOT.glob("*/static")]:
        if directory.parts[-2] in ("var", ".venv", "node_modules"):
            continue
        for path in directory.rglob("*"):
            newest = max(newest, path.stat().st_mtime)
    return newest


def _collectstatic(env: dict) -> bool:
    """Collect (and compress) the static files as production does, unless already done since
    the last change; True when collected."""
    manifest = BENCH_DIR / "static" / "staticfiles.json"
    if manifest.exists() and manifest.stat().st_mtime > _static_sources_mtime():
        return False
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"collectstatic failed:\n{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return True


# --- wrk ---------------------------------------------------------------------------------------
@dataclass
class WrkRun:
    rate: float  # requests/s
    p50_ms: float
    p95_ms: float


def _wrk(url: str, cookie: str, seconds: float, script: Path) -> WrkRun:
    """One wrk run; its Lua ``done()`` prints the non-200 count and the latency percentiles."""

    command = [
        "wrk",
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds:g}s",
        "-s",
        str(script),
        "-H",
        f"Cookie: {_cookies(cookie)}",
    ]
    for name, value in HEADERS.items():
        command += ["-H", f"{name}: {value}"]
    result = subprocess.run(  # noqa: S603
        [*command, url], capture_output=True, text=True, check=False, timeout=seconds + 60
    )
    output = result.stdout + result.stderr
    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    wrong = re.search(r"NOT200 (\d+) (\d+)", output)
    latency = re.search(r"LATENCY_US (\d+) (\d+)", output)
    if result.returncode != 0 or rate is None or wrong is None or latency is None:
        raise BenchError(f"wrk failed on {url}:\n{output}")
    if int(wrong.group(1)):
        raise BenchError(
            f"{url}: {wrong.group(1)} responses were not 200 (last: {wrong.group(2)}); "
            f"wrk said:\n{output}"
        )
    timeouts = re.search(r"Socket errors:.*timeout (\d+)", output)
    if timeouts and int(timeouts.group(1)):
        raise BenchError(f"{url}: {timeouts.group(1)} requests timed out:\n{output}")
    return WrkRun(float(rate.group(1)), int(latency.group(1)) / 1000, int(latency.group(2)) / 1000)


def require_wrk() -> None:
    if shutil.which("wrk") is None:
        raise BenchError("wrk is not installed: the page benchmark needs it (apt-get install wrk).")


def measure(pages: list[Page], write, *, seconds: float = 5, rounds: int = ROUNDS) -> None:
    """Serve both, check every page answers 200, then the interleaved wrk rounds."""
    require_wrk()
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    env = _portal_env(write)
    started = time.perf_counter()
    if _collectstatic(env):
        write(f"  static files collected in {time.perf_counter() - started:.1f} s")
    bare_env = {k: v for k, v in env.items() if k != "DJANGO_SETTINGS_MODULE"}
    drawn_env = {**env, "PAGE_CACHE_SECONDS": "0"}
    first = pages[0]
    with (
        tempfile.NamedTemporaryFile("w", suffix=".lua", prefix="bench-wrk-") as script,
        gunicorn("portal", "config.wsgi:application", env, probe=("/healthz", "")) as portal,
        gunicorn(
            "portal-drawn", "config.wsgi:application", drawn_env, probe=("/healthz", "")
        ) as drawn,
        gunicorn(
            "bare", "tests.perf.bare_app:application", bare_env, probe=("/", first.session_key)
        ) as bare,
    ):
        script.write(WRK_SCRIPT)
        script.flush()
        lua = Path(script.name)
        for page in pages:
            for server, path in ((portal, page.path), (bare, "/")):
                status, location = _get(server.port, path, page.session_key)
                if status != 200:
                    raise BenchError(
                        f"{server.name} {path} answered {status} {location} for {page.work} "
                        f"(a redirect to the login page: the session cookie is not accepted)\n"
                        f"{server.tail()}"
                    )
        write(
            f"  portal and bare view up (gunicorn, {WORKERS} sync workers each); every page "
            "answers 200; warming up"
        )
        for page in pages:
            _wrk(f"{portal.url}{page.path}", page.session_key, 1, lua)
        _wrk(f"{bare.url}/", first.session_key, 1, lua)
        for page in pages:
            for _round in range(rounds):
                cookie = page.session_key
                run = _wrk(f"{portal.url}{page.path}", cookie, seconds, lua)
                page.page_rps.append(run.rate)
                page.page_p50.append(run.p50_ms)
                page.page_p95.append(run.p95_ms)
                if page.cached:
                    page.drawn_rps.append(
                        _wrk(f"{drawn.url}{page.path}", cookie, seconds, lua).rate
                    )
                page.bare_rps.append(_wrk(f"{bare.url}/", cookie, seconds, lua).rate)
            write(
                f"  {page.work:<36} page {_rates(page.page_rps)} req/s, "
                + (f"drawn {_rates(page.drawn_rps)} req/s, " if page.cached else "")
                + f"bare {_rates(page.bare_rps)} req/s, "
                f"p50 {_rates(page.page_p50, '.1f')} ms, p95 {_rates(page.page_p95, '.1f')} ms"
            )


def _rates(values: list[float], spec: str = ".0f") -> str:
    return " / ".join(f"{v:{spec}}" for v in values)


# --- report ------------------------------------------------------------------------------------
def rounds_table(pages: list[Page], write, *, seconds: float, rounds: int) -> None:
    write("")
    write(
        f"Pages: requests/s with wrk ({CONNECTIONS} connections, {THREADS} threads, "
        f"{seconds:g} s), gunicorn {WORKERS} sync workers, {rounds} rounds interleaved with "
        "the bare view:"
    )
    header = (
        f"{'page':<36} {'queries':>7} {'page req/s':>11} {'bare req/s':>11} {'ratio':>6} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'drawn':>6}"
    )
    write(header)
    write("-" * len(header))
    for page in pages:
        write(
            f"{page.work:<36} {page.queries if page.queries is not None else '-':>7} "
            f"{statistics.median(page.page_rps):>11.0f} {statistics.median(page.bare_rps):>11.0f} "
            f"{page.ratio:>6.2f} {statistics.median(page.page_p50):>7.1f} "
            f"{statistics.median(page.page_p95):>7.1f} "
            f"{'-' if page.drawn_ratio is None else f'{page.drawn_ratio:.2f}':>6}"
        )
    write(
        "(req/s: median of the rounds; ratio: median of each round's page/bare; p50/p95: the "
        f"page's latency at {CONNECTIONS} connections, median of the rounds' percentiles; "
        "drawn: a kept page (a person's, the desk) drawn by a portal with the page cache off, "
        "against the same "
        "bare rounds, as the first view after a change is)"
    )


def summary_table(
    pages: list[Page], write, *, desk: dict | None = None, sms: dict | None = None
) -> None:
    """The issue's table: work | today | goal. ``desk``: the in-process table's figures,
    ``queue`` as (queries, Django ms, one SQL ms), ``desk`` with its drawn ms after them, ``job``
    as (label, job ms, one SQL ms); ``sms``: (messages/s, ratio to bare) by loop
    (``tests.perf.workers.sms_rates``); without them (``--only pages``) the pages alone."""
    desk = desk or {}
    rows = []
    for page in pages:
        today = (
            f"{page.ratio:.2f} of the bare view ({statistics.median(page.page_rps):.0f} vs "
            f"{statistics.median(page.bare_rps):.0f} req/s; p50 "
            f"{statistics.median(page.page_p50):.1f} ms, p95 "
            f"{statistics.median(page.page_p95):.1f} ms at {CONNECTIONS} connections)"
        )
        if page.drawn_ratio is not None:
            today += f"; drawn (the first view after a change) {page.drawn_ratio:.2f}"
        if page.key in desk:
            queries, server_ms, sql_ms, *drawn_ms = desk[page.key]
            today += f"; {queries} queries, {server_ms / sql_ms:.1f}× its one SQL"
            if drawn_ms:
                today += f" (drawn {drawn_ms[0] / sql_ms:.1f}×)"
        elif page.queries is not None:
            today += f"; {page.queries} queries"
        rows.append((page.work, today, page.goal))
    if "job" in desk:
        label, server_ms, sql_ms = desk["job"]
        same = "one SQL statement doing the same (suspend, log, bump)"
        rows.append((label, f"{server_ms / sql_ms:.2f}× {same}", "keep ≤ 1.2×"))
    if sms:
        from django.conf import settings

        from .workers import BARE, FLOOR, SMS_ROUNDS, WORKER

        (bare, _), (worker, ratio), (_, floor) = sms[BARE], sms[WORKER], sms[FLOOR]
        rows.append(
            (
                "SMS worker, messages/s",
                f"{ratio:.2f} of a bare twilio-client loop, batches of {settings.SMS_CLAIM_BATCH} "
                f"({worker:.0f} vs {bare:.0f}/s; "
                f"median of {SMS_ROUNDS} rounds' ratios); the floor, bare + one durable UPDATE: "
                f"{floor:.2f}",
                "≥ 0.8",
            )
        )
    write("")
    write("Issue 29, today against the goal (this machine; figures vary with its load):")
    widths = [max(len(r[i]) for r in [("work", "today", "goal"), *rows]) for i in range(3)]
    line = "| " + " | ".join(f"{{:<{w}}}" for w in widths) + " |"
    write(line.format("work", "today", "goal"))
    write("| " + " | ".join("-" * w for w in widths) + " |")
    for row in rows:
        write(line.format(*row))
    write("(The password check: its table above.)")
