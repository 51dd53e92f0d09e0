"""The studio interface of the digital photo receipt (数码相片回执, seed 001 item 6: "enter the
digital receipt number ... the system will automatically upload"; issue 31, point 3).

A certified photo studio uploads the person's ID photo to its service and hands out a receipt
number; the portal asks the bureau's configured backend for the photo of a number. The setting
``PHOTO_RECEIPT_BACKEND`` names it: a key of ``BACKENDS`` (``local``, ``http``) or the dotted
path of a ``PhotoReceiptBackend`` subclass.

- ``local``: the stand-in for development and tests, reading ``permits.models.StudioPhoto``
  (rows entered in the admin or by a test).
- ``http``: a studio service over HTTPS. ``GET {PHOTO_RECEIPT_URL}/{number}`` with
  ``Authorization: Bearer {PHOTO_RECEIPT_TOKEN}`` answers 200 with JSON
  ``{"number", "id_number", "studio", "taken_on" (YYYY-MM-DD), "photo" (base64 JPEG/PNG)}``,
  404 for an unknown number, 410 for a number the service already gave out; and
  ``POST {PHOTO_RECEIPT_URL}/{number}/used`` tells it the number was used.

The portal keeps the rules whatever the backend: a number is used once (``PhotoReceiptUse``),
only for the person whose ID number the studio recorded, and the photo is checked like any
upload (``permits.services.applications.use_photo_receipt``).
"""

from __future__ import annotations

import base64
import binascii
import datetime
import logging
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils.module_loading import import_string

from permits.models import StudioPhoto

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StudioPhotoRecord:
    number: str
    id_number: str  # the person the studio photographed
    photo: bytes
    studio: str = ""
    taken_on: datetime.date | None = None


class ReceiptAlreadyGiven(Exception):
    """The studio service says the number was already used."""


class StudioUnavailable(Exception):
    """The studio service could not be asked (down, slow, a malformed answer)."""


class PhotoReceiptBackend:
    def fetch(self, number: str) -> StudioPhotoRecord | None:
        """The photo of receipt ``number``, or None for a number the studio does not know.
        Raises ``ReceiptAlreadyGiven`` or ``StudioUnavailable``."""
        raise NotImplementedError

    def mark_used(self, number: str) -> None:
        """Tell the studio the number was used (after the portal's own record committed)."""


class LocalPhotoReceiptBackend(PhotoReceiptBackend):
    """The stand-in: ``StudioPhoto`` rows of this database."""

    def fetch(self, number: str) -> StudioPhotoRecord | None:
        row = StudioPhoto.objects.filter(number=number).first()
        if row is None:
            return None
        try:
            with row.photo.open("rb") as handle:
                data = handle.read()
        except (OSError, ValueError) as exc:
            raise StudioUnavailable(str(exc)) from exc
        return StudioPhotoRecord(
            number=row.number,
            id_number=row.id_number,
            photo=data,
            studio=row.studio,
            taken_on=row.taken_on,
        )


class HttpPhotoReceiptBackend(PhotoReceiptBackend):
    """A studio service over HTTPS (the contract in this module's docstring)."""

    timeout = 10

    def _url(self, *parts: str) -> str:
        base = settings.PHOTO_RECEIPT_URL.rstrip("/")
        if not base:
            raise StudioUnavailable("PHOTO_RECEIPT_URL is not set")
        return "/".join([base, *(requests.utils.quote(p, safe="") for p in parts)])

    def _headers(self) -> dict:
        return {"Authorization": f"Bearer {settings.PHOTO_RECEIPT_TOKEN}"}

    def fetch(self, number: str) -> StudioPhotoRecord | None:
        try:
            response = requests.get(
                self._url(number), headers=self._headers(), timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise StudioUnavailable(str(exc)) from exc
        if response.status_code == 404:
            return None
        if response.status_code == 410:
            raise ReceiptAlreadyGiven(number)
        if response.status_code != 200:
            raise StudioUnavailable(f"HTTP {response.status_code}")
        try:
            body = response.json()
            taken_on = body.get("taken_on")
            return StudioPhotoRecord(
                number=str(body.get("number") or number),
                id_number=str(body["id_number"]).strip().upper(),
                photo=base64.b64decode(body["photo"], validate=True),
                studio=str(body.get("studio") or "")[:100],
                taken_on=datetime.date.fromisoformat(taken_on) if taken_on else None,
            )
        except (ValueError, KeyError, TypeError, binascii.Error) as exc:
            raise StudioUnavailable(f"malformed answer: {exc!r}") from exc

    def mark_used(self, number: str) -> None:
        response = requests.post(
            self._url(number, "used"), headers=self._headers(), timeout=self.timeout
        )
        response.raise_for_status()


BACKENDS = {
    "local": LocalPhotoReceiptBackend,
    "http": HttpPhotoReceiptBackend,
}


def get_backend() -> PhotoReceiptBackend:
    name = getattr(settings, "PHOTO_RECEIPT_BACKEND", "") or "local"
    backend = BACKENDS.get(name) or import_string(name)
    return backend()
