from django.contrib import admin

from .scoping import scope_to_station


class StationScopedAdminMixin(admin.ModelAdmin):
    """Changelist, change view, search, autocomplete, actions and export all start from
    ``get_queryset``; scoping it here scopes them all (another station's URL answers 404).

    ``station_field`` is the lookup path to the row's station (e.g. "station" or
    "application__station")."""

    station_field = "station"

    def get_queryset(self, request):
        return scope_to_station(
            super().get_queryset(request), request.user, station_field=self.station_field
        )
