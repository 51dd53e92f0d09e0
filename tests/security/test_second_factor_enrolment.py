"""Issue 30.2: a second factor is enrolled only with a one-time link given out of band (by a
supervisor in the admin, or by ``manage.py second_factor_link``): short-lived, single-use,
audited; the password alone reaches nothing, not even the enrolment page. A supervisor resets a
lost phone the same way; staff make new backup codes with their second factor."""

import base64
import datetime
import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from review.models import AuditEvent, SecondFactorEnrolment
from tests.api_support import assert_error, client_for
from tests.factories import PASSWORD, StaffFactory, UserFactory
from tests.otp_support import current_code, login_without_second_factor, staff_device

pytestmark = pytest.mark.django_db

STEP = "/admin/second-factor/"
USERS = "/admin/applicants/user/"


@pytest.fixture(autouse=True)
def _no_delays(settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def _client():
    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _password_login(client, user, next_url="/admin/"):
    return client.post(
        f"/admin/login/?next={next_url}",
        {"username": user.phone, "password": PASSWORD, "next": next_url},
    )


def _code_from_secret(html: str) -> str:
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html).group(1).replace(" ", "")
    return f"{totp(base64.b32decode(secret + '=' * (-len(secret) % 8))):06d}"


def _issue_in_admin(supervisor_client, *users) -> list[str]:
    page = supervisor_client.post(
        USERS, {"action": "reset_second_factor", "_selected_action": [u.pk for u in users]}
    )
    assert page.status_code == 200, page.status_code
    links = re.findall(r'<code class="enrolment-link">([^<]+)</code>', page.content.decode())
    assert len(links) == len(users)
    return [re.sub(r"^https?://[^/]+", "", link) for link in links]


def _supervisor_client():
    client = _client()
    client.force_login(StaffFactory(supervisor=True))  # verified by a device
    return client


def test_the_password_alone_reaches_nothing_not_even_the_enrolment_page():
    officer = StaffFactory(officer=True)
    client = _client()
    assert _password_login(client, officer).status_code == 302
    assert client.get("/admin/")["Location"].startswith(STEP)
    page = client.get(STEP)
    html = page.content.decode()
    # Before: the page showed a new authenticator's secret and QR code to the password alone.
    assert 'id="totp-secret"' not in html and "second-factor-qr" not in html
    assert "Ask a supervisor for an enrolment link" in html
    client.post(STEP, {"code": "123456", "next": "/admin/"})
    assert not TOTPDevice.objects.filter(user=officer).exists()
    refused = client.get(f"{STEP}enrol/made-up-token/")
    assert refused.status_code == 400
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert AuditEvent.objects.filter(event="second_factor_link_refused").count() == 1
    assert client.get("/admin/")["Location"].startswith(STEP)
    assert client.get("/admin/applicants/identity/")["Location"].startswith(STEP)
    assert client.get("/api/v1/staff/applications/").status_code == 403


def test_a_supervisors_link_enrols_once_and_every_step_is_audited():
    officer = StaffFactory(officer=True)
    (link,) = _issue_in_admin(_supervisor_client(), officer)
    issued = AuditEvent.objects.get(event="second_factor_link_issued")
    assert issued.record_id == str(officer.pk) and issued.user_id is not None

    client = _client()
    # Anonymous: the link leads to the login first; it is not spent by being looked at.
    assert "login/" in client.get(link)["Location"]
    assert SecondFactorEnrolment.objects.get().opened_at is None
    response = _password_login(client, officer, next_url=link)
    assert response["Location"] == link
    opened = client.get(link)
    assert opened.status_code == 302 and opened["Location"] == STEP  # the token leaves the URL
    html = client.get(STEP).content.decode()
    assert 'id="totp-secret"' in html and "second-factor-qr" in html
    done = client.post(STEP, {"code": _code_from_secret(html), "next": "/admin/"})
    assert done.status_code == 200
    assert len(re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())) == 10
    assert TOTPDevice.objects.get(user=officer).confirmed
    assert client.get("/admin/").status_code == 200
    events = set(AuditEvent.objects.values_list("event", flat=True))
    assert {
        "second_factor_link_issued",
        "second_factor_link_opened",
        "second_factor_enrolled",
    } <= events
    assert SecondFactorEnrolment.objects.get().completed_at is not None

    # Single-use: the same link again (another browser, the password known) gets nothing.
    other = _client()
    _password_login(other, officer, next_url=link)
    assert other.get(link).status_code == 400
    assert TOTPDevice.objects.filter(user=officer).count() == 1


def test_a_link_works_once_even_before_the_enrolment_is_finished():
    officer = StaffFactory(officer=True)
    (link,) = _issue_in_admin(_supervisor_client(), officer)
    first, second = _client(), _client()
    _password_login(first, officer)
    _password_login(second, officer)
    assert first.get(link).status_code == 302
    assert second.get(link).status_code == 400
    assert 'id="totp-secret"' not in second.get(STEP).content.decode()
    assert 'id="totp-secret"' in first.get(STEP).content.decode()


