"""A kiosk device: one touch screen at a station, enabled by a supervisor."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class KioskDevice(models.Model):
    """A self-service terminal (自助终端) at a police station. The device proves itself with a
    token given once when the supervisor enables it; only its SHA-256 is stored. Revoking it
    ends its use at once (the next touch is refused)."""

    name = models.CharField(
        _("name"),
        max_length=100,
        help_text=_("Where the screen stands, e.g. hall, left of the door"),
    )
    station = models.ForeignKey(
        "permits.Station",
        verbose_name=_("police station (派出所)"),
        on_delete=models.PROTECT,
        related_name="kiosk_devices",
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    enabled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("enabled by"),
        on_delete=models.PROTECT,
        related_name="+",
        editable=False,
    )
    enabled_at = models.DateTimeField(_("enabled at"), auto_now_add=True)
    enrolled_at = models.DateTimeField(_("set up on the screen at"), null=True, editable=False)
    last_seen_at = models.DateTimeField(_("last used at"), null=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
    )

    class Meta:
        verbose_name = _("kiosk device (自助终端)")
        verbose_name_plural = _("kiosk devices (自助终端)")
        ordering = ["station__name", "name"]

    def __str__(self) -> str:
        return f"{self.station} · {self.name}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
