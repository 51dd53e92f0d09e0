"""Sessions read from Redis, written through to the database (issue 18): the session's query was
the dearest fixed cost of every signed-in page. Without Redis each process would keep its own
copy (a logout in one would not reach the others), so the database alone is used then."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
CACHED_DB = "django.contrib.sessions.backends.cached_db"


def session_engine(**env) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(settings.SESSION_ENGINE)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "config.settings", **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip().splitlines()[-1]


def test_the_session_engine_follows_redis():
    assert session_engine() == "django.contrib.sessions.backends.db"
    assert session_engine(REDIS_URL="redis://127.0.0.1:6379/15") == CACHED_DB


needs_redis = pytest.mark.skipif(
    settings.SESSION_ENGINE != CACHED_DB, reason="sessions are cached only with REDIS_URL set"
)


@needs_redis
@pytest.mark.django_db
def test_a_signed_in_page_does_not_read_the_session_table(client):
    client.force_login(UserFactory())
    assert client.get(reverse("applicants:me")).status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("applicants:me")).status_code == 200
    assert not [q for q in queries if "django_session" in q["sql"]]


@needs_redis
@pytest.mark.django_db
def test_a_logout_ends_the_cached_session(client):
    client.force_login(UserFactory())
    me = reverse("applicants:me")
    assert client.get(me).status_code == 200
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    client.post(reverse("logout"))
    client.cookies[settings.SESSION_COOKIE_NAME] = cookie  # the old cookie, replayed
    response = client.get(me)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


@needs_redis
@pytest.mark.django_db
def test_a_page_builds_no_redis_client(client, monkeypatch):
    """One Redis client per process (django-redis): a page's cache reads (the session, the
    unread count) build none. Django's own Redis backend built one for every operation."""
    import redis

    client.force_login(UserFactory())
    assert client.get(reverse("applicants:me")).status_code == 200
    built = []
    real_init = redis.Redis.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(redis.Redis, "__init__", counting)
    for _ in range(3):
        assert client.get(reverse("applicants:me")).status_code == 200
    assert built == []
