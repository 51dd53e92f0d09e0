"""URLs under /api/: the versioned API, its OpenAPI schema and its documentation page.

Unknown paths under /api/ answer 404 in the API's error shape (never an HTML page), and ids in
paths are 1-18 digits so no lookup can overflow the database's integer.
"""

from django.urls import include, path, re_path, register_converter
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView

from .api import accounts, identity, notifications
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
