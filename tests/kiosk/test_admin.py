"""Supervisors enable a kiosk for a station (the token shown once), see it in use and revoke it;
station staff and applicants cannot reach the kiosk devices at all."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from kiosk.models import KioskDevice
from review.models import AuditEvent
from tests.factories import StaffFactory, StationFactory, UserFactory
from tests.kiosk.helpers import kiosk_screen, sign_in

pytestmark = pytest.mark.django_db

ADD = reverse("admin:kiosk_kioskdevice_add")
LIST = reverse("admin:kiosk_kioskdevice_changelist")


def test_a_supervisor_enables_a_kiosk_sets_the_screen_up_and_revokes_it(client):
    supervisor = StaffFactory(supervisor=True)
    station = StationFactory()
    client.force_login(supervisor)
    response = client.post(ADD, {"name": "Hall", "station": station.pk}, follow=True)
    assert response.status_code == 200
    text = " ".join(str(m) for m in get_messages(response.wsgi_request)) or (
        response.content.decode()
    )
    token = re.search(r"[:：]\s*([A-Za-z0-9_-]{32})", text).group(1)
    device = KioskDevice.objects.get()
    assert device.station == station and device.enabled_by == supervisor
    assert token not in device.token_hash  # only its hash is kept
    assert AuditEvent.objects.filter(event="kiosk_enabled").exists()

    screen = kiosk_screen("")
    response = screen.post(reverse("kiosk:setup"), {"token": "wrong"})
    assert response.status_code == 200 and "kiosk_device" not in response.cookies
    response = screen.post(reverse("kiosk:setup"), {"token": token})
    assert response["Location"] == reverse("kiosk:home")
    cookie = response.cookies["kiosk_device"]
    assert cookie["httponly"] and cookie["samesite"] == "Strict"
    assert screen.get(reverse("kiosk:home")).status_code == 200
    device.refresh_from_db()
    assert device.enrolled_at is not None and device.last_seen_at is not None
    sign_in(screen, UserFactory())

    response = client.post(LIST, {"action": "revoke", "_selected_action": [device.pk]}, follow=True)
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.revoked_at is not None and device.revoked_by == supervisor
    assert screen.get(reverse("kiosk:menu")).status_code == 403
    assert screen.post(reverse("kiosk:setup"), {"token": token}).status_code == 200  # no way back


@pytest.mark.parametrize("role", ["officer", "clerk"])
def test_station_staff_cannot_see_or_enable_kiosks(client, role):
    staff = StaffFactory(**{role: True}, station=StationFactory())
    client.force_login(staff)
    assert client.get(LIST).status_code == 403
    assert (
        client.post(ADD, {"name": "x", "station": staff.staff_assignment.station.pk}).status_code
        == 403
    )
    assert not KioskDevice.objects.exists()


def test_applicants_cannot_reach_the_kiosk_admin(client):
    client.force_login(UserFactory())
    assert client.get(LIST).status_code == 302  # to the admin login
