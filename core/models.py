"""Domain-free records: when each scheduled job last finished without an error."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
