"""Issue 30.4: one framing policy for every answer: ``X-Frame-Options: DENY`` (with CSP's
``frame-ancestors 'none'``) on pages, refusals made by middleware (the kiosk's 403, the lockout's
429), error pages and static files alike."""

import pytest
from django.test import Client
from django.urls import include, path

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _boom(request):
    raise RuntimeError("a fault in a view")


# the project's own URLs too: its error pages link to the home page
urlpatterns = [path("boom/", _boom), path("", include("config.urls"))]


def assert_not_framable(response):
    assert response["X-Frame-Options"] == "DENY", response.status_code
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]


def test_pages_and_api_answers_refuse_framing(client):
    assert_not_framable(client.get("/"))
    assert_not_framable(client.get("/accounts/login/"))
    assert_not_framable(client.get("/api/v1/me/"))  # 401 JSON
    assert_not_framable(client.get("/no-such-page/"))  # 404


def test_the_kiosks_refusal_refuses_framing(client):
    response = client.get("/kiosk/")  # no device token: the kiosk middleware answers itself
    assert response.status_code == 403
    assert_not_framable(response)


def test_the_lockout_page_refuses_framing(settings):
    settings.AXES_FAILURE_LIMIT = 2
    user = UserFactory()
    client = Client(REMOTE_ADDR="198.51.100.30")
    for _ in range(2):
        response = client.post("/accounts/login/", {"username": user.phone, "password": "x"})
    assert response.status_code == 429
    assert_not_framable(response)
    api = Client(REMOTE_ADDR="198.51.100.31")
    for _ in range(2):
        response = api.post(
            "/api/v1/auth/token/",
            {"phone": user.phone, "password": "x"},
            content_type="application/json",
        )
    assert response.status_code == 429
    assert_not_framable(response)


def test_static_files_refuse_framing(settings):
    settings.WHITENOISE_USE_FINDERS = True  # read by WhiteNoise when a new client starts
    settings.WHITENOISE_AUTOREFRESH = True
    response = Client().get("/static/css/portal.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) if response.streaming else response.content
    assert_not_framable(response)


def test_an_error_page_refuses_framing(settings):
    settings.ROOT_URLCONF = __name__
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert_not_framable(response)
