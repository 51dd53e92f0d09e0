import os

import pytest
from django.conf import settings

from config.celery import app as celery_app

pytest_plugins = ["tests.otp_support", "tests.api_support"]

SERVICES_CONFIGURED = bool(os.environ.get("DATABASE_URL", "").startswith("postgres")) and bool(
    os.environ.get("REDIS_URL")
)


@pytest.fixture(autouse=True)
def _services_gate(request):
    """The `services` and `production` suites need real PostgreSQL and Redis. Without them they
    are skipped with a reason; with PORTAL_REQUIRE_SERVICES=1 (set by .ci/run) a missing service
    fails the test."""
    needs = [m for m in ("services", "production") if m in request.keywords]
    if not needs or SERVICES_CONFIGURED:
        return
    reason = "needs DATABASE_URL (PostgreSQL) and REDIS_URL set; .ci/run sets both"
    if os.environ.get("PORTAL_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{needs[0]} suite required in CI but not configured: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _eager_celery(request):
    """Unit tests run tasks in-process; the services suite talks to a real worker."""
    eager = "services" not in request.keywords
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = eager
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def _test_settings(tmp_path, settings):
    settings.SECURE_SSL_REDIRECT = False
    settings.SMS_QUIET_HOURS = ""  # tests run at any hour; tests/notifications/test_quiet_hours.py
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hasher(request, settings):
    """Argon2 is slow by design; tests create many accounts and log in many times, so they hash
    with MD5. Tests of the hashing itself (``real_password_hasher``) keep the settings' hashers,
    and so do the suites whose other processes check passwords with them (``services``,
    ``production``)."""
    if any(m in request.keywords for m in ("real_password_hasher", "services", "production")):
        return
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _forget_settled_sms():
    """The SMS worker remembers the batch mates it settled (``notifications.sms``), by id; a
    rolled-back test's ids come again in the next one on SQLite."""
    from notifications.sms import forget_settled

    forget_settled()
    yield


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import caches

    for alias in settings.CACHES:
        caches[alias].clear()
    yield


@pytest.fixture
def languages():
    return [code for code, _ in settings.LANGUAGES]
