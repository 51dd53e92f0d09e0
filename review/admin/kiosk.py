"""Station kiosks (issue 17): a supervisor enables a kiosk for a station and is shown its token
once (to type on the kiosk's set-up page), sees when each was last used, and revokes one that is
lost, moved or replaced. Supervisors only; the token itself is never stored or shown again."""

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.errors import ServiceError
from kiosk.models import KioskDevice
from kiosk.services.devices import enable_device, revoke_device

from .. import audit
from .ratings import SupervisorOnlyMixin, supervisor


class RevokedFilter(admin.SimpleListFilter):
    title = _("in use")
    parameter_name = "active"

    def lookups(self, request, model_admin):
        return [("1", _("in use")), ("0", _("revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "1":
            return queryset.filter(revoked_at__isnull=True)
        if self.value() == "0":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(KioskDevice)
class KioskDeviceAdmin(SupervisorOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "station", "in_use", "enabled_at", "enrolled_at", "last_seen_at"]
    list_filter = [RevokedFilter, "station"]
    list_select_related = ["station"]
    search_fields = ["name", "station__name"]
    actions = ["revoke"]
    readonly_fields = [
        "enabled_by",
        "enabled_at",
        "enrolled_at",
        "last_seen_at",
        "revoked_at",
        "revoked_by",
    ]

    def has_add_permission(self, request):
        return supervisor(request)

    def has_change_permission(self, request, obj=None):
        return supervisor(request)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name", "station"]
        return ["name", "station", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["station", *self.readonly_fields]  # a kiosk moved elsewhere is a new kiosk

    @admin.display(description=_("in use"), boolean=True)
    def in_use(self, obj):
        return obj.is_active

    def save_model(self, request, obj, form, change):
        if change:  # only the name can change
            obj.save(update_fields=["name"])
            return
        device, token = enable_device(user=request.user, station=obj.station, name=obj.name)
        obj.pk = device.pk
        obj.refresh_from_db()
        audit.log_event("kiosk_enabled", request=request, record=device)
        messages.warning(
            request,
            _(
                "Kiosk enabled. Its token, shown only now: %(token)s. On the kiosk's screen open "
                "%(path)s and enter it; the screen keeps it until the kiosk is revoked."
            )
            % {"token": token, "path": reverse("kiosk:setup")},
        )

    @admin.action(description=_("Revoke the selected kiosks (they stop at once)"))
    def revoke(self, request, queryset):
        revoked = 0
        for device in queryset.filter(revoked_at__isnull=True):
            try:
                revoke_device(user=request.user, device=device)
            except ServiceError as exc:
                messages.error(request, str(exc))
                continue
            audit.log_event("kiosk_revoked", request=request, record=device)
            revoked += 1
        messages.success(
            request,
            ngettext("%(count)d kiosk revoked.", "%(count)d kiosks revoked.", revoked)
            % {"count": revoked},
        )
