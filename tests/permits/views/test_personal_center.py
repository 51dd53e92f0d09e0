"""The personal center shows the permit (number, valid until, status, years of continuous
residence) and the applications in progress, each with its next step; a draft resumes there."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from permits.constants import Service
from tests.permits.factories import ApplicationFactory, PermitFactory
from tests.permits.helpers import draft_ready
from tests.permits.views.helpers import login, registered_person, text, url

pytestmark = pytest.mark.django_db


def test_the_permit_is_shown_with_years_of_residence(client):
    person = registered_person(months=30)
    today = timezone.localdate()
    since = today - relativedelta(years=2, months=3)
    permit = PermitFactory(
        holder=person,
        house=person.registrations.get().house,
        issued_on=since,
        continuous_since=since,
        valid_until=today + datetime.timedelta(days=100),
    )
    login(client, person)
    html = text(client.get("/accounts/me/", HTTP_ACCEPT_LANGUAGE="en"))
    assert permit.number in html
    assert permit.valid_until.isoformat() in html
    assert "Active" in html
    assert "2 years 3 months" in html
    opens_on = permit.valid_until - relativedelta(months=1)
    assert f"You can endorse it (once a year) from {opens_on.isoformat()}" in html


def test_a_draft_resumes_from_the_personal_center(client):
    person = registered_person(months=8)
    application = draft_ready(person, Service.NEW)
    login(client, person)
    html = text(client.get("/accounts/me/"))
    resume = url("application_resume", application.pk)
    assert resume in html
    response = client.get(resume)
    assert response.status_code == 302  # everything is there: straight to the check page
    assert response.url == url("application_check", application.pk)


def test_another_accounts_applications_and_permits_are_not_shown(client):
    other = ApplicationFactory(submitted=True)
    other_permit = PermitFactory()
    login(client, registered_person(months=8))
    html = text(client.get("/accounts/me/"))
    assert other.reference not in html
    assert other_permit.number not in html


def test_personal_center_is_bounded_with_many_applications(client, django_assert_max_num_queries):
    person = registered_person(months=8)
    registration = person.registrations.get()
    for _ in range(30):
        ApplicationFactory(person=person, registration=registration, withdrawn=True)
    ApplicationFactory(person=person, registration=registration, submitted=True)
    login(client, person)
    with django_assert_max_num_queries(25):
        assert client.get("/accounts/me/").status_code == 200
