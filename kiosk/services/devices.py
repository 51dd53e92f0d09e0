"""Kiosk devices: a supervisor enables one for a station and gets its token once; the screen is
set up with that token (kept in a cookie of that browser); revoking it refuses the device at its
next touch. Only the token's SHA-256 is stored."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.utils import timezone

from core.errors import NotAllowed, WrongState

from ..models import KioskDevice

TOKEN_BYTES = 24  # 32 characters of URL-safe base64, 192 bits
# ``last_seen_at`` is written at most this often (a busy kiosk does not write on every touch).
SEEN_RESOLUTION = datetime.timedelta(minutes=1)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.strip().encode()).hexdigest()


def enable_device(*, user, station, name: str) -> tuple[KioskDevice, str]:
    """A new kiosk at ``station``; returns the device and its token (shown once, never stored)."""
    if not user.has_perm("kiosk.add_kioskdevice"):
        raise NotAllowed()
    token = secrets.token_urlsafe(TOKEN_BYTES)
    device = KioskDevice.objects.create(
        name=name.strip(), station=station, token_hash=token_hash(token), enabled_by=user
    )
    return device, token


def revoke_device(*, user, device: KioskDevice) -> KioskDevice:
    """Stop a device now (lost, moved, replaced). Its token never works again."""
    if not user.has_perm("kiosk.change_kioskdevice"):
        raise NotAllowed()
    updated = KioskDevice.objects.filter(pk=device.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=user
    )
    if not updated:
        raise WrongState()
    device.refresh_from_db()
    return device


def active_device(token: str | None) -> KioskDevice | None:
    """The live device holding ``token``, or None (unknown, revoked). Notes it was seen."""
    if not token:
        return None
    device = (
        KioskDevice.objects.select_related("station")
        .filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .first()
    )
    if device is None:
        return None
    now = timezone.now()
    if device.last_seen_at is None or now - device.last_seen_at > SEEN_RESOLUTION:
        KioskDevice.objects.filter(pk=device.pk).update(last_seen_at=now)
        device.last_seen_at = now
    return device


def set_up_screen(token: str) -> KioskDevice | None:
    """The screen gives the token it was handed: the device, or None when it is not a live
    token. The first set-up is noted (``enrolled_at``)."""
    device = active_device(token)
    if device is not None and device.enrolled_at is None:
        KioskDevice.objects.filter(pk=device.pk, enrolled_at__isnull=True).update(
            enrolled_at=timezone.now()
        )
    return device
