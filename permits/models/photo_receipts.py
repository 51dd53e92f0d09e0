"""The digital photo receipt (数码相片回执, seed 001 item 6; issue 31, point 3): a certified photo
studio uploads the ID photo to its service and hands the person a receipt number; the person
types the number and the portal fetches the photo (``permits.photo_receipts``).

- ``StudioPhoto``: the local stand-in for a studio service (``PHOTO_RECEIPT_BACKEND=local``, for
  development and tests): what a studio would hold, entered in the admin or by a test.
- ``PhotoReceiptUse``: each number used, once (a unique number), with the material it became.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.masking import mask_id_number
from core.uploads import private_upload_to


class StudioPhoto(models.Model):
    """A photo a studio took, under its receipt number, for the person of ``id_number``."""

    number = models.CharField(_("receipt number"), max_length=32, unique=True)
    id_number = models.CharField(_("resident ID number"), max_length=18)
    photo = models.ImageField(_("photo"), upload_to=private_upload_to)
    studio = models.CharField(_("photo studio"), max_length=100)
    taken_on = models.DateField(_("taken on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("studio photo (local stand-in)")
        verbose_name_plural = _("studio photos (local stand-in)")

    def __str__(self) -> str:
        return f"{self.number} ({mask_id_number(self.id_number)})"


class PhotoReceiptUse(models.Model):
    """A receipt number used: never again (the unique number), whoever types it."""

    number = models.CharField(_("receipt number"), max_length=32, unique=True)
    studio = models.CharField(_("photo studio"), max_length=100, blank=True)
    material = models.OneToOneField(
        "permits.Material",
        verbose_name=_("material"),
        on_delete=models.CASCADE,
        related_name="photo_receipt",
    )
    used_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("used by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    used_at = models.DateTimeField(_("used at"), default=timezone.now)

    class Meta:
        verbose_name = _("photo receipt used")
        verbose_name_plural = _("photo receipts used")

    def __str__(self) -> str:
        return self.number