def test_an_expired_or_unfinished_link_does_not_enrol():
    officer = StaffFactory(officer=True)
    (link,) = _issue_in_admin(_supervisor_client(), officer)
    SecondFactorEnrolment.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    client = _client()
    _password_login(client, officer)
    assert client.get(link).status_code == 400

    (link,) = _issue_in_admin(_supervisor_client(), officer)
    client.get(link)
    html = client.get(STEP).content.decode()
    code = _code_from_secret(html)
    # opened, then left: after the link's lifetime the enrolment can no longer be finished
    SecondFactorEnrolment.objects.update(opened_at=timezone.now() - datetime.timedelta(hours=2))
    response = client.post(STEP, {"code": code, "next": "/admin/"})
    assert "Ask a supervisor" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=officer, confirmed=True).exists()


def test_a_link_is_for_its_own_account_only():
    officer, colleague = StaffFactory(officer=True), StaffFactory(officer=True)
    (link,) = _issue_in_admin(_supervisor_client(), officer)
    client = _client()
    _password_login(client, colleague)
    assert client.get(link).status_code == 400
    assert 'id="totp-secret"' not in client.get(STEP).content.decode()
    # A link shown to another account has leaked: it no longer works for its owner either.
    owner = _client()
    _password_login(owner, officer)
    assert owner.get(link).status_code == 400
    assert not TOTPDevice.objects.filter(user=officer).exists()


def test_a_lost_phone_is_reset_with_a_new_link():
    officer = StaffFactory(officer=True)
    officer_client = _client()
    officer_client.force_login(officer)  # verified by a device
    officer_api = client_for(officer)
    StaticDevice.objects.create(user=officer, name="backup codes")
    assert officer_client.get("/admin/").status_code == 200

    (link,) = _issue_in_admin(_supervisor_client(), officer)
    assert not TOTPDevice.objects.filter(user=officer).exists()
    assert not StaticDevice.objects.filter(user=officer).exists()
    # The old device's session and token stop working; the session gets no new secret alone.
    assert officer_client.get("/admin/")["Location"].startswith(STEP)
    assert 'id="totp-secret"' not in officer_client.get(STEP).content.decode()
    assert_error(officer_api.get("/api/v1/staff/applications/"), 403, "second_factor_required")
    # With the link, a new phone is set up.
    assert officer_client.get(link).status_code == 302
    html = officer_client.get(STEP).content.decode()
    officer_client.post(STEP, {"code": _code_from_secret(html), "next": "/admin/"})
    assert officer_client.get("/admin/").status_code == 200


def test_a_supervisor_never_issues_a_link_for_their_own_account_and_an_officer_none():
    supervisor = StaffFactory(supervisor=True)
    staff_device(supervisor)
    client = _client()
    client.force_login(supervisor)
    client.post(USERS, {"action": "reset_second_factor", "_selected_action": [supervisor.pk]})
    assert TOTPDevice.objects.filter(user=supervisor).exists()
    officer, colleague = StaffFactory(officer=True), StaffFactory(officer=True)
    staff_device(colleague)
    client.force_login(officer)
    client.post(USERS, {"action": "reset_second_factor", "_selected_action": [colleague.pk]})
    assert TOTPDevice.objects.filter(user=colleague).exists()
    assert not SecondFactorEnrolment.objects.exists()


def test_the_command_issues_a_link_for_the_first_account():
    admin = StaffFactory(supervisor=True, is_superuser=True)
    out = io.StringIO()
    call_command("second_factor_link", admin.phone, stdout=out)
    link = re.search(r"https?://\S+(/admin/second-factor/enrol/\S+/)", out.getvalue()).group(1)
    issued = AuditEvent.objects.get(event="second_factor_link_issued")
    assert issued.details["by"] == "command" and issued.record_id == str(admin.pk)
    client = _client()
    _password_login(client, admin, next_url=link)
    assert client.get(link)["Location"] == STEP
    assert 'id="totp-secret"' in client.get(STEP).content.decode()


def test_staff_make_new_backup_codes_with_their_second_factor():
    clerk = StaffFactory(clerk=True)
    device = staff_device(clerk)
    old = StaticDevice.objects.create(user=clerk, name="backup codes", confirmed=True)
    old.token_set.create(token="oldcode1")
    url = "/admin/backup-codes/"

    unverified = _client()
    login_without_second_factor(unverified, clerk)
    assert unverified.get(url)["Location"].startswith(STEP)

    client = _client()
    client.force_login(clerk)
    assert "New backup codes for your second factor" in client.get("/admin/").content.decode()
    assert client.get(url).status_code == 200
    wrong = client.post(url, {"code": "000000"})
    assert wrong.status_code == 200 and "not correct" in wrong.content.decode()
    assert StaticDevice.objects.get(user=clerk).token_set.filter(token="oldcode1").exists()
    done = client.post(url, {"code": current_code(device)})
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    assert not StaticDevice.objects.filter(token_set__token="oldcode1").exists()
    assert AuditEvent.objects.filter(event="backup_codes_regenerated").count() == 1

    applicant = _client()
    applicant.force_login(UserFactory())
    assert applicant.get(url).status_code == 404
