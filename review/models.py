"""The police side's own rows: the audit trail (``AuditEvent``).

A small model rather than django-auditlog: auditlog records *model changes* (field diffs on save),
and would copy ID numbers and photos' names into its rows unless every field were excluded; the
events kept here are not model changes (logins, failed logins, refusals, "full ID number shown")
and carry only masked values. Rows are written by ``review.audit.log_event`` (outside any atomic
block, so a refused or failed act keeps its row), shown read-only to supervisors in the admin,
never changed or deleted there (not even by a superuser), and deleted only by the daily
retention job after ``AUDIT_RETENTION_DAYS``.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    event = models.CharField(_("event"), max_length=40, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,  # the row outlives the account and never blocks its deletion
    )
    actor = models.CharField(
        _("who (as shown)"),
        max_length=60,
        blank=True,
        help_text=_("Masked phone number of the account, or the masked login name tried."),
    )
    record_type = models.CharField(_("record type"), max_length=60, blank=True)
    record_id = models.CharField(_("record"), max_length=40, blank=True)
    ip = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    path = models.CharField(_("path"), max_length=200, blank=True)
    status = models.PositiveSmallIntegerField(_("HTTP status"), null=True, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-at", "-pk"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["event", "-at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.event}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("audit records are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit records are deleted only by the retention job")


class SecondFactorEnrolment(models.Model):
    """A one-time link that lets a member of staff set up a second factor (issue 30): issued by
    a supervisor in the admin or by ``manage.py second_factor_link``, handed over out of band,
    short-lived (``SECOND_FACTOR_ENROLMENT_MINUTES``) and single-use. Only the SHA-256 digest of
    its token is kept. Without one, an account without a device reaches nothing, not even the
    enrolment page: the password alone never enrols a device."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    digest = models.CharField(max_length=64, unique=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("second-factor enrolment link")
        verbose_name_plural = _("second-factor enrolment links")
        default_permissions = ()

    def __str__(self) -> str:
        return f"enrolment {self.pk} of user {self.user_id}"
