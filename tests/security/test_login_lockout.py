"""Issue 14.2: login failure handling (django-axes) on the applicant login, the admin login and
the API token endpoint: one account locked for one address after AXES_FAILURE_LIMIT failures,
a message saying when to retry, the owner elsewhere not locked, unlock by a supervisor."""

import logging

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.utils import translation
from rest_framework.test import APIClient

from tests.api_support import assert_error
from tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

ATTACKER = "198.51.100.66"
OWNER = "203.0.113.10"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _limit(settings):
    assert settings.AXES_FAILURE_LIMIT == 5  # the documented default
    settings.AXES_FAILURE_LIMIT = 3


def _web(ip):
    return Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=ip)


def _web_login(client, url, phone, password):
    return client.post(url, {"username": phone, "password": password})


@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/?next=/admin/"])
def test_web_logins_lock_the_account_for_that_address_only(url):
    user = StaffFactory(officer=True) if "admin" in url else UserFactory()
    attacker = _web(ATTACKER)
    for _ in range(2):
        response = _web_login(attacker, url, user.phone, "wrong-password")
        assert response.status_code == 200  # the form again, with its error
    locked = _web_login(attacker, url, user.phone, "wrong-password")
    assert locked.status_code == 429
    text = locked.content.decode()
    assert "Too many failed log-ins" in text and "Try again after" in text
    assert int(locked["Retry-After"]) > 14 * 60
    # Locked means locked: even the right password is refused from that address...
    assert _web_login(attacker, url, user.phone, PASSWORD).status_code == 429
    # ...typed in another way too (the lock is on the account, not on the text typed)...
    assert _web_login(attacker, url, user.phone.replace("+86", ""), PASSWORD).status_code == 429
    # ...while the owner at another address logs in.
    assert _web_login(_web(OWNER), url, user.phone, PASSWORD).status_code == 302
    # Another account from the attacker's address is not locked either.
    other = UserFactory()
    assert _web_login(attacker, "/accounts/login/", other.phone, PASSWORD).status_code == 302


def test_the_lockout_message_is_translated():
    user = UserFactory()
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans", REMOTE_ADDR=ATTACKER)
    for _ in range(3):
        response = _web_login(client, "/accounts/login/", user.phone, "wrong")
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_api_token_endpoint_locks_per_account_and_address():
    user = UserFactory()
    attacker = APIClient(REMOTE_ADDR=ATTACKER, HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(2):
        assert_error(
            attacker.post(TOKEN_URL, {"phone": user.phone, "password": "x"}, format="json"), 400
        )
    body = assert_error(
        attacker.post(TOKEN_URL, {"phone": user.phone, "password": "x"}, format="json"),
        429,
        "locked_out",
    )
    assert "Try again after" in body["message"]
    again = attacker.post(TOKEN_URL, {"phone": user.phone, "password": PASSWORD}, format="json")
    assert_error(again, 429, "locked_out")
    assert int(again["Retry-After"]) > 0
    owner = APIClient(REMOTE_ADDR=OWNER)
    assert (
        owner.post(
            TOKEN_URL, {"phone": user.phone, "password": PASSWORD}, format="json"
        ).status_code
        == 201
    )


def test_api_per_phone_throttle_counts_per_phone_and_address(settings):
    """Someone guessing from one address uses up that address's allowance for the number; the
    owner elsewhere is not throttled."""
    settings.AXES_FAILURE_LIMIT = 100
    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], login_user="2/hour")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    user = UserFactory()
    attacker = APIClient(REMOTE_ADDR=ATTACKER)
    for _ in range(2):
        attacker.post(TOKEN_URL, {"phone": user.phone, "password": "x"}, format="json")
    assert_error(
        attacker.post(TOKEN_URL, {"phone": user.phone, "password": "x"}, format="json"),
        429,
    )
    owner = APIClient(REMOTE_ADDR=OWNER)
    assert (
        owner.post(
            TOKEN_URL, {"phone": user.phone, "password": PASSWORD}, format="json"
        ).status_code
        == 201
    )


def test_a_supervisor_unlocks_in_the_admin_and_it_is_logged(caplog):
    user = UserFactory()
    attacker = _web(ATTACKER)
    for _ in range(3):
        _web_login(attacker, "/accounts/login/", user.phone, "wrong")
    assert _web_login(attacker, "/accounts/login/", user.phone, PASSWORD).status_code == 429
    attempt = AccessAttempt.objects.get()
    assert attempt.username == user.phone and attempt.ip_address == ATTACKER

    officer = StaffFactory(officer=True)
    officer_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    officer_client.force_login(officer)
    assert officer_client.get("/admin/axes/accessattempt/").status_code == 403
    officer_client.post(
        "/admin/axes/accessattempt/", {"action": "unlock", "_selected_action": [attempt.pk]}
    )
    assert AccessAttempt.objects.exists()

    supervisor = StaffFactory(supervisor=True)
    admin = Client(HTTP_ACCEPT_LANGUAGE="en")
    admin.force_login(supervisor)
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "Locked Out" in listing.content.decode()
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        response = admin.post(
            "/admin/axes/accessattempt/", {"action": "unlock", "_selected_action": [attempt.pk]}
        )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()
    assert "event=login_unlocked" in caplog.text
    assert _web_login(attacker, "/accounts/login/", user.phone, PASSWORD).status_code == 302


def test_a_wrong_second_factor_code_on_the_api_counts_as_a_failed_login(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    from tests.otp_support import staff_device

    clerk = StaffFactory(clerk=True)
    staff_device(clerk)
    api = APIClient(REMOTE_ADDR=ATTACKER)
    data = {"phone": clerk.phone, "password": PASSWORD, "otp_token": "000000"}
    for _ in range(2):
        assert_error(api.post(TOKEN_URL, data, format="json"), 400)
    assert_error(api.post(TOKEN_URL, data, format="json"), 429, "locked_out")


def test_default_settings_lock_after_five_for_fifteen_minutes(settings):
    with translation.override("en"):
        assert settings.AXES_COOLOFF_MINUTES == 15
        assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]
