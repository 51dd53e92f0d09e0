import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.errors import InvalidInput, NotAllowed
from notifications.models import Notification
from permits.constants import RegistrationState
from permits.models import ResidenceRegistration
from permits.selectors import registrations as selectors
from permits.services import registrations as services
from tests.factories import (
    HouseFactory,
    IdentityFactory,
    RegistrationFactory,
    StaffFactory,
    StationFactory,
    tiny_png,
)

pytestmark = pytest.mark.django_db


def proof():
    return SimpleUploadedFile("lease.png", tiny_png(), "image/png")


def post_data(person, house, **overrides):
    data = {
        "person": person.pk,
        "house_code": house.code,
        "since": (timezone.localdate() - datetime.timedelta(days=30)).isoformat(),
        "basis": "employment",
        "proof": proof(),
    }
    data.update(overrides)
    return data


def test_registration_goes_to_the_house_station_and_nowhere_else(client):
    station_a, station_b = StationFactory(), StationFactory()
    house = HouseFactory(station=station_b)
    person = IdentityFactory(verified=True)
    client.force_login(person.account)
    response = client.post(
        reverse("permits:registration_new"),
        post_data(person, house, station=station_a.pk),  # a forged station is ignored
    )
    assert response.status_code == 302
    registration = ResidenceRegistration.objects.get()
    assert registration.station == station_b
    assert registration.state == RegistrationState.SUBMITTED
    assert registration.transitions.get().to_state == "submitted"
    officer_a = StaffFactory(officer=True, station=station_a)
    officer_b = StaffFactory(officer=True, station=station_b)
    client.force_login(officer_a)
    changelist = client.get(reverse("admin:permits_residenceregistration_changelist"))
    assert registration.house.address not in changelist.content.decode()
    client.force_login(officer_b)
    changelist = client.get(reverse("admin:permits_residenceregistration_changelist"))
    assert registration.house.address in changelist.content.decode()


def test_scanned_qr_url_and_lowercase_codes_find_the_house(client):
    house = HouseFactory(code="LH0000000009")
    assert selectors.find_house(services.house_qr_payload(house)) == house
    assert selectors.find_house(" lh-0000000009 ") == house
    person = IdentityFactory(verified=True)
    client.force_login(person.account)
    page = client.get(reverse("permits:registration_new") + "?house=LH0000000009")
    body = page.content.decode()
    assert house.address in body and house.station.name in body


def test_unknown_code_is_explained_and_input_kept(client):
    person = IdentityFactory(verified=True)
    client.force_login(person.account)
    response = client.post(
        reverse("permits:registration_new"),
        post_data(person, HouseFactory(), house_code="NOPE123"),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "error-summary" in body
    assert "No house has this code" in body
    assert 'value="NOPE123"' in body
    assert not ResidenceRegistration.objects.exists()


def test_future_date_refused(client):
    person = IdentityFactory(verified=True)
    client.force_login(person.account)
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("permits:registration_new"), post_data(person, HouseFactory(), since=tomorrow)
    )
    assert "cannot be in the future" in response.content.decode()


def test_fake_proof_refused(client):
    person = IdentityFactory(verified=True)
    client.force_login(person.account)
    fake = SimpleUploadedFile("lease.pdf", b"<script>alert(1)</script>", "application/pdf")
    response = client.post(
        reverse("permits:registration_new"), post_data(person, HouseFactory(), proof=fake)
    )
    assert "not a PDF document or a JPEG, PNG or WebP image" in response.content.decode()


def test_registration_needs_a_verified_identity(client):
    person = IdentityFactory(pending=True)
    with pytest.raises(InvalidInput) as err:
        services.submit_registration(
            account=person.account,
            person=person,
            house_code=HouseFactory().code,
            since=datetime.date(2025, 1, 1),
            basis="residence",
            proof=proof(),
        )
    assert "person" in err.value.fields
    client.force_login(person.account)
    page = client.get(reverse("permits:registration_new")).content.decode()
    assert "Registration needs a verified identity" in page


