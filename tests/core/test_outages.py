"""Issue 30: what a person sees when PostgreSQL or Redis cannot be reached, and the project's own
error pages. Through the real views, with the database made unreachable for the request (every
query refused as a lost server refuses it)."""

import contextlib

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse

from tests.api_support import client_for
from tests.cache_support import unreachable_caches
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

BARE_500 = "Server Error (500)"


@contextlib.contextmanager
def database_down():
    def refuse(execute, sql, params, many, context):
        raise OperationalError(
            'connection to server at "127.0.0.1", port 5432 failed: Connection refused'
        )

    with connection.execute_wrapper(refuse):
        yield


def web(language="zh-hans"):
    return Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)


def test_a_form_sent_while_the_database_is_down_says_nothing_was_saved_in_chinese():
    client = web()
    client.get(reverse("login"))  # the CSRF cookie, as a browser has it
    with database_down():
        response = client.post(
            reverse("login"),
            {"username": "+8613800138000", "password": "Secret-Pass-2026"},
        )
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert BARE_500 not in html
    assert 'lang="zh-Hans"' in html
    assert "服务暂时不可用" in html and "您提交的内容没有保存" in html
    # what was typed, ready to send again; never the password
    assert 'id="send-again"' in html and 'value="+8613800138000"' in html
    assert "Secret-Pass-2026" not in html


def test_a_page_read_while_the_database_is_down_in_english():
    user = UserFactory()
    client = web("en")
    client.force_login(user)
    with database_down():
        response = client.get(reverse("applicants:me"))
    html = response.content.decode()
    assert response.status_code == 503
    assert "The service is briefly unavailable" in html and "Try again" in html
    assert "Nothing you sent was saved" not in html  # nothing was sent


def test_the_api_answers_503_in_its_error_shape_with_retry_after():
    api = client_for(UserFactory())
    api.raise_request_exception = False
    with database_down():
        response = api.get("/api/v1/applications/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    assert response["Retry-After"] == "60"
    body = response.json()
    assert body["code"] == "unavailable" and body["fields"] == {}
    assert "Nothing was saved" in body["message"]


def test_an_unexpected_error_is_the_projects_500_page_and_json_on_the_api(monkeypatch):
    from config.views import HomeView

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(HomeView, "get", broken)
    response = web().get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 500
    assert BARE_500 not in html and "系统出错" in html and 'class="site-header"' in html

    from applicants.api import accounts

    monkeypatch.setattr(accounts.MeView, "get", broken)
    api = client_for(UserFactory())
    api.raise_request_exception = False
    response = api.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"


def test_404_and_403_are_the_projects_own_pages():
    response = web().get("/no-such-page/")
    html = response.content.decode()
    assert response.status_code == 404 and "页面不存在" in html and 'class="site-header"' in html

    client = web("en")
    client.force_login(StaffFactory())
    response = client.get(reverse("admin:permits_pickupwindow_add"))
    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()


# --- Redis (point 7) -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name", ["applicants:signup", "applicants:password_reset"], ids=["sign-up", "reset"]
)
def test_asking_for_a_code_while_redis_is_down_answers_a_page_in_words(settings, url_name):
    settings.CACHES = unreachable_caches(timeout=0.2)
    client = web()
    response = client.post(reverse(url_name), {"phone": "13800138000"})
    html = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert "暂时无法发送验证码" in html and "没有发送短信" in html
    assert 'value="13800138000"' in html  # the number typed stays in the form


def test_the_send_again_form_never_writes_back_a_one_time_code():
    """Review of issue 30.6: the 503 page gives back what was typed but, as it says, never a
    secret: the SMS code (``code``) no more than the password."""
    client = web("en")
    client.get(reverse("applicants:password_reset_confirm"))
    with database_down():
        response = client.post(
            reverse("applicants:password_reset_confirm"),
            {
                "phone": "+8613800138000",
                "code": "918273",
                "password1": "Secret-Pass-2026",
                "password2": "Secret-Pass-2026",
            },
        )
    html = response.content.decode()
    assert response.status_code == 503 and 'id="send-again"' in html
    assert "918273" not in html and "Secret-Pass-2026" not in html
