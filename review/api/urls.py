"""The review endpoints under /api/v1/ (included by config/api_urls.py)."""

from django.urls import path

from core.api import converters  # noqa: F401  (registers the <id:...> path converter)

from . import staff

urlpatterns = [
    path(
        "staff/applications/", staff.StaffApplicationListView.as_view(), name="staff-applications"
    ),
    path(
        "staff/applications/<id:pk>/",
        staff.StaffApplicationDetailView.as_view(),
        name="staff-application",
    ),
]
urlpatterns += [
    path(f"staff/applications/<id:pk>/{part}/", view.as_view(), name=f"staff-{part}")
    for part, view in staff.ACT_VIEWS.items()
]