def test_cannot_register_someone_elses_identity(client):
    stranger = IdentityFactory(verified=True)
    me = IdentityFactory(verified=True)
    with pytest.raises(NotAllowed):
        services.submit_registration(
            account=me.account,
            person=stranger,
            house_code=HouseFactory().code,
            since=datetime.date(2025, 1, 1),
            basis="residence",
            proof=proof(),
        )
    client.force_login(me.account)
    response = client.post(reverse("permits:registration_new"), post_data(stranger, HouseFactory()))
    assert response.status_code == 200
    assert not ResidenceRegistration.objects.exists()


def test_agent_registers_a_verified_dependent(client):
    agent = IdentityFactory(verified=True).account
    child = IdentityFactory(dependent_minor=True, verified=True, account=agent)
    client.force_login(agent)
    response = client.post(reverse("permits:registration_new"), post_data(child, HouseFactory()))
    assert response.status_code == 302
    assert ResidenceRegistration.objects.get().person == child


def test_one_open_registration_per_person():
    registration = RegistrationFactory(registered=True)
    with pytest.raises(InvalidInput) as err:
        services.submit_registration(
            account=registration.person.account,
            person=registration.person,
            house_code=HouseFactory().code,
            since=datetime.date(2025, 1, 1),
            basis="residence",
            proof=proof(),
        )
    assert "cancel the old one first" in " ".join(err.value.messages)


def test_officer_of_station_registers_and_applicant_is_notified():
    registration = RegistrationFactory()
    officer = StaffFactory(officer=True, station=registration.station)
    services.register_residence(registration=registration, by=officer)
    registration.refresh_from_db()
    assert registration.state == RegistrationState.REGISTERED
    notification = Notification.objects.get(recipient=registration.person.account)
    assert notification.kind == "registration_registered"
    assert notification.sms is not None


def test_officer_of_another_station_cannot_decide():
    registration = RegistrationFactory()
    other = StaffFactory(officer=True, station=StationFactory())
    with pytest.raises(NotAllowed):
        services.register_residence(registration=registration, by=other)
    with pytest.raises(NotAllowed):
        services.reject_registration(registration=registration, by=other, note="x")
    clerk = StaffFactory(clerk=True, station=registration.station)
    with pytest.raises(NotAllowed):
        services.register_residence(registration=registration, by=clerk)


def test_supervisor_decides_anywhere():
    registration = RegistrationFactory()
    services.register_residence(registration=registration, by=StaffFactory(supervisor=True))
    registration.refresh_from_db()
    assert registration.state == RegistrationState.REGISTERED


def test_rejection_needs_reason_and_reaches_applicant(client):
    registration = RegistrationFactory()
    officer = StaffFactory(officer=True, station=registration.station)
    with pytest.raises(InvalidInput):
        services.reject_registration(registration=registration, by=officer, note=" ")
    services.reject_registration(registration=registration, by=officer, note="租赁合同已过期")
    notification = Notification.objects.get(recipient=registration.person.account)
    assert "租赁合同已过期" in notification.body
    client.force_login(registration.person.account)
    page = client.get(reverse("applicants:me")).content.decode()
    assert "租赁合同已过期" in page
    assert "Register again" in page


def test_cancel_on_moving_away(client):
    registration = RegistrationFactory(registered=True)
    client.force_login(registration.person.account)
    response = client.post(
        reverse("permits:registration_cancel", args=[registration.pk]),
        {"moved_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    registration.refresh_from_db()
    assert registration.state == RegistrationState.CANCELLED


def test_residence_facts_for_permits():
    today = datetime.date(2026, 6, 1)
    long_ago = RegistrationFactory(registered=True, since=datetime.date(2025, 1, 1))
    facts = selectors.residence_facts(long_ago.person, today=today)
    assert facts.long_enough is True
    assert facts.basis == "residence"
    recent = RegistrationFactory(registered=True, since=datetime.date(2026, 3, 1))
    facts = selectors.residence_facts(recent.person, today=today)
    assert facts.long_enough is False
    assert facts.eligible_from > today
    assert selectors.residence_facts(IdentityFactory(verified=True)) is None


def test_personal_center_lists_registration_with_next_step(client):
    registration = RegistrationFactory()
    client.force_login(registration.person.account)
    body = client.get(reverse("applicants:me")).content.decode()
    assert registration.house.address in body
    assert registration.station.name in body  # "wait for <station>"
