"""The notifications endpoints under /api/v1/ (included by config/api_urls.py)."""

from django.urls import path

from core.api import converters  # noqa: F401  (registers the <id:...> path converter)

from . import views as notifications

urlpatterns = [
    path("notifications/", notifications.NotificationListView.as_view(), name="notifications"),
    path(
        "notifications/read-all/",
        notifications.NotificationReadAllView.as_view(),
        name="notifications-read-all",
    ),
    path(
        "notifications/<id:pk>/",
        notifications.NotificationDetailView.as_view(),
        name="notification",
    ),
    path(
        "notifications/<id:pk>/read/",
        notifications.NotificationReadView.as_view(),
        name="notification-read",
    ),
]
