"""The police side's admin site: Django's, with the officer's queue as its landing page and the
app list built once per request.

The landing page (``/admin/``, the admin's ``index``) is the officer's single queue, served by
its own lean view (``review.views.queue``, issue 29) for every member of staff who works it;
the admin's list of records, the way to everything else, moves to ``/admin/records/``
(``admin:records``). Installed as the default site by ``review.apps.PortalAdminConfig``."""

from django.contrib import admin
from django.urls import path
from django.utils.translation import gettext_lazy as _


class PortalAdminSite(admin.AdminSite):
    # The landing page's own view, ``view(request)``: a response, or None for a user it is not
    # for (then the admin's index). Set by ``review.admin`` (``review.views.queue.landing``).
    landing_view = None

    def get_urls(self):
        return [
            path("records/", self.admin_view(self.records), name="records"),
            *super().get_urls(),
        ]

    def index(self, request, extra_context=None):
        if self.landing_view is not None:
            response = self.landing_view(request)
            if response is not None:
                return response
        return super().index(request, extra_context)

    def records(self, request):
        """The admin's own index: every model this user may open."""
        return super().index(request, {"title": _("Other records")})

    def get_app_list(self, request, app_label=None):
        # Built once per request (the index asked for it twice, once for the page and once
        # for the navigation: ~2.5 ms each; issue 18).
        built = request.__dict__.setdefault("_portal_admin_app_lists", {})
        if app_label not in built:
            built[app_label] = super().get_app_list(request, app_label)
        return built[app_label]
