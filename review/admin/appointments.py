"""Window appointments on the police side: supervisors set each station's pickup windows and
one-off closures; the station's clerks see today's pickups by slot (``Pickup appointments``,
filtered to today by default). Station-scoped: another station's rows answer 404."""

import datetime

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core import clock
from core.admin_mixins import ReadOnlyAdminMixin
from core.masking import mask_name
from permits.admin.mixins import StationScopedAdminMixin
from permits.constants import ApplicationState
from permits.models import Appointment, PickupWindow, StationClosure
from permits.scoping import agency_id_of, station_id_of

from .ratings import supervisor


def station_staff(request) -> bool:
    user = request.user
    # an agency's staff (issue 31) neither hand over cards nor keep the station's windows
    return supervisor(request) or (
        user.is_staff and station_id_of(user) is not None and agency_id_of(user) is None
    )


class SupervisorEditsMixin:
    """Station staff read; supervisors edit (they set every station's hours)."""

    def has_module_permission(self, request):
        return station_staff(request)

    def has_view_permission(self, request, obj=None):
        return station_staff(request)

    def has_add_permission(self, request):
        return supervisor(request)

    def has_change_permission(self, request, obj=None):
        return supervisor(request)

    def has_delete_permission(self, request, obj=None):
        return supervisor(request)


@admin.register(PickupWindow)
class PickupWindowAdmin(SupervisorEditsMixin, StationScopedAdminMixin, admin.ModelAdmin):
    list_display = ["station", "weekday", "starts_at", "ends_at", "capacity"]
    list_filter = ["station", "weekday"]
    list_select_related = ["station"]


@admin.register(StationClosure)
class StationClosureAdmin(SupervisorEditsMixin, StationScopedAdminMixin, admin.ModelAdmin):
    list_display = ["station", "day", "reason"]
    list_filter = ["station"]
    list_select_related = ["station"]
    date_hierarchy = "day"


class DayFilter(admin.SimpleListFilter):
    """Today by default: the clerk's desk list."""

    title = _("day")
    parameter_name = "day"

    def lookups(self, request, model_admin):
        return [("today", _("today")), ("tomorrow", _("tomorrow")), ("all", _("all"))]

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": (self.value() or "today") == lookup,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        today = clock.today()
        value = self.value() or "today"
        if value == "today":
            return queryset.filter(day=today)
        if value == "tomorrow":
            return queryset.filter(day=today + datetime.timedelta(days=1))
        return queryset


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdminMixin, StationScopedAdminMixin, admin.ModelAdmin):
    """Today's pickups by slot for the station's clerk; read-only (the handover desk records
    the collection)."""

    list_display = ["starts_at", "day", "reference", "person", "attended"]
    list_filter = [DayFilter]
    list_select_related = ["application__person"]
    ordering = ["day", "starts_at", "pk"]
    list_per_page = 200
    fields = ["application", "day", "starts_at", "booked_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).filter(active=True)

    def has_module_permission(self, request):
        return station_staff(request)

    def has_view_permission(self, request, obj=None):
        return station_staff(request)

    @admin.display(description=_("reference"))
    def reference(self, obj):
        return obj.application.reference

    @admin.display(description=_("person"))
    def person(self, obj):
        person = obj.application.person
        return f"{mask_name(person.full_name)} · {person.masked_id_number}"

    @admin.display(description=_("collected"), boolean=True)
    def attended(self, obj):
        return obj.application.state == ApplicationState.COLLECTED
