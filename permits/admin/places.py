from django.contrib import admin

from permits.models import House, StaffAssignment, Station


class HouseInline(admin.TabularInline):
    model = House
    extra = 0
    fields = ["code", "address", "district"]
    show_change_link = True


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "phone", "window_hours", "offers_mail"]
    search_fields = ["name", "code", "address"]


@admin.register(House)
class HouseAdmin(admin.ModelAdmin):
    list_display = ["code", "address", "district", "station"]
    list_filter = ["station"]
    list_select_related = ["station"]
    search_fields = ["code", "address"]


@admin.register(StaffAssignment)
class StaffAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "station"]
    list_select_related = ["user", "station"]
    list_filter = ["station"]
    autocomplete_fields = ["user"]
