"""Issue 13, point 2 through the doors people use: the applicant's web pages (start, the step,
check, submit, the application page, the registration page offering the cancellation, the
personal center), the API, the police desk's acts; and the refusals (another applicant 404,
staff of another station 404 on the desk)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from permits.constants import (
    ApplicationState,
    CardReturn,
    PermitStatus,
    RegistrationState,
)
from permits.models import PermitApplication
from permits.services import applications as svc
from tests.api_support import assert_error, client_for
from tests.factories import PASSWORD, RegistrationFactory, StaffFactory, StationFactory, UserFactory
from tests.permits.factories import PermitFactory
from tests.permits.helpers import staff_for
from tests.review.helpers import act, act_url, change_url
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def holder():
    registration = RegistrationFactory(registered=True)
    permit = PermitFactory(holder=registration.person, house=registration.house)
    return registration.person, registration, permit


def url(name, *args):
    return reverse(f"permits:{name}", args=args)


def _filed(person, *, card_return=CardReturn.MAIL):
    app = svc.start_application(
        user=person.account,
        person=person,
        service=Service.CANCELLATION,
        answers={"moved_on": timezone.localdate().isoformat(), "card_return": card_return},
    )
    return svc.submit(user=person.account, application=app, password=PASSWORD)


# --- the applicant's pages ---------------------------------------------------------------------


def test_web_flow_start_step_check_submit(client, holder):
    person, _registration, permit = holder
    client.force_login(person.account)
    start = client.get(url("application_start"), {"service": "cancellation"})
    html = start.content.decode()
    assert start.status_code == 200
    assert 'value="cancellation"' in html and "Cancellation (moving away)" in html

    response = client.post(
        url("application_start"), {"service": "cancellation", "person": person.pk}
    )
    app = PermitApplication.objects.get(person=person, service=Service.CANCELLATION)
    assert response.status_code == 302
    # identity, then the one details step (no material)
    response = client.get(url("application_resume", app.pk))
    assert response.url == url("application_step_identity", app.pk)
    response = client.post(url("application_step_identity", app.pk), {"confirmed": "on"})
    assert response.url == url("application_step_details", app.pk)
    page = client.get(response.url).content.decode()
    assert "how do you return the card" in page.lower()
    assert permit.station.address in page
    assert 'name="moved_on"' in page and 'name="card_return"' in page

    # bad input: a clear message, the other answer kept
    too_far = timezone.localdate() + datetime.timedelta(days=31)
    response = client.post(
        url("application_step_details", app.pk),
        {"moved_on": too_far.isoformat(), "card_return": "mail"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "at most 30 days from today" in body
    assert "checked" in body  # the way back chosen is kept
    response = client.post(
        url("application_step_details", app.pk),
        {"moved_on": timezone.localdate().isoformat(), "card_return": "mail"},
    )
    assert response.url == url("application_check", app.pk)
    check = client.get(response.url).content.decode()
    assert "Date of moving away" in check and "Mail the card to the police station" in check
    assert url("application_submit", app.pk) in check

    response = client.post(url("application_submit", app.pk), {"password": "wrong"})
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.state == ApplicationState.DRAFT
    response = client.post(
        url("application_submit", app.pk), {"password": PASSWORD, "seen_state": "draft"}
    )
    assert response.url == url("application_submitted", app.pk)
    done = client.get(response.url).content.decode()
    assert "Mail your residence permit card to" in done and permit.station.address in done
    app.refresh_from_db()
    assert app.state == ApplicationState.AWAITING_CARD_RETURN
    detail = client.get(url("application_detail", app.pk)).content.decode()
    assert 'id="card-return"' in detail and "Post your residence permit card" in detail
    assert "Withdraw the application" in detail


def test_application_page_after_completion_and_personal_center(client, holder):
    person, _registration, permit = holder
    app = _filed(person, card_return=CardReturn.WINDOW)
    staff = staff_for(permit.station)
    svc.record_card_returned(user=staff["clerk"], application=app)
    svc.complete_cancellation(user=staff["officer"], application=app)
    client.force_login(person.account)
    detail = client.get(url("application_detail", app.pk)).content.decode()
    assert "Permit cancelled (注销)" in detail
    assert f"was cancelled on {timezone.localdate():%Y-%m-%d}" in detail
    center = client.get(reverse("applicants:me")).content.decode()
    assert "Cancelled permits" in center and permit.number in center
    assert "Cancelled (moved away)" in center
    assert f"{timezone.localdate():%Y-%m-%d}" in center
    assert "?service=cancellation" not in center  # nothing left to cancel


def test_personal_center_offers_the_cancellation_for_an_active_permit(client, holder):
    person, _registration, _permit = holder
    client.force_login(person.account)
    center = client.get(reverse("applicants:me")).content.decode()
    assert "?service=cancellation" in center


def test_registration_page_offers_the_cancellation_instead_of_a_plain_cancel(client, holder):
    person, registration, _permit = holder
    client.force_login(person.account)
    page = client.get(url("registration_detail", registration.pk)).content.decode()
    assert 'id="moving-away"' in page
    assert f"{url('application_start')}?service=cancellation" in page
    assert url("registration_cancel", registration.pk) not in page
    # A plain cancel posted anyway is refused with the reason; nothing changes.
    response = client.post(
        url("registration_cancel", registration.pk),
        {"moved_on": timezone.localdate().isoformat()},
        follow=True,
    )
    assert "Apply for its cancellation (注销) instead" in response.content.decode()
    registration.refresh_from_db()
    assert registration.state == RegistrationState.REGISTERED


def test_registration_page_without_a_permit_keeps_the_plain_cancel(client):
    registration = RegistrationFactory(registered=True)
    client.force_login(registration.person.account)
    page = client.get(url("registration_detail", registration.pk)).content.decode()
    assert url("registration_cancel", registration.pk) in page
    assert 'id="moving-away"' not in page


def test_another_applicant_gets_404_on_every_page(client, holder):
    person, _registration, _permit = holder
    app = _filed(person)
    client.force_login(UserFactory())
    for name in (
        "application_detail",
        "application_resume",
        "application_step_details",
        "application_check",
        "application_submit",
        "application_submitted",
        "application_withdraw",
    ):
        assert client.get(url(name, app.pk)).status_code == 404, name
    assert client.post(url("application_withdraw", app.pk), {"confirmed": "on"}).status_code == 404
    app.refresh_from_db()
    assert app.state == ApplicationState.AWAITING_CARD_RETURN


# --- the API -----------------------------------------------------------------------------------


def test_api_creates_answers_and_submits_a_cancellation(holder, other_api):
    person, registration, permit = holder
    api = client_for(person.account)
    response = api.post(
        "/api/v1/applications/",
        {
            "service": "cancellation",
            "answers": {"moved_on": timezone.localdate().isoformat(), "card_return": "window"},
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["service"] == "cancellation" and body["state"] == "draft"
    assert body["answers"]["card_return"] == "window"
    assert body["station"]["id"] == permit.station_id and body["requirements"] == []
    pk = body["id"]

    too_far = (timezone.localdate() + datetime.timedelta(days=31)).isoformat()
    response = api.patch(
        f"/api/v1/applications/{pk}/", {"answers": {"moved_on": too_far}}, format="json"
    )
    assert_error(response, 409, "moved_too_far_ahead")
    response = api.post(f"/api/v1/applications/{pk}/submit/", {"password": PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "awaiting_card_return"

    # another applicant: 404, nothing learnt
    assert other_api.get(f"/api/v1/applications/{pk}/").status_code == 404
    response = other_api.post(f"/api/v1/applications/{pk}/withdraw/", {}, format="json")
    assert response.status_code == 404
    # and the registration can no longer be cancelled on its own over the API
    response = api.post(
        f"/api/v1/registrations/{registration.pk}/cancel/",
        {"moved_on": timezone.localdate().isoformat()},
        format="json",
    )
    assert_error(response, 409, "permit_held")


# --- the police desk ---------------------------------------------------------------------------


def test_desk_acts_card_received_then_complete(client, holder):
    person, registration, permit = holder
    app = _filed(person)
    staff = staff_for(permit.station)

    client.force_login(staff["officer"])
    page = client.get(change_url(app)).content.decode()
    assert 'id="act-complete_cancellation"' not in page  # not before the card is back
    assert 'id="act-record_card_returned"' not in page  # a clerk's act

    client.force_login(staff["clerk"])
    page = client.get(change_url(app)).content.decode()
    assert 'id="act-record_card_returned"' in page
    form = client.get(act_url(app, "record_card_returned")).content.decode()
    assert 'value="mail"' in form and "checked" in form  # the applicant's choice, preset
    response = act(client, app, "record_card_returned", method="mail")
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.CARD_RETURNED

    client.force_login(staff["officer"])
    page = client.get(change_url(app)).content.decode()
    assert 'id="act-complete_cancellation"' in page
    response = act(client, app, "complete_cancellation", note="card checked")
    assert response.status_code == 302
    app.refresh_from_db()
    permit.refresh_from_db()
    registration.refresh_from_db()
    assert app.state == ApplicationState.COMPLETED
    assert permit.status == PermitStatus.CANCELLED
    assert registration.state == RegistrationState.CANCELLED


def test_desk_refuses_staff_of_another_station(client, holder):
    person, _registration, _permit = holder
    app = _filed(person)
    other = StationFactory()
    client.force_login(StaffFactory(clerk=True, station=other))
    assert client.get(change_url(app)).status_code in (302, 404)
    assert client.get(act_url(app, "record_card_returned")).status_code == 404
    response = client.post(act_url(app, "record_card_returned"), {"method": "mail", "version": "1"})
    assert response.status_code == 404
    client.force_login(StaffFactory(officer=True, station=other))
    assert client.get(act_url(app, "complete_cancellation")).status_code == 404
    app.refresh_from_db()
    assert app.state == ApplicationState.AWAITING_CARD_RETURN


def test_desk_queues_list_cancellations_for_each_role(holder):
    from review import selectors

    person, _registration, permit = holder
    app = _filed(person)
    staff = staff_for(permit.station)
    assert list(selectors.application_queue(staff["clerk"], {})) == [app]
    assert app not in list(selectors.application_queue(staff["officer"], {}))
    svc.record_card_returned(user=staff["clerk"], application=app)
    assert list(selectors.application_queue(staff["officer"], {})) == [app]
    assert list(selectors.station_queue(staff["officer"], "to_complete")) == [app]


def test_staff_api_card_returned_and_completed_with_refusals(holder, applicant_api):
    person, _registration, permit = holder
    app = _filed(person)
    staff = staff_for(permit.station)
    base = f"/api/v1/staff/applications/{app.pk}"
    other_station = StationFactory()
    other_clerk = client_for(StaffFactory(clerk=True, station=other_station))
    assert other_clerk.post(f"{base}/card-returned/", {}, format="json").status_code == 404
    assert applicant_api.post(f"{base}/card-returned/", {}, format="json").status_code in (
        403,
        404,
    )
    officer = client_for(staff["officer"])
    assert_error(officer.post(f"{base}/cancellation-completed/", {}, format="json"), 409)

    clerk = client_for(staff["clerk"])
    response = clerk.post(f"{base}/card-returned/", {"method": "window"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "card_returned"
    other_officer = client_for(StaffFactory(officer=True, station=other_station))
    response = other_officer.post(f"{base}/cancellation-completed/", {}, format="json")
    assert response.status_code == 404
    response = officer.post(f"{base}/cancellation-completed/", {"note": "ok"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "completed"
    permit.refresh_from_db()
    assert permit.status == PermitStatus.CANCELLED
