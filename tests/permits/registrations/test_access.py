import pytest
from django.urls import reverse

from permits.constants import RegistrationState
from tests.factories import (
    HouseFactory,
    RegistrationFactory,
    StaffFactory,
    StationFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_other_applicant_gets_404_for_registration_and_proof(client):
    registration = RegistrationFactory()
    client.force_login(UserFactory())
    for name in ("permits:registration_detail", "permits:registration_proof"):
        assert client.get(reverse(name, args=[registration.pk])).status_code == 404
    response = client.post(
        reverse("permits:registration_cancel", args=[registration.pk]), {"moved_on": "2026-01-01"}
    )
    assert response.status_code == 404


def test_owner_sees_proof(client):
    registration = RegistrationFactory()
    client.force_login(registration.person.account)
    response = client.get(reverse("permits:registration_proof", args=[registration.pk]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize("role", ["officer", "clerk"])
def test_staff_of_station_a_get_404_for_station_b(client, role):
    registration = RegistrationFactory()  # at some station B
    staff_a = StaffFactory(**{role: True}, station=StationFactory())
    client.force_login(staff_a)
    change = reverse("admin:permits_residenceregistration_change", args=[registration.pk])
    assert client.get(change).status_code == 404
    assert (
        client.get(reverse("permits:registration_proof", args=[registration.pk])).status_code == 404
    )
    register = reverse("admin:permits_residenceregistration_register", args=[registration.pk])
    assert client.post(register).status_code == 404
    registration.refresh_from_db()
    assert registration.state == RegistrationState.SUBMITTED


@pytest.mark.parametrize("role", ["officer", "clerk"])
def test_staff_of_the_station_see_it(client, role):
    registration = RegistrationFactory()
    client.force_login(StaffFactory(**{role: True}, station=registration.station))
    change = reverse("admin:permits_residenceregistration_change", args=[registration.pk])
    body = client.get(change).content.decode()
    assert registration.person.full_name in body
    assert reverse("permits:registration_proof", args=[registration.pk]) in body
    assert (
        client.get(reverse("permits:registration_proof", args=[registration.pk])).status_code == 200
    )


def test_changelist_masks_id_numbers(client):
    registration = RegistrationFactory()
    client.force_login(StaffFactory(officer=True, station=registration.station))
    body = client.get(reverse("admin:permits_residenceregistration_changelist")).content.decode()
    assert registration.person.masked_id_number in body
    assert registration.person.id_number not in body


def test_officer_registers_with_admin_button(client):
    registration = RegistrationFactory()
    client.force_login(StaffFactory(officer=True, station=registration.station))
    response = client.post(
        reverse("admin:permits_residenceregistration_register", args=[registration.pk])
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.state == RegistrationState.REGISTERED


def test_admin_action_registers_only_own_station(client):
    mine = RegistrationFactory()
    theirs = RegistrationFactory()
    client.force_login(StaffFactory(officer=True, station=mine.station))
    client.post(
        reverse("admin:permits_residenceregistration_changelist"),
        {"action": "register_selected", "_selected_action": [mine.pk, theirs.pk]},
    )
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.state == RegistrationState.REGISTERED
    assert theirs.state == RegistrationState.SUBMITTED


def test_clerk_cannot_register_with_admin_button(client):
    registration = RegistrationFactory()
    client.force_login(StaffFactory(clerk=True, station=registration.station))
    response = client.post(
        reverse("admin:permits_residenceregistration_register", args=[registration.pk])
    )
    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.state == RegistrationState.SUBMITTED


def test_supervisor_sees_every_station(client):
    registration = RegistrationFactory()
    client.force_login(StaffFactory(supervisor=True))
    change = reverse("admin:permits_residenceregistration_change", args=[registration.pk])
    assert client.get(change).status_code == 200


def test_house_qr_code_and_print_page(client):
    house = HouseFactory()
    client.force_login(StaffFactory(officer=True, station=house.station))
    svg = client.get(reverse("admin:permits_house_qr", args=[house.pk]))
    assert svg.status_code == 200
    assert svg["Content-Type"] == "image/svg+xml"
    assert b"<svg" in svg.content
    page = client.get(reverse("admin:permits_house_print", args=[house.pk])).content.decode()
    assert house.code in page and house.address in page and "<svg" in page
    client.force_login(StaffFactory(officer=True, station=StationFactory()))
    assert client.get(reverse("admin:permits_house_qr", args=[house.pk])).status_code == 404


def test_qr_holds_the_registration_url_with_the_code():
    from permits.services.registrations import house_qr_payload

    house = HouseFactory(code="ML0000000001")
    payload = house_qr_payload(house)
    assert payload.endswith(reverse("permits:registration_new") + "?house=ML0000000001")
