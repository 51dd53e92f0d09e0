"""The permits endpoints under /api/v1/ (included by config/api_urls.py)."""

from django.urls import path

from core.api import converters  # noqa: F401  (registers the <id:...> path converter)

from . import applications, appointments, documents, permits, ratings, registrations

urlpatterns = [
    path("registrations/", registrations.RegistrationListView.as_view(), name="registrations"),
    path(
        "registrations/<id:pk>/",
        registrations.RegistrationDetailView.as_view(),
        name="registration",
    ),
    path(
        "registrations/<id:pk>/cancel/",
        registrations.RegistrationCancelView.as_view(),
        name="registration-cancel",
    ),
    path(
        "registrations/<id:pk>/lessor/",
        registrations.RegistrationLessorView.as_view(),
        name="registration-lessor",
    ),
    path("applications/", applications.ApplicationListView.as_view(), name="applications"),
    path(
        "applications/<id:pk>/",
        applications.ApplicationDetailView.as_view(),
        name="application",
    ),
    path(
        "applications/<id:pk>/materials/",
        applications.MaterialUploadView.as_view(),
        name="application-materials",
    ),
    path(
        "applications/<id:pk>/photo-receipt/",
        applications.PhotoReceiptView.as_view(),
        name="application-photo-receipt",
    ),
    path(
        "applications/<id:pk>/materials/<id:material_pk>/file/",
        applications.MaterialFileView.as_view(),
        name="application-material-file",
    ),
    path(
        "applications/<id:pk>/submit/",
        applications.SubmitView.as_view(),
        name="application-submit",
    ),
    path(
        "applications/<id:pk>/resubmit/",
        applications.ResubmitView.as_view(),
        name="application-resubmit",
    ),
    path(
        "applications/<id:pk>/withdraw/",
        applications.WithdrawView.as_view(),
        name="application-withdraw",
    ),
    path(
        "applications/<id:pk>/delivery/",
        applications.DeliveryView.as_view(),
        name="application-delivery",
    ),
    path(
        "applications/<id:pk>/rating/",
        ratings.RatingView.as_view(),
        name="application-rating",
    ),
    path(
        "applications/<id:pk>/appointment/",
        appointments.AppointmentView.as_view(),
        name="application-appointment",
    ),
    path("permits/", permits.PermitListView.as_view(), name="permits"),
    path("permits/<id:pk>/", permits.PermitDetailView.as_view(), name="permit"),
    path("documents/", documents.DocumentListView.as_view(), name="documents"),
    path("documents/<id:pk>/", documents.DocumentDetailView.as_view(), name="document"),
    path("documents/<id:pk>/file/", documents.DocumentFileView.as_view(), name="document-file"),
    path(
        "verify/document/<str:code>/",
        documents.DocumentVerifyView.as_view(),
        name="document-verify",
    ),
    path("verify/<str:code>/", permits.VerifyView.as_view(), name="verify"),
]
