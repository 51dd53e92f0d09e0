"""An officer logs into the police admin in a real browser."""

import pytest

from tests.e2e.helpers import DESKTOP, admin_login
from tests.factories import StaffFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_officer_logs_into_admin_and_out(new_page, shot):
    officer = StaffFactory(officer=True, display_name="王警官")
    page = new_page(viewport=DESKTOP, language="zh-hans")
    page.goto("/admin/")
    assert "/admin/login/" in page.url
    shot(page, "login-form")

    admin_login(page, officer)
    assert "王警官" in page.locator("#user-tools").inner_text()
    shot(page, "admin-index")

    page.locator("#logout-form button").click()
    page.wait_for_load_state()
    page.goto("/admin/")
    assert "/admin/login/" in page.url


def test_wrong_password_is_refused_without_saying_which_part_was_wrong(new_page, shot):
    officer = StaffFactory(officer=True)
    page = new_page(viewport=DESKTOP, language="en")
    page.goto("/admin/login/")
    page.fill("#id_username", officer.phone)
    page.fill("#id_password", "Not-The-Password-1")
    page.click("input[type=submit]")
    assert "/admin/login/" in page.url
    assert page.locator(".errornote").is_visible()
    shot(page, "refused")


def test_applicant_account_cannot_enter_admin(new_page):
    from tests.factories import PASSWORD, UserFactory

    applicant = UserFactory()
    page = new_page(viewport=DESKTOP, language="en")
    page.goto("/admin/login/")
    page.fill("#id_username", applicant.phone)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    assert "/admin/login/" in page.url
    assert page.locator(".errornote").is_visible()


def test_idle_officer_is_sent_back_to_the_login_page(new_page, shot, settings):
    import time
    from importlib import import_module

    from review.middleware import LAST_ACTIVITY_KEY

    officer = StaffFactory(officer=True)
    page = new_page(viewport=DESKTOP, language="en")
    admin_login(page, officer)
    session_key = next(
        c["value"] for c in page.context.cookies() if c["name"] == settings.SESSION_COOKIE_NAME
    )
    # 31 minutes without a request: rewind the stored activity stamp.
    session = import_module(settings.SESSION_ENGINE).SessionStore(session_key=session_key)
    session[LAST_ACTIVITY_KEY] = int(time.time()) - 31 * 60
    session.save()

    page.goto("/admin/permits/permitapplication/")
    assert "/admin/login/" in page.url
    assert "without activity" in page.locator(".messagelist").inner_text()
    shot(page, "logged-out-after-idle")


def test_first_login_sets_up_the_second_factor_with_the_qr_page(new_page, shot):
    """Issue 14: an officer's first login, with the one-time enrolment link a supervisor gave
    (issue 30), enrols an authenticator (QR code and secret), confirms it with a code, sees the
    backup codes once, then reaches the desk."""
    import base64

    from django_otp.oath import totp

    from review.services import second_factor as enrolments
    from tests.e2e.helpers import assert_accessible
    from tests.factories import PASSWORD

    officer = StaffFactory(officer=True)
    link = enrolments.issue_link(officer, by=StaffFactory(supervisor=True))
    page = new_page(viewport=DESKTOP, language="zh-hans")
    page.goto(f"/admin/login/?next={link.path}")
    page.fill("#id_username", officer.phone)
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/second-factor/**")
    assert page.locator(".second-factor-qr svg").count() == 1
    assert_accessible(page, "second-factor setup")
    shot(page, "second-factor-setup")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    code = totp(base64.b32decode(secret + "=" * (-len(secret) % 8)))
    page.fill("#id_code", f"{code:06d}")
    page.click("button.default[type=submit]")
    assert page.locator("#backup-codes li").count() == 10
    assert_accessible(page, "backup codes")
    shot(page, "backup-codes")
    page.locator("a.button.default").click()
    page.wait_for_url("**/admin/")
    assert page.locator("#user-tools").is_visible()
