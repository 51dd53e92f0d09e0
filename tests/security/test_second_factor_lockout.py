"""Issue 30.3: wrong second-factor codes on the web step are counted by the logins' lockout, as
over the API (locked at the AXES_FAILURE_LIMIT-th, 5th), a password login in between does not
wipe the count, and a backup code used is a success (not also a failure of the authenticator)."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from rest_framework.test import APIClient

from review.models import AuditEvent
from tests.factories import PASSWORD, StaffFactory
from tests.otp_support import current_code, staff_device

pytestmark = pytest.mark.django_db

STEP = "/admin/second-factor/"
ADDRESS = "198.51.100.88"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _settings(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's delay aside: the lockout is counted


def _password_login(client, user):
    response = client.post(
        "/admin/login/?next=/admin/", {"username": user.phone, "password": PASSWORD}
    )
    return response.status_code


def _code(client, code):
    return client.post(STEP, {"code": code, "next": "/admin/"})


def test_wrong_codes_on_the_web_step_lock_at_the_fifth():
    officer = StaffFactory(officer=True)
    device = staff_device(officer)
    client = Client(HTTP_ACCEPT_LANGUAGE="en", REMOTE_ADDR=ADDRESS)
    assert _password_login(client, officer) == 302
    answers = [_code(client, f"{i:06d}") for i in range(20)]
    # Before: 20 x 200 (the form again), then the right code let in.
    assert [r.status_code for r in answers[:5]] == [200, 200, 200, 200, 429]
    locked = answers[4]
    assert "Too many failed log-ins" in locked.content.decode()
    assert int(locked["Retry-After"]) > 14 * 60
    # The half-done sign-in ended there: the rest (the right code too) meet the login page...
    assert {r.status_code for r in answers[5:]} == {302}
    assert "login/" in answers[5]["Location"]
    assert "login/" in _code(client, current_code(device))["Location"]
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    # ...whose password login is locked for this address.
    assert _password_login(client, officer) == 429
    assert AuditEvent.objects.filter(event="second_factor_failed").count() == 5
    # From another address the officer signs in.
    elsewhere = Client(REMOTE_ADDR="203.0.113.30")
    assert _password_login(elsewhere, officer) == 302
    assert _code(elsewhere, current_code(device)).status_code == 302
    assert elsewhere.get("/admin/").status_code == 200


def test_a_password_login_in_between_does_not_wipe_the_count():
    officer = StaffFactory(officer=True)
    staff_device(officer)
    client = Client(REMOTE_ADDR=ADDRESS)
    statuses = []
    for _round in range(3):
        client.logout()
        assert _password_login(client, officer) == 302  # the right password, again
        statuses += [_code(client, "000000").status_code for _ in range(2)]
    assert statuses == [200, 200, 200, 200, 429, 302]  # 302: signed out by the lock
    assert _password_login(client, officer) == 429


def test_a_right_code_forgets_the_failures():
    officer = StaffFactory(officer=True)
    device = staff_device(officer)
    client = Client(REMOTE_ADDR=ADDRESS)
    _password_login(client, officer)
    for _ in range(4):
        _code(client, "000000")
    assert _code(client, current_code(device)).status_code == 302
    assert not AccessAttempt.objects.exists()


def _backup_code(user) -> str:
    device = StaticDevice.objects.create(user=user, name="backup codes", confirmed=True)
    token = StaticToken.random_token()
    device.token_set.create(token=token)
    return token


def test_a_backup_code_login_is_a_success_not_a_failure_of_the_authenticator(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1  # django-otp's default delay after a failure
    officer = StaffFactory(officer=True)
    device = staff_device(officer)
    backup = _backup_code(officer)
    client = Client(REMOTE_ADDR=ADDRESS)
    _password_login(client, officer)
    assert _code(client, backup).status_code == 302
    device.refresh_from_db()
    # Before: the authenticator recorded a failure (and delayed its next code).
    assert device.throttling_failure_count == 0
    passed = AuditEvent.objects.get(event="second_factor_passed")
    assert passed.details["device"].startswith("otp_static")
    assert not AuditEvent.objects.filter(event="second_factor_failed").exists()
    # The authenticator's code works at once on the next login.
    client.logout()
    _password_login(client, officer)
    assert _code(client, current_code(device)).status_code == 302


def test_a_backup_code_over_the_api_is_no_failure_of_the_authenticator(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1
    clerk = StaffFactory(clerk=True)
    device = staff_device(clerk)
    backup = _backup_code(clerk)
    api = APIClient(REMOTE_ADDR=ADDRESS)
    body = {"phone": clerk.phone, "password": PASSWORD, "otp_token": backup}
    response = api.post(TOKEN_URL, body, format="json")
    assert response.status_code == 201 and response.json()["second_factor"] is True
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_wrong_codes_over_the_api_still_lock_at_the_fifth():
    clerk = StaffFactory(clerk=True)
    staff_device(clerk)
    api = APIClient(REMOTE_ADDR=ADDRESS)
    body = {"phone": clerk.phone, "password": PASSWORD, "otp_token": "000000"}
    statuses = [api.post(TOKEN_URL, body, format="json").status_code for _ in range(6)]
    assert statuses == [400, 400, 400, 400, 429, 429]
