from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404

from permits.scoping import scope_to_station


class StationScopedAdminMixin(admin.ModelAdmin):
    """Changelist, change view, search, autocomplete, actions and export all start from
    ``get_queryset``; scoping it here scopes them all. A row outside the scope answers 404
    (Django's admin would redirect to the index with a "doesn't exist" message instead).

    ``station_field`` is the lookup path to the row's station (e.g. "station" or
    "application__station")."""

    station_field = "station"

    def get_queryset(self, request):
        return scope_to_station(
            super().get_queryset(request), request.user, station_field=self.station_field
        )

    def _get_scoped_or_404(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        return obj

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if object_id:
            self._get_scoped_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._get_scoped_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._get_scoped_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)
