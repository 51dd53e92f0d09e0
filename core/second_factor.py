"""The second factor of staff sign-in (django-otp: TOTP devices and single-use backup codes).

Every staff account (``is_staff``) needs one: the web session is verified by django-otp's
middleware (``request.user.is_verified()``) after the second-factor step, and a staff API token
records the device that verified it. Applicants sign in with a password alone.
"""

from __future__ import annotations

import functools

from django.db import transaction
from django_otp import devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.permissions import is_active_staff


def needs_second_factor(user) -> bool:
    return is_active_staff(user)


def is_verified(user) -> bool:
    """True when the request's user passed a second factor (a session verified by
    ``django_otp.middleware.OTPMiddleware``, or a token that records a device)."""
    check = getattr(user, "is_verified", None)
    return bool(check()) if callable(check) else False


def has_device(user) -> bool:
    return any(True for _device in devices_for_user(user, confirmed=True))


def _is_authenticator_code(device, code: str) -> bool:
    digits = getattr(device, "digits", 6)
    return code.isdigit() and len(code) == digits


def verify_code(user, code: str):
    """The confirmed device of ``user`` that accepts ``code`` (an authenticator code or an unused
    backup code, which is then spent), or None. Each device's own throttling (growing delays
    after failures) applies; failures are committed.

    A code goes only to the kind of device it can be for: the authenticator's digits to the
    authenticator, anything else (a backup code) to the backup codes. A backup code used is then
    a success, not also a failure (and a delay) of the authenticator."""
    code = "".join(str(code or "").split()).lower()
    if not code or len(code) > 16:
        return None
    with transaction.atomic():
        for device in devices_for_user(user, confirmed=True, for_verify=True):
            if isinstance(device, TOTPDevice) != _is_authenticator_code(device, code):
                continue
            if device.verify_token(code):
                return device
    return None


def device_of(user, persistent_id: str | None):
    """The confirmed device ``persistent_id`` names, if it still belongs to ``user`` (a reset
    by a supervisor deletes it, and with it every session and token it verified)."""
    if not persistent_id:
        return None
    device = Device.from_persistent_id(str(persistent_id))
    if device is None or device.user_id != user.pk or not device.confirmed:
        return None
    return device


def _is_verified(user) -> bool:
    return user.otp_device is not None


def mark_verified(user, device) -> None:
    """What django-otp's middleware does for a session, for a user from a token."""
    user.otp_device = device
    user.is_verified = functools.partial(_is_verified, user)
