"""The police side's admin site: Django's, with the app list built once per request (the landing
page asked for it twice, once for the page and once for the navigation: ~2.5 ms each on every
landing page; issue 18). Installed as the default site by ``review.apps.PortalAdminConfig``."""

from django.contrib import admin


class PortalAdminSite(admin.AdminSite):
    def get_app_list(self, request, app_label=None):
        built = request.__dict__.setdefault("_portal_admin_app_lists", {})
        if app_label not in built:
            built[app_label] = super().get_app_list(request, app_label)
        return built[app_label]
