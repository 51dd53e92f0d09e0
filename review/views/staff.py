"""What every lean staff screen shows around its content (``review/staff/base.html``): the
admin's header (site name, the user's name, the link to the admin's other records, sign-out)
without ``AdminSite.each_context`` (the app list, the sidebar: issue 29)."""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse


def staff_context(request, *, title: str) -> dict:
    user = request.user
    site = admin.site
    return {
        "title": title,
        "site_header": site.site_header,
        "site_title": site.site_title,
        "user_name": user.get_short_name() or user.get_username(),
        "home_url": reverse(f"{site.name}:index"),
        "records_url": reverse(f"{site.name}:records"),
        "logout_url": reverse(f"{site.name}:logout"),
    }
