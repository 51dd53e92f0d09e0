"""Issue 15, points 5, 6 and 10: where staff look, answers and items by their labels, only
the acts and items allowed, and the courier's phone on the mail form."""

import pytest
from django.urls import reverse
from django.utils import translation

from core.errors import RuleRefused
from permits.constants import ApplicationState
from permits.services import applications as svc
from tests.factories import PASSWORD, HouseFactory, StaffFactory, StationFactory
from tests.permits.factories import ApplicationFactory, PermitFactory
from tests.permits.helpers import png, registered_person, staff_for, submitted
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


def _change_url(app):
    return reverse("admin:permits_permitapplication_change", args=[app.pk])


def _act_url(app, act):
    return reverse("admin:review_application_act", args=[app.pk, act])


def test_the_replacement_desk_shows_the_reason_by_its_label(client):
    permit = PermitFactory()
    app = ApplicationFactory(
        submitted=True,
        service=Service.REPLACEMENT,
        person=permit.holder,
        permit=permit,
        answers={"reason": "lost"},
    )
    client.force_login(StaffFactory(officer=True, station=app.station))

    html = client.get(_change_url(app)).content.decode()

    assert "Reason: Card lost" in html
    assert "reason: lost" not in html


def test_a_new_permit_desk_shows_the_household_region_by_its_label(client):
    app = ApplicationFactory(
        submitted=True, answers={"household_region": "110101", "household_place": "北京东城"}
    )
    client.force_login(StaffFactory(officer=True, station=app.station))

    html = client.get(_change_url(app)).content.decode()

    assert "household_region" not in html
    assert "Household registration" in html and "110101" in html


def test_the_desk_of_another_station_is_still_refused(client):
    app = ApplicationFactory(submitted=True, answers={"household_region": "110101"})
    client.force_login(StaffFactory(officer=True, station=StationFactory()))

    assert client.get(_change_url(app)).status_code in (302, 404)


def _after_one_notice():
    """Submitted, asked for the residence proof, which was uploaded again and sent back."""
    station = StationFactory()
    person = registered_person(months=12, house=HouseFactory(station=station))
    app = submitted(person, Service.NEW, answers={"household_region": "110101"})
    staff = staff_for(station)
    svc.request_supplement(
        user=staff["officer"],
        application=app,
        items=[{"code": "residence_proof", "reason": "unclear", "note": ""}],
    )
    svc.upload_material(
        user=person.account, application=app, requirement_code="residence_proof", file=png()
    )
    svc.resubmit(user=person.account, application=app, password=PASSWORD)
    app.refresh_from_db()
    assert app.state == ApplicationState.SUBMITTED
    return app, staff


def test_a_further_notice_offers_only_what_was_uploaded_again(client):
    app, staff = _after_one_notice()
    client.force_login(staff["officer"])

    html = client.get(_act_url(app, "request_supplement")).content.decode()

    assert 'name="flag_residence_proof"' in html
    assert 'name="flag_id_card"' not in html


def test_a_refused_further_notice_names_the_items_not_their_codes():
    app, staff = _after_one_notice()

    with pytest.raises(RuleRefused) as refused:
        svc.request_supplement(
            user=staff["officer"],
            application=app,
            items=[{"code": "id_card", "reason": "unclear", "note": ""}],
        )

    message = str(refused.value)
    assert "Resident ID card" in message
    assert "id_card" not in message


def test_the_mail_form_shows_the_recipients_phone(client):
    app = ApplicationFactory(awaiting_old_card=True, old_card_received_at=_now())
    client.force_login(StaffFactory(clerk=True, station=app.station))

    html = client.get(_act_url(app, "record_mailed")).content.decode()

    assert app.mail_recipient_name in html
    assert app.mail_address in html
    assert app.mail_phone in html


def _now():
    from django.utils import timezone

    return timezone.now()


def test_the_window_handover_shows_the_holders_face(client):
    app = ApplicationFactory(awaiting_pickup=True, pickup_code="PK123456")
    client.force_login(StaffFactory(clerk=True, station=app.station))

    html = client.get(reverse("admin:review_handover"), {"code": "PK123456"}).content.decode()
    face_url = reverse("admin:review_handover_face", args=[app.pk, "holder"])
    face = client.get(face_url)

    assert face_url in html
    assert face.status_code == 200
    assert b"".join(face.streaming_content if face.streaming else [face.content])


def test_a_face_is_not_shown_to_another_station_nor_after_the_handover(client):
    app = ApplicationFactory(awaiting_pickup=True, pickup_code="PK123457")
    face_url = reverse("admin:review_handover_face", args=[app.pk, "holder"])
    client.force_login(StaffFactory(clerk=True, station=StationFactory()))
    assert client.get(face_url).status_code == 404

    collected = ApplicationFactory(collected=True)
    client.force_login(StaffFactory(clerk=True, station=collected.station))
    url = reverse("admin:review_handover_face", args=[collected.pk, "holder"])
    assert client.get(url).status_code == 404


def test_an_applicant_cannot_open_a_face_photo(client):
    app = ApplicationFactory(awaiting_pickup=True, pickup_code="PK123458")
    client.force_login(app.filed_by)

    response = client.get(reverse("admin:review_handover_face", args=[app.pk, "holder"]))

    assert response.status_code in (302, 403, 404)
