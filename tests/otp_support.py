"""Staff in tests pass the second factor (issue 14), as staff do after the real login step.

``client.force_login(staff)`` gives a session verified by a TOTP device (django-otp's session
key), and ``tests.api_support.client_for(staff)`` a token that records it, so tests about what
staff may do need no login dance. Tests of the second factor itself use
``login_without_second_factor`` or the real login forms. (A pytest plugin of the root conftest.)
"""

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

_force_login = Client.force_login


def staff_device(user) -> TOTPDevice:
    device, _created = TOTPDevice.objects.get_or_create(
        user=user, name="test authenticator", defaults={"confirmed": True}
    )
    return device


def current_code(device: TOTPDevice) -> str:
    """The code the authenticator app of ``device`` shows now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def login_without_second_factor(client, user) -> None:
    _force_login(client, user)


def _force_login_verified(self, user, backend=None):
    _force_login(self, user, backend)
    if user.is_staff and user.is_active:
        session = self.session
        session[DEVICE_ID_SESSION_KEY] = staff_device(user).persistent_id
        session.save()


@pytest.fixture(autouse=True)
def _staff_sessions_pass_second_factor(monkeypatch):
    monkeypatch.setattr(Client, "force_login", _force_login_verified)
