"""The local studio stand-in (``PHOTO_RECEIPT_BACKEND=local``): a developer or a test bureau
enters studio photos here; and the receipt numbers used, read only (issue 31, point 3)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import ReadOnlyAdminMixin
from core.masking import mask_id_number
from permits.models import PhotoReceiptUse, StudioPhoto


@admin.register(StudioPhoto)
class StudioPhotoAdmin(admin.ModelAdmin):
    list_display = ["number", "masked_id_number", "studio", "taken_on"]
    search_fields = ["number"]

    @admin.display(description=_("resident ID number"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)


@admin.register(PhotoReceiptUse)
class PhotoReceiptUseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["number", "studio", "used_at"]
    search_fields = ["number"]
