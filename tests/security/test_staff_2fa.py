"""Issue 14.1: every staff account signs in with a second factor (django-otp: TOTP + single-use
backup codes), through the real admin login, the second-factor step and the API token."""

import base64
import logging
import re

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.api.auth import issue_token
from review.services import second_factor as enrolments
from tests.api_support import assert_error, client_for
from tests.factories import PASSWORD, IdentityFactory, StaffFactory, UserFactory
from tests.otp_support import current_code, login_without_second_factor, staff_device

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


STEP = "/admin/second-factor/"
TOKEN_URL = "/api/v1/auth/token/"
STAFF_LIST = "/api/v1/staff/applications/"


def _password_login(client, user, url="/admin/login/?next=/admin/"):
    return client.post(url, {"username": user.phone, "password": PASSWORD, "next": "/admin/"})


def _code_from_secret(html: str) -> str:
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    return f"{totp(base64.b32decode(secret + '=' * (-len(secret) % 8))):06d}"


def test_enrolment_shows_qr_code_secret_and_backup_codes_once(client, caplog, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # retry at once after the wrong code below
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    officer = StaffFactory(officer=True)
    response = _password_login(client, officer)
    assert response.status_code == 302
    # The password alone does not reach the desk: every admin page leads to the step.
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith(STEP)
    # Enrolment needs the one-time link a supervisor hands over (issue 30).
    link = enrolments.issue_link(officer, by=StaffFactory(supervisor=True))
    assert client.get(link.path)["Location"] == STEP

    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "qrline" in html  # the QR code (core.qr) of the otpauth:// URL
    assert 'id="totp-secret"' in html
    assert not TOTPDevice.objects.filter(user=officer, confirmed=True).exists()

    wrong = client.post(STEP, {"code": "000000", "next": "/admin/"})
    assert wrong.status_code == 200 and "not correct" in wrong.content.decode()
    assert client.get("/admin/").status_code == 302

    with caplog.at_level(logging.INFO, logger="portal.audit"):
        done = client.post(STEP, {"code": _code_from_secret(html), "next": "/admin/"})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10, done.content.decode()[-3000:]
    assert len(codes) == 10
    assert "event=second_factor_enrolled" in caplog.text
    assert TOTPDevice.objects.get(user=officer).confirmed
    assert client.get("/admin/").status_code == 200

    # The codes are shown once: the step page never shows them again.
    assert codes[0] not in client.get(STEP, follow=True).content.decode()

    # A backup code replaces the app's code once.
    client.logout()
    _password_login(client, officer)
    assert client.post(STEP, {"code": codes[0], "next": "/admin/"}).status_code == 302
    assert client.get("/admin/").status_code == 200
    client.logout()
    _password_login(client, officer)
    refused = client.post(STEP, {"code": codes[0], "next": "/admin/"})
    assert refused.status_code == 200 and "not correct" in refused.content.decode()
    assert client.get("/admin/").status_code == 302


def test_later_logins_ask_for_the_authenticator_code(client, caplog, settings):
    clerk = StaffFactory(clerk=True)
    device = staff_device(clerk)
    _password_login(client, clerk)
    page = client.get(STEP)
    assert page.status_code == 200 and 'id="totp-secret"' not in page.content.decode()
    settings.OTP_TOTP_THROTTLE_FACTOR = 10  # a failure makes the next try wait 10 seconds
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        assert client.post(STEP, {"code": "123456", "next": "/admin/"}).status_code == 200
    assert "event=second_factor_failed" in caplog.text
    # django-otp slows guessing down: right after a failure even the right code waits.
    assert client.post(STEP, {"code": current_code(device), "next": "/admin/"}).status_code == 200
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    response = client.post(STEP, {"code": current_code(device), "next": "/admin/"})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


@pytest.mark.parametrize("role", ["officer", "clerk", "supervisor"])
def test_staff_session_without_second_factor_gets_the_step_on_every_staff_page(client, role):
    staff = StaffFactory(**{role: True})
    identity = IdentityFactory(pending=True)
    login_without_second_factor(client, staff)
    for url in [
        "/admin/",
        "/admin/permits/permitapplication/",
        "/admin/applicants/identity/",
        f"/admin/applicants/identity/{identity.pk}/change/",
        "/admin/applicants/user/",
        reverse("applicants:identity_file", args=[identity.pk, "front"]),
        "/accounts/me/",
    ]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(STEP), url
    assert client.get(STEP).status_code == 200


def test_staff_logging_in_on_the_applicant_page_also_gets_the_step(client):
    officer = StaffFactory(officer=True)
    response = client.post("/accounts/login/", {"username": officer.phone, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"].startswith(STEP)


def test_applicants_need_no_second_factor(client):
    applicant = UserFactory()
    assert (
        client.post(
            "/accounts/login/", {"username": applicant.phone, "password": PASSWORD}
        ).status_code
        == 302
    )
    assert client.get("/accounts/me/").status_code == 200
    assert client.get(STEP).status_code == 404


# --- the staff API --------------------------------------------------------------------------


def test_staff_token_without_second_factor_is_refused_on_staff_endpoints(api, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    clerk = StaffFactory(clerk=True)
    device = staff_device(clerk)
    body = api.post(TOKEN_URL, {"phone": clerk.phone, "password": PASSWORD}, format="json")
    assert body.status_code == 201 and body.json()["second_factor"] is False
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {body.json()['token']}")
    assert_error(api.get(STAFF_LIST), 403, "second_factor_required")
    assert api.get("/api/v1/me/").status_code == 200  # the account itself is readable

    api.credentials()
    wrong = api.post(
        TOKEN_URL,
        {"phone": clerk.phone, "password": PASSWORD, "otp_token": "000000"},
        format="json",
    )
    assert "otp_token" in assert_error(wrong, 400)["fields"]

    good = api.post(
        TOKEN_URL,
        {"phone": clerk.phone, "password": PASSWORD, "otp_token": current_code(device)},
        format="json",
    )
    assert good.status_code == 201 and good.json()["second_factor"] is True
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {good.json()['token']}")
    assert api.get(STAFF_LIST).status_code == 200


def test_a_session_without_second_factor_is_refused_by_the_staff_api_too(client):
    clerk = StaffFactory(clerk=True)
    login_without_second_factor(client, clerk)
    response = client.get(STAFF_LIST)
    assert response.status_code == 403
    assert response.json()["code"] == "second_factor_required"


def test_a_token_naming_another_accounts_device_counts_for_nothing():
    clerk = StaffFactory(clerk=True)
    other = staff_device(StaffFactory(clerk=True))
    api = client_for(clerk, second_factor=False)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(clerk, second_factor=other).key}")
    assert_error(api.get(STAFF_LIST), 403, "second_factor_required")


# --- a supervisor resets a colleague's device ---------------------------------------------


def test_supervisor_resets_a_colleagues_second_factor_and_it_is_logged(client, caplog):
    officer = StaffFactory(officer=True)
    officer_client = client.__class__(HTTP_ACCEPT_LANGUAGE="en")
    officer_client.force_login(officer)  # verified by a device
    assert officer_client.get("/admin/").status_code == 200
    officer_api = client_for(officer)
    StaticDevice.objects.create(user=officer, name="backup codes")

    supervisor = StaffFactory(supervisor=True)
    client.force_login(supervisor)
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        response = client.post(
            "/admin/applicants/user/",
            {"action": "reset_second_factor", "_selected_action": [officer.pk, supervisor.pk]},
        )
    assert response.status_code == 200  # the page with the one-time enrolment link
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()
    assert TOTPDevice.objects.filter(user=supervisor).exists()  # never one's own
    assert "event=second_factor_link_issued" in caplog.text
    assert f"record=applicants.user:{officer.pk}" in caplog.text

    # The officer's verified session and token end with the device; a new one needs the link.
    assert officer_client.get("/admin/")["Location"].startswith(STEP)
    assert_error(officer_api.get(STAFF_LIST), 403, "second_factor_required")
    assert 'id="totp-secret"' not in officer_client.get(STEP).content.decode()
    link = re.search(r'class="enrolment-link">https?://[^/]+([^<]+)<', response.content.decode())
    officer_client.get(link.group(1))
    assert 'id="totp-secret"' in officer_client.get(STEP).content.decode()


def test_an_officer_cannot_reset_anyones_second_factor(client):
    officer = StaffFactory(officer=True)
    colleague = StaffFactory(officer=True)
    staff_device(colleague)
    client.force_login(officer)
    client.post(
        "/admin/applicants/user/",
        {"action": "reset_second_factor", "_selected_action": [colleague.pk]},
    )
    assert TOTPDevice.objects.filter(user=colleague).exists()


def test_device_secrets_are_not_shown_in_the_admin(client):
    supervisor = StaffFactory(supervisor=True, is_superuser=True)
    client.force_login(supervisor)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404
