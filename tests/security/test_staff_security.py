import logging
import time

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import include, path

from core.phones import mask_phone
from review.middleware import LAST_ACTIVITY_KEY
from review.validators import StaffPasswordValidator
from tests.factories import PASSWORD, IdentityFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def _refuse(request):
    raise PermissionDenied


# the project's own URLs too: its 403 page links them (issue 30)
urlpatterns = [path("refuse/", _refuse), path("", include("config.urls"))]


def _age_session(client, seconds):
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - seconds
    session.save()


# --- idle expiry ------------------------------------------------------------------------------


def test_staff_session_ends_after_30_idle_minutes(client, settings):
    assert settings.STAFF_IDLE_TIMEOUT_SECONDS == 1800
    officer = StaffFactory(officer=True)
    client.force_login(officer)
    assert client.get("/admin/").status_code == 200
    assert LAST_ACTIVITY_KEY in client.session

    _age_session(client, 1801)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert "_auth_user_id" not in client.session
    # Still logged out on the next request.
    assert client.get("/admin/").status_code == 302


def test_staff_session_survives_activity_within_the_limit(client):
    officer = StaffFactory(officer=True)
    client.force_login(officer)
    client.get("/admin/")
    _age_session(client, 1790)
    assert client.get("/admin/").status_code == 200
    # The activity above renewed the timestamp.
    assert int(time.time()) - client.session[LAST_ACTIVITY_KEY] < 5
    assert client.session.get_expiry_age() == 1800


def test_idle_timeout_follows_the_setting(client, settings):
    settings.STAFF_IDLE_TIMEOUT_SECONDS = 60
    officer = StaffFactory(officer=True)
    client.force_login(officer)
    client.get("/admin/")
    _age_session(client, 61)
    assert client.get("/admin/").status_code == 302


def test_applicant_keeps_normal_session_age(client, settings):
    applicant = UserFactory()
    client.force_login(applicant)
    client.get("/")
    assert LAST_ACTIVITY_KEY not in client.session
    _age_session(client, 3 * 3600)  # even a stale stamp does nothing for an applicant
    client.get("/")
    assert client.session.get("_auth_user_id") == str(applicant.pk)
    assert client.session.get_expiry_age() == settings.SESSION_COOKIE_AGE


def test_idle_logout_is_audited_and_the_officer_is_told(client, caplog):
    officer = StaffFactory(officer=True)
    client.force_login(officer)
    client.get("/admin/")
    _age_session(client, 1900)
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        response = client.get("/admin/", follow=True)
    assert any("event=staff_idle_logout" in r.getMessage() for r in caplog.records)
    assert "without activity" in response.content.decode() or "分钟" in response.content.decode()


# --- audit log --------------------------------------------------------------------------------


def _audit_lines(caplog):
    return [r.getMessage() for r in caplog.records if r.name == "portal.audit"]


def test_admin_login_is_logged_without_password_or_full_phone(client, caplog):
    officer = StaffFactory(officer=True)
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        response = client.post(
            "/admin/login/?next=/admin/",
            {"username": officer.phone, "password": PASSWORD},
        )
    assert response.status_code == 302
    lines = _audit_lines(caplog)
    login = [line for line in lines if "event=login " in line + " "]
    assert login, lines
    assert f"user={officer.pk}" in login[0]
    assert mask_phone(officer.phone) in login[0]
    text = "\n".join(lines)
    assert officer.phone not in text
    assert officer.phone[3:] not in text  # not even without the country code
    assert PASSWORD not in text


def test_failed_login_is_logged_with_masked_phone_only(client, caplog):
    officer = StaffFactory(officer=True)
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        response = client.post(
            "/admin/login/", {"username": officer.phone, "password": "Wrong-Secret-99!"}
        )
    assert response.status_code == 200
    lines = _audit_lines(caplog)
    failed = [line for line in lines if "event=login_failed" in line]
    assert len(failed) == 1
    assert f"login={mask_phone(officer.phone)}" in failed[0]
    text = "\n".join(lines)
    assert "Wrong-Secret-99!" not in text
    assert officer.phone not in text
    assert "*" * 20 not in text  # not even Django's starred placeholder


def test_failed_login_with_something_else_typed_as_login_shows_nothing_of_it(caplog):
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        assert authenticate(username="My-Secret-Passphrase", password="x") is None
    text = "\n".join(_audit_lines(caplog))
    assert "event=login_failed" in text
    assert "My-Secret-Passphrase" not in text
    assert "login=not-a-phone-number" in text


