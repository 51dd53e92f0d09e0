"""Domain-free records: when each scheduled job last finished without an error; the API's
bearer tokens (one row per signed-in device)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import page_cache


class JobRun(models.Model):
    """One row per scheduled job (its Celery task name), updated when a run succeeds; read by
    /healthz and /metrics so operators see a daily job that silently stopped."""

    name = models.CharField(_("job"), max_length=100, unique=True)
    last_success_at = models.DateTimeField(_("last successful run"))

    class Meta:
        verbose_name = _("scheduled job run")
        verbose_name_plural = _("scheduled job runs")

    def __str__(self) -> str:
        return self.name


class JobLock(models.Model):
    """A daily job's lease (issue 30): while a run holds it (``expires_at`` in the future), a
    second run of the same job does nothing. Taken and released by ``core.jobs.single_run``."""

    name = models.CharField(_("job"), max_length=100, unique=True)
    holder = models.CharField(_("held by"), max_length=64, blank=True)
    expires_at = models.DateTimeField(_("held until"), null=True, blank=True)

    class Meta:
        verbose_name = _("job lock")
        verbose_name_plural = _("job locks")

    def __str__(self) -> str:
        return self.name


@page_cache.watch
class ApiToken(models.Model):
    """One API bearer token (one signed-in device): revocable, listed in the account page.

    Only a SHA-256 digest of the token's random id is kept (the token itself is a signed value
    the client holds, ``core.api.auth``). Checked on every API request in the database, so the
    API keeps working while the cache (Redis) is down. ``password_tag`` ties the row to the
    password it was issued under: a new password ends every earlier token."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    digest = models.CharField(_("token digest"), max_length=64, unique=True, editable=False)
    password_tag = models.CharField(max_length=16, editable=False)
    device = models.CharField(_("device"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("signed in at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"))
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("API token (signed-in device)")
        verbose_name_plural = _("API tokens (signed-in devices)")
        ordering = ["-last_used_at", "-pk"]
        indexes = [models.Index(fields=["user", "-last_used_at"])]

    def __str__(self) -> str:
        return f"{self.device or '-'} ({self.created_at:%Y-%m-%d})"

    def page_accounts(self):
        return [self.user_id]  # the personal center lists the signed-in devices
