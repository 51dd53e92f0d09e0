"""URLs under /api/: the versioned API, its OpenAPI schema and its documentation page.

Unknown paths under /api/ answer 404 in the API's error shape (never an HTML page), and ids in
paths are 1-18 digits so no lookup can overflow the database's integer.
"""

from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from .api import (
    accounts,
    applications,
    identity,
    notifications,
    permits,
    registrations,
    staff,
)
from .api.errors import api_not_found


class IdConverter:
    regex = "[0-9]{1,18}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(IdConverter, "id")

v1_patterns = [
    path("auth/token/", accounts.TokenView.as_view(), name="token"),
    path("auth/phone-code/", accounts.PhoneCodeView.as_view(), name="phone-code"),
    path("auth/sign-up/", accounts.SignUpView.as_view(), name="sign-up"),
    path("auth/password-reset/", accounts.PasswordResetView.as_view(), name="password-reset"),
    path("me/", accounts.MeView.as_view(), name="me"),
    path("identity/", identity.OwnIdentityView.as_view(), name="identity"),
    path("dependents/", identity.DependentListView.as_view(), name="dependents"),
    path("dependents/<id:pk>/", identity.DependentDetailView.as_view(), name="dependent"),
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
    path("permits/", permits.PermitListView.as_view(), name="permits"),
    path("permits/<id:pk>/", permits.PermitDetailView.as_view(), name="permit"),
    path("verify/<str:code>/", permits.VerifyView.as_view(), name="verify"),
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

urlpatterns = [
    path("v1/", include((v1_patterns, "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    re_path(r"^", api_not_found),
]
