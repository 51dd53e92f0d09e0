"""Browser tests: Playwright (Python, sync API) driving Debian's Chromium against pytest-django's
live server, with axe-core (npm, node_modules/) injected for accessibility checks.

Screenshots go to test-artifacts/e2e/<test>/<NN>-<step>.png (git-ignored).

Without Chromium, Playwright or axe-core the tests skip with the reason; with
PORTAL_REQUIRE_SERVICES=1 (set by .ci/run) they fail instead.
"""

import importlib
import os
import re
import shutil

import pytest

from tests.conftest import SERVICES_CONFIGURED
from tests.e2e.helpers import (
    ARTIFACTS,
    BROWSER_LOCALES,
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    TIMEOUT_MS,
    Screenshots,
    missing_requirements,
)
from tests.services.conftest import (  # noqa: F401
    celery_worker_process,
    start_worker,
    worker_env,
)


def _require_browser_stack() -> None:
    missing = missing_requirements()
    if not missing:
        return
    reason = "browser tests need " + "; ".join(missing)
    if os.environ.get("PORTAL_REQUIRE_SERVICES") == "1":
        pytest.fail(f"browser suite required in CI but not runnable: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def playwright_instance():
    _require_browser_stack()
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio event loop in this thread; Django would then refuse
    # every ORM call of the test code (factories, SMS lookups) as "async unsafe". That code is
    # synchronous, so this is safe, from here until Playwright stops.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as pw:
            yield pw
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def live_server(request):
    """pytest-django's live server, started with HTTPS redirection off: SecurityMiddleware reads
    SECURE_SSL_REDIRECT once, when the server thread builds its handler, so a per-test override
    would come too late. (Cookies' Secure flags are read per request: see _e2e_settings.)"""
    from django.test.utils import override_settings
    from pytest_django.live_server_helper import LiveServer

    _require_browser_stack()
    addr = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    with override_settings(SECURE_SSL_REDIRECT=False):
        server = LiveServer(addr)  # returns once the handler is built and the port is open
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _data_migration_rows(request):
    """A transactional test starts from a database emptied by the previous one's flush, which
    re-creates content types and permissions but not what data migrations wrote: put back the
    staff groups (review 0001) and the materials catalogue (permits 0003), both idempotent.
    (``serialized_rollback`` would restore them, but on PostgreSQL it collides with the content
    types an earlier flush re-created under new ids.) Add any new data migration here."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    from review.roles import sync_groups

    importlib.import_module("permits.migrations.0003_materials_catalogue").load(apps, None)
    sync_groups()


@pytest.fixture(autouse=True)
def _e2e_settings(request, settings):
    """The live server speaks plain HTTP: cookies must not be Secure-only."""
    if "e2e" not in request.keywords:
        return
    _require_browser_stack()
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_SSL_REDIRECT = False


# --- pages ------------------------------------------------------------------------------------


@pytest.fixture
def new_page(browser, live_server):
    """Factory: ``new_page(viewport=PHONE, language="zh-hans")`` opens a fresh browser context
    (its own cookies: one per person in a scenario) on the live server."""
    contexts = []

    def make(*, viewport=PHONE, language="zh-hans"):
        mobile = viewport["width"] < 600
        context = browser.new_context(
            base_url=live_server.url,
            viewport=viewport,
            locale=BROWSER_LOCALES.get(language, language),
            is_mobile=mobile,
            has_touch=mobile,
            timezone_id="Asia/Shanghai",
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def phone_page(new_page):
    return new_page(viewport=PHONE)


@pytest.fixture
def desktop_page(new_page):
    return new_page(viewport=DESKTOP)


# --- screenshots ------------------------------------------------------------------------------


@pytest.fixture
def shot(request):
    """``shot(page, "step")`` saves test-artifacts/e2e/<test>/<NN>-<step>.png."""
    test_name = re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    folder = ARTIFACTS / test_name
    if folder.exists():
        shutil.rmtree(folder)
    return Screenshots(folder=folder)


@pytest.fixture
def celery_tasks(request):
    """Where the tasks the live server enqueues run. With PostgreSQL and Redis configured (CI):
    a real `celery worker` process, on a queue of its own made the default for this test;
    otherwise in-process (eager). Returns "worker" or "eager"."""
    from config.celery import app

    if not SERVICES_CONFIGURED:
        yield "eager"
        return
    worker = request.getfixturevalue("start_worker")("-I", "tests.e2e.worker_routes")
    queue = worker.queue
    from config.celery import TASK_QUEUES

    previous = (app.conf.task_always_eager, app.conf.task_default_queue)
    previous_routes = dict(TASK_QUEUES)
    app.conf.task_always_eager = False
    app.conf.task_default_queue = queue
    TASK_QUEUES.clear()  # the sms and daily queues too go to this test's worker
    try:
        yield "worker"
    finally:
        app.conf.task_always_eager, app.conf.task_default_queue = previous
        TASK_QUEUES.update(previous_routes)
