"""The two caches (issue 18): "default" for what must not run without it (the SMS-code limits),
"pages" for what pages keep to draw faster (the permit's QR code, the unread count), which an
unreachable Redis turns into misses: the pages go on. Sessions stay in the database. With Redis,
both go through django-redis, one client per process."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from notifications.services import notify
from tests.cache_support import unreachable_caches
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_sessions_stay_in_the_database():
    """A logout made while Redis is down is not undone when it is back."""
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


@pytest.fixture
def redis_down(settings):
    settings.CACHES = unreachable_caches(timeout=0.2)


def test_pages_are_drawn_while_redis_is_down(client, redis_down):
    """The personal center with a permit (its QR code) and the unread badge, counted from the
    database; a notification is still written."""
    from tests.permits.factories import PermitFactory

    permit = PermitFactory()
    user = permit.holder.account
    user.language = "en"
    user.save(update_fields=["language"])
    client.force_login(user)
    notify(user, "application_accepted", {"reference": "R1"}, event_key="down-1", sms=False)
    response = client.get(reverse("applicants:me"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html  # the permit's QR code, drawn
    assert re.search(r'class="badge"[^>]*>1</span>', html)


@pytest.mark.skipif(
    not settings.CACHES["default"]["BACKEND"].startswith("django_redis"),
    reason="with REDIS_URL set (the CI run)",
)
def test_a_page_builds_no_redis_client(client, monkeypatch):
    """One Redis client per process (django-redis): a page's cache reads (the unread count, the
    QR code) build none. Django's own Redis backend built one for every operation."""
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
