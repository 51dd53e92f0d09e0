"""Issue 15 point 4: once the card is collected, lost or held, the pages stop offering what no
longer applies (a pickup code, a lost card's check code, "you may apply")."""

import pytest
from django.urls import reverse
from django.utils import translation

from permits.verification import verification_url
from tests.permits.factories import ApplicationFactory, PermitFactory
from tests.permits.views.helpers import login, registered_person, text, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_a_collected_application_shows_no_pickup_code(client):
    application = ApplicationFactory(collected=True, pickup_code="PK123456")
    login(client, application.filed_by)

    html = text(client.get(url("application_detail", application.pk), HTTP_ACCEPT_LANGUAGE="en"))

    assert "Show this pickup code" not in html
    assert url("application_pickup_qr", application.pk) not in html
    assert "You collected the certificate" in html


def test_an_application_awaiting_pickup_still_shows_its_code(client):
    application = ApplicationFactory(awaiting_pickup=True, pickup_code="PK123456")
    login(client, application.filed_by)

    html = text(client.get(url("application_detail", application.pk), HTTP_ACCEPT_LANGUAGE="en"))

    assert url("application_pickup_qr", application.pk) in html


def test_a_card_reported_lost_offers_no_check_code(client):
    permit = PermitFactory(lost=True)
    login(client, permit.holder.account)

    html = text(client.get(reverse("applicants:me"), HTTP_ACCEPT_LANGUAGE="en"))

    assert permit.number in html
    assert verification_url(permit) not in html
    assert "verify-qr" not in html
    assert "reported lost" in html


def test_an_active_card_keeps_its_check_code(client):
    permit = PermitFactory()
    login(client, permit.holder.account)

    html = text(client.get(reverse("applicants:me"), HTTP_ACCEPT_LANGUAGE="en"))

    assert verification_url(permit) in html


@pytest.mark.parametrize("where", ["detail", "center", "list"])
def test_a_registration_of_a_permit_holder_does_not_invite_to_apply(client, where):
    person = registered_person(months=12)
    PermitFactory(holder=person)
    registration = person.registrations.get()
    login(client, person)
    page = {
        "detail": url("registration_detail", registration.pk),
        "center": reverse("applicants:me"),
        "list": url("registration_list"),
    }[where]

    html = text(client.get(page, HTTP_ACCEPT_LANGUAGE="en"))

    assert "you may apply for a residence permit" not in html
    assert "You hold a residence permit" in html


def test_a_registration_without_a_permit_still_invites_to_apply(client):
    person = registered_person(months=12)
    login(client, person)

    html = text(client.get(reverse("applicants:me"), HTTP_ACCEPT_LANGUAGE="en"))

    assert "you may apply for a residence permit" in html


def test_the_officers_message_is_shown_beside_the_items(client):
    from permits.services import applications as svc
    from tests.factories import HouseFactory, StationFactory
    from tests.permits.helpers import staff_for, submitted
    from tests.service_codes import Service

    station = StationFactory()
    person = registered_person(months=12, house=HouseFactory(station=station))
    application = submitted(person, Service.NEW, answers={"household_region": "110101"})
    svc.request_supplement(
        user=staff_for(station)["officer"],
        application=application,
        items=[{"code": "residence_proof", "reason": "unclear", "note": ""}],
        note="Please photograph every page of the lease.",
    )
    login(client, person)

    html = text(client.get(url("application_detail", application.pk), HTTP_ACCEPT_LANGUAGE="en"))

    section = html[html.index('id="supplement"') :]
    assert "Note from the officer: Please photograph every page of the lease." in section
