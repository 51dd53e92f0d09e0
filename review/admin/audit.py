"""The audit records (read-only, supervisors) and the retention page: what the daily job will
delete next (``permits.selectors.retention``), for supervisors only."""

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import ReadOnlyAdminMixin
from permits.scoping import is_supervisor
from permits.selectors import retention

from ..models import AuditEvent

RETENTION_SHOWN = 50  # rows listed per kind (the count is complete)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Looked at, never added, changed or deleted in the admin, not even by a superuser: the
    only deletion is the daily retention job (``AUDIT_RETENTION_DAYS``)."""

    change_list_template = "review/auditevent_change_list.html"
    list_display = ["at", "event", "actor", "record_type", "record_id", "ip", "status", "path"]
    list_filter = ["event", "record_type"]
    search_fields = ["=record_id", "=ip", "=event"]
    date_hierarchy = "at"
    list_per_page = 100
    show_full_result_count = False
    fields = [
        "at",
        "event",
        "user",
        "actor",
        "record_type",
        "record_id",
        "ip",
        "method",
        "path",
        "status",
        "details",
    ]
    readonly_fields = fields
    actions = None

    def has_view_permission(self, request, obj=None):
        return is_supervisor(request.user) and request.user.has_perm("review.view_auditevent")

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def get_urls(self):
        return [
            path(
                "retention/",
                self.admin_site.admin_view(self.retention_view),
                name="review_retention_due",
            ),
        ] + super().get_urls()

    def retention_view(self, request):
        """What the next retention run deletes: per kind, the count and the first rows."""
        if not is_supervisor(request.user):
            raise PermissionDenied
        periods = {
            "identity_photos": settings.RETENTION_IDENTITY_PHOTOS_DAYS,
            "application_materials": settings.RETENTION_APPLICATION_MATERIALS_DAYS,
            "registration_proofs": settings.RETENTION_REGISTRATION_PROOFS_DAYS,
            "lessor_confirmations": settings.RETENTION_REGISTRATION_PROOFS_DAYS,
        }
        titles = {
            "identity_photos": _("Identity photos (ID card, face photo, agent proof)"),
            "application_materials": _("Application materials"),
            "registration_proofs": _("Registration proofs"),
            "lessor_confirmations": _("Lessors' phone numbers and names on their confirmations"),
        }
        sections = []
        for kind, (due, _fields) in retention.DUE.items():
            queryset = due()
            if kind == "application_materials":
                queryset = queryset.select_related("application", "requirement")
            elif kind == "registration_proofs":
                queryset = queryset.select_related("person", "house")
            sections.append(
                {
                    "kind": kind,
                    "title": titles[kind],
                    "days": periods[kind],
                    "count": queryset.count(),
                    "rows": list(queryset[:RETENTION_SHOWN]),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Due for deletion"),
            "sections": sections,
            "shown": RETENTION_SHOWN,
            "audit_days": settings.AUDIT_RETENTION_DAYS,
        }
        return TemplateResponse(request, "review/retention_due.html", context)
