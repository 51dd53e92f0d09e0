"""Kiosk test set-up: a device enabled by a supervisor, a screen (client) holding its token, and
a person who may renew today."""

import datetime

from django.test import Client
from django.utils import timezone

from kiosk.middleware import DEVICE_COOKIE
from kiosk.services.devices import enable_device
from tests.applicants.helpers import sms_code
from tests.factories import RegistrationFactory, StaffFactory, StationFactory
from tests.permits.factories import PermitFactory


def kiosk_device(station=None):
    supervisor = StaffFactory(supervisor=True)
    device, token = enable_device(
        user=supervisor, station=station or StationFactory(), name="Hall, left of the door"
    )
    return device, token


def kiosk_screen(token, *, language="zh-hans") -> Client:
    """A browser on the kiosk: it holds the device token (as after /kiosk/setup/)."""
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies[DEVICE_COOKIE] = token
    return client


def renewable_permit():
    """A verified person, registered at the permit's house, whose permit's year ends in 10 days
    (inside the renewal window)."""
    today = timezone.localdate()
    permit = PermitFactory(
        issued_on=today - datetime.timedelta(days=355),
        valid_until=today + datetime.timedelta(days=10),
    )
    RegistrationFactory(person=permit.holder, house=permit.house, registered=True)
    return permit


def sign_in(screen, user) -> None:
    """Sign ``user`` in at the kiosk by phone and SMS code (the kiosk's only way in)."""
    response = screen.post("/kiosk/sign-in/", {"phone": user.phone})
    assert response.status_code == 302, response.content.decode()[:2000]
    response = screen.post("/kiosk/sign-in/code/", {"code": sms_code(user.phone)})
    assert response.status_code == 302 and response["Location"] == "/kiosk/menu/", response
