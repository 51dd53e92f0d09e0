"""The personal center shows the permit (number, valid until, status, years of continuous
residence) and the applications in progress, each with its next step; a draft resumes there."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from permits import rules
from tests.factories import IdentityFactory, RegistrationFactory
from tests.permits.factories import ApplicationFactory, PermitFactory
from tests.permits.helpers import draft_ready
from tests.permits.views.helpers import login, registered_person, text, url
from tests.service_codes import Service

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


def test_the_next_step_of_each_registration_counts_residence_across_moves(client):
    """The facts of every listed registration are read together (issue 18): a move within the
    city continues the count, a dependent registered two months ago waits."""
    today = timezone.localdate()
    person = registered_person(months=2)
    RegistrationFactory(
        person=person,
        cancelled=True,
        since=today - relativedelta(months=10),
        cancelled_on=today - relativedelta(months=2, days=10),
    )
    dependent = IdentityFactory(account=person.account, verified=True, dependent_minor=True)
    since = today - relativedelta(months=2)
    RegistrationFactory(person=dependent, registered=True, since=since)
    login(client, person)
    html = text(client.get("/accounts/me/", HTTP_ACCEPT_LANGUAGE="en"))
    assert html.count("you may apply for a residence permit.") == 1
    eligible_from = rules.residence_eligible_from(since).isoformat()
    assert f"You may apply for a residence permit from {eligible_from}" in html


# --- query counts (issue 18): the same for 1 or 100 of each row ----------------------------

# session, user, identities (own and dependents), registrations, permits (held and cancelled:
# the certificate section and the permit holders among the registered read them too),
# certificates, applications, unread count, devices; one more (the residence periods of all
# listed people) when someone registered holds no permit: not in this household
CENTER_QUERIES = 9
OPEN_STATES = ("submitted", "supplement_requested", "accepted", "approved", "produced")


def _household(rows: int):
    """A permit holder with ``rows`` finished applications and ``rows`` dependents, each
    registered, holding a permit, with a cancelled permit and an application in progress."""
    person = registered_person(months=30)
    registration = person.registrations.get()
    PermitFactory(holder=person, house=registration.house)
    for _ in range(rows):
        ApplicationFactory(person=person, registration=registration, withdrawn=True)
    for n in range(rows):
        dependent = IdentityFactory(account=person.account, verified=True, dependent_minor=True)
        home = RegistrationFactory(person=dependent, registered=True, house=registration.house)
        PermitFactory(holder=dependent, house=registration.house)
        PermitFactory(holder=dependent, house=registration.house, cancelled=True)
        ApplicationFactory(
            person=dependent, registration=home, **{OPEN_STATES[n % len(OPEN_STATES)]: True}
        )
    return person


def _center_queries(client, person) -> int:
    login(client, person)
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/accounts/me/")
    assert response.status_code == 200
    client.logout()
    return len(queries)


@pytest.mark.parametrize("rows", [1, 100])
def test_personal_center_is_bounded(client, django_assert_max_num_queries, rows):
    person = _household(rows)
    login(client, person)
    with django_assert_max_num_queries(CENTER_QUERIES):
        response = client.get("/accounts/me/")
    assert response.status_code == 200
    html = text(response)
    assert html.count('class="verify-qr"') == rows + 1  # every held permit is on the page


def test_personal_center_costs_the_same_for_1_or_100_rows(client):
    few, many = _household(1), _household(100)
    assert _center_queries(client, many) == _center_queries(client, few)


def _household_without_permits(rows: int):
    """Someone registered with ``rows`` registered dependents, nobody holding a permit: every
    next step needs the residence facts."""
    person = registered_person(months=8)
    house = person.registrations.get().house
    for _ in range(rows):
        dependent = IdentityFactory(account=person.account, verified=True, dependent_minor=True)
        RegistrationFactory(person=dependent, registered=True, house=house)
    return person


@pytest.mark.parametrize("rows", [1, 100])
def test_personal_center_without_permits_is_bounded(client, django_assert_max_num_queries, rows):
    person = _household_without_permits(rows)
    login(client, person)
    with django_assert_max_num_queries(CENTER_QUERIES + 1):  # the residence periods
        response = client.get("/accounts/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "you may apply for a residence permit" in text(response)


def test_personal_center_without_permits_costs_the_same_for_1_or_100_rows(client):
    few, many = _household_without_permits(1), _household_without_permits(100)
    assert _center_queries(client, many) == _center_queries(client, few)


def test_held_permits_by_person_and_the_last_cancelled_first(client):
    """Held and cancelled permits come from one read (issue 18): held ones by person, the
    cancelled ones newest first, at most five."""
    person = registered_person(months=30)
    house = person.registrations.get().house
    today = timezone.localdate()
    held = PermitFactory(holder=person, house=house)
    cancelled = [
        PermitFactory(
            holder=person,
            house=house,
            cancelled=True,
            cancelled_on=today - datetime.timedelta(days=10 * n),
        )
        for n in range(1, 8)
    ]
    login(client, person)
    html = text(client.get("/accounts/me/", HTTP_ACCEPT_LANGUAGE="en"))
    assert held.number in html
    shown = [p.number for p in cancelled if p.number in html]
    assert shown == [p.number for p in cancelled[:5]]
    positions = [html.index(number) for number in shown]
    assert positions == sorted(positions)  # the last cancelled first
