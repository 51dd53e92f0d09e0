"""Issue 4, acceptance 1 and 3 in one walk through the pages."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from applicants.constants import IdentityState
from notifications.models import SmsMessage
from permits.models import ResidenceRegistration
from tests.applicants.helpers import image_bytes, sms_code, upload
from tests.factories import HouseFactory, StaffFactory, StationFactory, make_id_number, tiny_png

pytestmark = pytest.mark.django_db
PHONE = "+8613712300001"
PASSWORD = "Lantern-Harbour-2231"


def test_sign_up_verify_identity_register_residence():
    applicant = Client()
    applicant.post(reverse("applicants:signup"), {"phone": PHONE})
    response = applicant.post(
        reverse("applicants:signup_confirm"),
        {"phone": PHONE, "code": sms_code(PHONE), "password1": PASSWORD, "password2": PASSWORD},
    )
    assert response.status_code == 302
    response = applicant.post(
        reverse("applicants:identity"),
        {
            "full_name": "陈一",
            "id_number": make_id_number(77),
            "id_card_front": upload("f.jpg", image_bytes("JPEG")),
            "id_card_back": upload("b.jpg", image_bytes("JPEG")),
            "face_photo": upload("p.png"),
        },
    )
    assert response.status_code == 302
    me = applicant.get(reverse("applicants:me")).content.decode()
    assert "Waiting for verification" in me

    station, other_station = StationFactory(), StationFactory()
    officer = Client()
    officer.force_login(StaffFactory(officer=True, station=other_station))  # city-wide
    from applicants.models import Identity

    identity = Identity.objects.get(account__phone=PHONE)
    officer.post(reverse("admin:applicants_identity_verify", args=[identity.pk]))
    identity.refresh_from_db()
    assert identity.state == IdentityState.VERIFIED
    assert "Verified" in applicant.get(reverse("applicants:me")).content.decode()
    assert SmsMessage.objects.filter(recipient_phone=PHONE, notification__isnull=False).exists()

    house = HouseFactory(station=station)
    response = applicant.post(
        reverse("permits:registration_new"),
        {
            "person": identity.pk,
            "house_code": house.code.lower(),
            "since": (timezone.localdate() - datetime.timedelta(days=200)).isoformat(),
            "basis": "study",
            "proof": upload("card.png", tiny_png()),
        },
    )
    assert response.status_code == 302
    registration = ResidenceRegistration.objects.get(person=identity)
    assert registration.station == station
    # The officer of the other station does not see it; the house's station decides it.
    url = reverse("admin:permits_residenceregistration_change", args=[registration.pk])
    assert officer.get(url).status_code == 404
    officer.force_login(StaffFactory(officer=True, station=station))
    assert officer.get(url).status_code == 200
    officer.post(reverse("admin:permits_residenceregistration_register", args=[registration.pk]))
    registration.refresh_from_db()
    assert registration.state == "registered"
