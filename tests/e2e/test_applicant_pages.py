"""Every applicant page, at phone size, in both languages: no serious or critical axe-core
violations. The journeys check the pages in the middle of the flow; this sweeps the rest."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from tests.e2e.helpers import PHONE, assert_accessible
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANGUAGES = [pytest.param("zh-hans", id="zh-hans"), pytest.param("en", id="en")]

PUBLIC_PAGES = [
    "home",
    "login",
    "applicants:signup",
    "applicants:signup_confirm",
    "applicants:password_reset",
    "applicants:password_reset_confirm",
]


@pytest.fixture
def applicant_data():
    """A verified person with a residence registration, a submitted application and an inbox
    entry (permits are shown by the journeys)."""
    from tests.permits.helpers import registered_person, submitted
    from tests.service_codes import Service

    person = registered_person(months=14)
    registration = person.registrations.get()
    application = submitted(person, Service.NEW)
    notification = Notification.objects.filter(recipient=person.account).first()
    return {
        "person": person,
        "registration": registration,
        "application": application,
        "notification": notification,
    }


def _log_in(page, phone):
    page.goto("/accounts/login/")
    page.fill("#id_username", phone)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.locator("main form[method=post] [type=submit]").click()
    assert "/accounts/login/" not in page.url


@pytest.mark.parametrize("language", LANGUAGES)
def test_public_pages_are_accessible(new_page, shot, language):
    page = new_page(viewport=PHONE, language=language)
    for name in PUBLIC_PAGES:
        page.goto(reverse(name))
        shot(page, name.replace(":", "-"))
        assert_accessible(page, f"{name} ({language})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_signed_in_applicant_pages_are_accessible(new_page, shot, language, applicant_data):
    person = applicant_data["person"]
    application = applicant_data["application"]
    pages = [
        reverse("applicants:me"),
        reverse("applicants:identity"),
        reverse("applicants:dependent_add"),
        reverse("applicants:password_change"),
        reverse("permits:registration_list"),
        reverse("permits:registration_new"),
        reverse("permits:registration_detail", args=[applicant_data["registration"].pk]),
        reverse("permits:application_list"),
        reverse("permits:application_start"),
        reverse("permits:application_detail", args=[application.pk]),
        reverse("permits:application_withdraw", args=[application.pk]),
        reverse("notifications:inbox"),
    ]
    if applicant_data["notification"] is not None:
        pages.append(reverse("notifications:detail", args=[applicant_data["notification"].pk]))
    page = new_page(viewport=PHONE, language=language)
    _log_in(page, person.account.phone)
    for path in pages:
        response = page.goto(path)
        assert response.status == 200, (path, response.status)
        shot(page, path.strip("/").replace("/", "-"))
        assert_accessible(page, f"{path} ({language})")


@pytest.mark.parametrize("language", LANGUAGES)
def test_form_errors_are_accessible(new_page, shot, language):
    """A refused form (error summary, fields marked invalid) is accessible too."""
    page = new_page(viewport=PHONE, language=language)
    page.goto(reverse("applicants:signup"))
    page.fill("#id_phone", "12345")
    with page.expect_navigation():
        page.locator("main form[method=post] [type=submit]").click()
    assert page.locator(".error-summary, .errorlist, .error-message").count() > 0
    shot(page, "signup-error")
    assert_accessible(page, f"sign-up with an error ({language})")
