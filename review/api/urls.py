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
    path(
        "staff/applications/<id:pk>/produced/", staff.ProducedView.as_view(), name="staff-produced"
    ),
    path(
        "staff/applications/<id:pk>/old-card-received/",
        staff.OldCardReceivedView.as_view(),
        name="staff-old-card-received",
    ),
    path("staff/applications/<id:pk>/mailed/", staff.MailedView.as_view(), name="staff-mailed"),
    path(
        "staff/applications/<id:pk>/delivered/",
        staff.DeliveredView.as_view(),
        name="staff-delivered",
    ),
    path(
        "staff/applications/<id:pk>/collected/",
        staff.CollectedView.as_view(),
        name="staff-collected",
    ),
    path(
        "staff/applications/<id:pk>/card-returned/",
        staff.CardReturnedView.as_view(),
        name="staff-card-returned",
    ),
    path(
        "staff/applications/<id:pk>/cancellation-completed/",
        staff.CancellationCompletedView.as_view(),
        name="staff-cancellation-completed",
    ),
]
