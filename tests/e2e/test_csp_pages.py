"""The Content-Security-Policy in a real browser (issue 14 point 7): Chromium reports no blocked
script or style on applicant pages, the police admin (Django admin's own scripts included) and
the API documentation pages, and those pages still work under the policy."""

import pytest
from django.conf import settings
from django.test import Client

from tests.e2e.helpers import DESKTOP
from tests.factories import HouseFactory, StaffFactory, StationFactory, UserFactory
from tests.permits.factories import ApplicationFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def signed_in(new_page, live_server, user):
    """A browser page whose session is ``user``'s (staff: second factor passed), made by
    Django's test client: this test is about the pages, not the login steps."""
    client = Client()
    client.force_login(user)
    page = new_page(viewport=DESKTOP, language="en")
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return page


def watch(page) -> list[str]:
    """Every CSP refusal and script error the page reports."""
    problems: list[str] = []

    def console(msg):
        # Redoc's "powered by" logo from its CDN is refused, as every other host is: that is
        # the policy working (no third-party fetch), not a broken page.
        if "Content Security Policy" in msg.text and "https://cdn.redoc.ly/" not in msg.text:
            problems.append(msg.text)

    page.on("console", console)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.on(
        "response",
        lambda response: (
            problems.append(f"{response.status} {response.url}")
            if response.status >= 400 and not response.url.endswith("/favicon.ico")
            else None
        ),
    )
    return problems


def visit(page, problems, path):
    response = page.goto(path)
    assert response.status == 200, (path, response.status)
    assert "default-src 'self'" in response.headers.get("content-security-policy", ""), path
    page.wait_for_load_state("networkidle")
    assert not problems, (path, problems)


def test_admin_pages_run_under_the_policy(new_page, live_server):
    station = StationFactory()
    application = ApplicationFactory(
        submitted=True, registration__house=HouseFactory(station=station)
    )
    supervisor = StaffFactory(supervisor=True, is_superuser=True)
    page = signed_in(new_page, live_server, supervisor)
    problems = watch(page)
    for path in (
        "/admin/",
        "/admin/permits/permitapplication/",
        f"/admin/permits/permitapplication/{application.pk}/change/",
        f"/admin/applicants/identity/{application.person_id}/change/",
        f"/admin/permits/residenceregistration/{application.registration_id}/change/",
        "/admin/permits/house/add/",
        "/admin/review/auditevent/",
        "/admin/review/auditevent/retention/",
    ):
        visit(page, problems, path)
    # Django admin's scripts run: the list filter, the select-all checkbox, a related lookup.
    page.goto("/admin/permits/permitapplication/")
    page.locator("#action-toggle").check()
    assert page.locator("input.action-select:checked").count() >= 1
    page.goto("/admin/permits/house/add/")
    assert page.locator("a.related-widget-wrapper-link, a.add-related").count() >= 1
    assert not problems, problems


def test_applicant_and_api_docs_pages_run_under_the_policy(new_page, live_server):
    page = signed_in(new_page, live_server, UserFactory())
    problems = watch(page)
    for path in ("/", "/accounts/identity/", "/accounts/me/", "/api/docs/", "/api/redoc/"):
        visit(page, problems, path)
    page.goto("/api/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15000)
    assert page.locator(".swagger-ui .opblock").count() > 5
    page.goto("/api/redoc/")
    page.wait_for_selector("redoc [role=navigation], redoc .menu-content", timeout=15000)
    assert not problems, problems