def test_permission_refusal_in_admin_is_logged(client, caplog):
    clerk = StaffFactory(clerk=True)
    client.force_login(clerk)
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        # Clerks may not see accounts at all.
        response = client.get("/admin/applicants/user/")
    assert response.status_code == 403
    refused = [line for line in _audit_lines(caplog) if "event=permission_refused" in line]
    assert len(refused) == 1
    assert f"user={clerk.pk}" in refused[0]
    assert "path=/admin/applicants/user/" in refused[0]
    assert clerk.phone not in refused[0]


@pytest.mark.urls("tests.security.test_staff_security")
def test_permission_denied_from_any_view_is_logged_without_query_string(client, caplog):
    identity = IdentityFactory.build()
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        response = client.get("/refuse/", {"q": identity.id_number})
    assert response.status_code == 403
    text = "\n".join(_audit_lines(caplog))
    assert "event=permission_refused" in text
    assert "user=anonymous" in text
    assert identity.id_number not in text


def test_csrf_refusal_is_logged(caplog):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        response = csrf_client.post("/admin/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert any("event=permission_refused" in line for line in _audit_lines(caplog))


def test_audit_values_never_carry_id_or_phone_numbers(caplog):
    from review.audit import log_event

    identity = IdentityFactory.build()
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        log_event("full_id_shown", note=f"{identity.id_number} +8613812345678 x=y")
    line = _audit_lines(caplog)[0]
    assert identity.id_number not in line
    assert identity.id_number[-4:] in line  # masked, last digits kept
    assert "+8613812345678" not in line
    assert " x=y" not in line  # a value cannot forge another key


# --- staff password rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    ["Short-1a!", "alllowercaseletters", "ALLUPPER-AND-SYMBOLS", "lowercase-and-symbols"],
)
def test_weak_staff_passwords_are_refused(password):
    staff = UserFactory.build(is_staff=True)
    with pytest.raises(ValidationError) as excinfo:
        validate_password(password, staff)
    codes = {e.code for e in excinfo.value.error_list}
    assert codes & {"staff_password_too_short", "staff_password_too_simple"}


@pytest.mark.parametrize(
    "password", ["Demo-Pass-2026", "Test-Pass-2026!", "correct horse Battery 9"]
)
def test_strong_staff_passwords_are_accepted(password):
    staff = UserFactory.build(is_staff=True)
    validate_password(password, staff)


def test_superuser_is_held_to_the_staff_rule():
    with pytest.raises(ValidationError):
        StaffPasswordValidator().validate("Abc-12345", UserFactory.build(is_superuser=True))


def test_applicants_are_not_held_to_the_staff_rule():
    applicant = UserFactory.build()
    StaffPasswordValidator().validate("Abc-12345", applicant)  # 9 characters: fine for them
    StaffPasswordValidator().validate("Abc-12345", None)


def test_staff_rule_is_configured_and_has_help_text(settings):
    names = [v["NAME"] for v in settings.AUTH_PASSWORD_VALIDATORS]
    assert "review.validators.StaffPasswordValidator" in names
    assert "12" in StaffPasswordValidator().get_help_text()


def test_activity_is_not_written_to_the_session_on_every_request(client):
    officer = StaffFactory(officer=True)
    client.force_login(officer)
    client.get("/admin/")
    _age_session(client, 5)
    aged = client.session[LAST_ACTIVITY_KEY]
    client.get("/admin/")
    assert client.session[LAST_ACTIVITY_KEY] == aged  # recent enough: left alone
    _age_session(client, 40)
    client.get("/admin/")
    assert int(time.time()) - client.session[LAST_ACTIVITY_KEY] < 5  # renewed


def test_admin_password_change_form_applies_the_staff_rule():
    from django.contrib.auth.forms import AdminPasswordChangeForm

    staff = StaffFactory(officer=True)
    weak = AdminPasswordChangeForm(staff, {"password1": "Abc-12345", "password2": "Abc-12345"})
    assert not weak.is_valid()
    assert "password2" in weak.errors or "password1" in weak.errors
    applicant = UserFactory()
    ok = AdminPasswordChangeForm(applicant, {"password1": "Abc-12345", "password2": "Abc-12345"})
    assert ok.is_valid(), ok.errors


def test_demo_staff_password_satisfies_the_staff_rule():
    from core.demo import DEMO_PASSWORD

    validate_password(DEMO_PASSWORD, UserFactory.build(is_staff=True))
