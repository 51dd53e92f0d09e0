"""The digital photo receipt (数码相片回执, seed 001 item 6; issue 31, point 3): the person types
the number a certified studio gave them and the studio's photo becomes the application's
certificate photo, through ``upload_material`` like any upload (checked, versioned).

The portal's rules, whatever studio backend the bureau configured (``permits.photo_receipts``):
a number is used once (``PhotoReceiptUse``, a unique number); it brings a photo only for the
person whose ID number the studio recorded (another person's number is answered like a wrong
one, and stays unused for its owner); wrong numbers are limited per account and hour
(``PHOTO_RECEIPT_MAX_WRONG_PER_HOUR``), counted outside any transaction so a refusal keeps its
count.
"""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.errors import InvalidInput, RateLimited, ServiceError
from permits import photo_receipts
from permits.models import Material, PhotoReceiptUse
from permits.tasks import mark_photo_receipt_used

from .applicant import upload_material
from .common import require_filer

logger = logging.getLogger(__name__)

NUMBER_PATTERN = re.compile(r"^[A-Z0-9]{6,32}$")
WRONG_WINDOW = 3600


def normalize_receipt_number(raw: str) -> str:
    """As printed or typed: spaces and dashes dropped, letters in capitals."""
    return re.sub(r"[\s\-]", "", raw or "").upper()


def _wrong_key(user) -> str:
    return f"photoreceipt:wrong:{user.pk}"


def _too_many_wrong(user) -> bool:
    return (cache.get(_wrong_key(user)) or 0) >= settings.PHOTO_RECEIPT_MAX_WRONG_PER_HOUR


def _count_wrong(user) -> None:
    key = _wrong_key(user)
    cache.add(key, 0, timeout=WRONG_WINDOW)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WRONG_WINDOW)


def _not_found() -> InvalidInput:
    return InvalidInput(
        _(
            "No photo was found for this receipt number and your ID number. Check the number "
            "on the receipt the photo studio gave you."
        ),
        code="receipt_not_found",
    )


def _used() -> InvalidInput:
    return InvalidInput(
        _(
            "This receipt number has already been used. Each number can be used once: ask the "
            "photo studio for a new one, or upload a photo."
        ),
        code="receipt_used",
    )


def use_photo_receipt(*, user, application, number: str) -> Material:
    """Fetch the studio's photo of receipt ``number`` and make it the certificate photo of
    ``application`` (in a draft, or when the photo was asked for again)."""
    require_filer(user, application)
    code = application.service_type.certificate_photo_code()
    if code is None:
        raise InvalidInput(_("This application does not ask for a photo."), code="no_photo")
    number = normalize_receipt_number(number)
    if not NUMBER_PATTERN.match(number):
        raise InvalidInput(
            _("A receipt number is 6 to 32 letters and digits, as printed on the receipt."),
            code="receipt_malformed",
        )
    if _too_many_wrong(user):
        raise RateLimited(
            _("Too many wrong receipt numbers. Try again in an hour, or upload a photo."),
            retry_after=WRONG_WINDOW,
        )
    try:
        record = photo_receipts.get_backend().fetch(number)
    except photo_receipts.ReceiptAlreadyGiven as exc:
        raise _used() from exc
    except photo_receipts.StudioUnavailable as exc:
        logger.warning("photo receipt backend unavailable: %s", exc)
        raise ServiceError(
            _(
                "The photo studios' service cannot be reached just now. Try again later, or "
                "upload a photo."
            ),
            code="receipt_service_unavailable",
        ) from exc
    person_id = (application.person.id_number or "").strip().upper()
    if record is None or record.id_number.strip().upper() != person_id:
        _count_wrong(user)
        raise _not_found()
    if PhotoReceiptUse.objects.filter(number=number).exists():
        raise _used()
    upload = SimpleUploadedFile(f"receipt-{number}.jpg", record.photo)
    try:
        with transaction.atomic():
            material = upload_material(
                user=user, application=application, requirement_code=code, file=upload
            )
            PhotoReceiptUse.objects.create(
                number=number, studio=record.studio, material=material, used_by=user
            )
    except IntegrityError as exc:  # the same number used at the same moment
        raise _used() from exc
    transaction.on_commit(lambda: mark_photo_receipt_used.delay(number))
    return material
