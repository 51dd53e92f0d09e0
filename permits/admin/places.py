"""Admin for stations, houses (with the printable house-code QR) and staff assignments.

Houses and staff assignments are station-scoped (``StationScopedAdminMixin``): officers and
clerks see their station's rows only, supervisors all; another station's row answers 404.
The station's review of residence registrations is a review desk (``review.admin``).
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.qr import qr_svg
from permits.admin.mixins import StationScopedAdminMixin
from permits.models import Agency, House, StaffAssignment, Station
from permits.scoping import is_supervisor, scope_to_station, station_id_of
from permits.services import registrations as registration_services


class HouseInline(admin.TabularInline):
    """Scoped like ``HouseAdmin``: another station's houses never show through the inline."""

    model = House
    extra = 0
    fields = ["code", "address", "district"]
    show_change_link = True
    verbose_name_plural = _("jurisdiction: the houses this station covers")

    def get_queryset(self, request):
        return scope_to_station(super().get_queryset(request), request.user)


@admin.register(Station)
class StationAdmin(StationScopedAdminMixin, admin.ModelAdmin):
    """Officers and clerks see their own station only (another station's page answers 404,
    like its houses); supervisors all stations."""

    list_display = ["name", "code", "phone", "window_hours", "offers_mail", "house_count"]
    search_fields = ["name", "code", "address"]
    inlines = [HouseInline]

    def get_queryset(self, request):
        from django.db.models import Count

        # The mixin's scoping follows a foreign key to the station; here the row is the
        # station itself, so scope on its primary key (skipping the mixin's get_queryset).
        queryset = admin.ModelAdmin.get_queryset(self, request)
        if not is_supervisor(request.user):
            station_id = station_id_of(request.user) if request.user.is_staff else None
            queryset = queryset.filter(pk=station_id) if station_id else queryset.none()
        return queryset.annotate(_house_count=Count("houses"))

    @admin.display(description=_("houses"), ordering="_house_count")
    def house_count(self, obj):
        return obj._house_count


def house_qr_svg(house: House) -> bytes:
    payload = registration_services.house_qr_payload(house)
    return qr_svg(payload, scale=8, border=4, standalone=True).encode()


@admin.register(House)
class HouseAdmin(StationScopedAdminMixin, admin.ModelAdmin):
    list_display = ["code", "address", "district", "station", "qr_link"]
    list_filter = ["station"]
    list_select_related = ["station"]
    search_fields = ["code", "address"]
    readonly_fields = ["qr_code"]
    fields = ["code", "address", "district", "station", "qr_code"]

    @admin.display(description=_("QR code"))
    def qr_link(self, obj):
        url = reverse("admin:permits_house_print", args=[obj.pk])
        return format_html('<a href="{}" target="_blank">{}</a>', url, gettext("Print"))

    @admin.display(description=_("QR code"))
    def qr_code(self, obj):
        if obj is None or not obj.pk:
            return gettext("Saved houses get their QR code.")
        svg = reverse("admin:permits_house_qr", args=[obj.pk])
        page = reverse("admin:permits_house_print", args=[obj.pk])
        return format_html(
            '<img src="{}" alt="{}" width="200" height="200"><br>'
            '<a href="{}" target="_blank">{}</a> · <a href="{}" download="{}.svg">{}</a>',
            svg,
            obj.code,
            page,
            gettext("Print the door label"),
            svg,
            obj.code,
            gettext("Download SVG"),
        )

    def get_urls(self):
        return [
            path(
                "<path:object_id>/qr.svg",
                self.admin_site.admin_view(self.qr_view),
                name="permits_house_qr",
            ),
            path(
                "<path:object_id>/print/",
                self.admin_site.admin_view(self.print_view),
                name="permits_house_print",
            ),
        ] + super().get_urls()

    def _house(self, request, object_id) -> House:
        if not self.has_view_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def qr_view(self, request, object_id):
        house = self._house(request, object_id)
        response = HttpResponse(house_qr_svg(house), content_type="image/svg+xml")
        response["Cache-Control"] = "private, max-age=300"
        return response

    def print_view(self, request, object_id):
        house = self._house(request, object_id)
        return TemplateResponse(
            request,
            "permits/registrations/house_print.html",
            {
                **self.admin_site.each_context(request),
                "house": house,
                "qr_svg": house_qr_svg(house).decode().split("?>", 1)[-1],
                "payload": registration_services.house_qr_payload(house),
                "title": house.code,
            },
        )


@admin.register(Agency)
class AgencyAdmin(StationScopedAdminMixin, admin.ModelAdmin):
    """Community service agencies the stations entrusted (issue 31, Art. 9): supervisors add
    them and say whether applicants may apply there."""

    list_display = ["name", "station", "address", "phone", "accepts_applications"]
    list_filter = ["station", "accepts_applications"]
    list_select_related = ["station"]
    search_fields = ["name", "code", "address"]


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(StationScopedAdminMixin, admin.ModelAdmin):
    list_display = ["user", "station", "agency"]
    list_select_related = ["user", "station", "agency"]
    list_filter = ["station"]
    autocomplete_fields = ["user"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # Only staff accounts are assigned to a station (the autocomplete offers only
            # them, see applicants.admin.UserAdmin); a posted applicant account is refused.
            kwargs["queryset"] = db_field.remote_field.model._default_manager.filter(is_staff=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
