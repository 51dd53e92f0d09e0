"""The applicants endpoints under /api/v1/ (included by config/api_urls.py)."""

from django.urls import path

from core.api import converters  # noqa: F401  (registers the <id:...> path converter)

from . import accounts, identity

urlpatterns = [
    path("auth/token/", accounts.TokenView.as_view(), name="token"),
    path("auth/phone-code/", accounts.PhoneCodeView.as_view(), name="phone-code"),
    path("auth/sign-up/", accounts.SignUpView.as_view(), name="sign-up"),
    path("auth/password-reset/", accounts.PasswordResetView.as_view(), name="password-reset"),
    path("me/", accounts.MeView.as_view(), name="me"),
    path("identity/", identity.OwnIdentityView.as_view(), name="identity"),
    path("dependents/", identity.DependentListView.as_view(), name="dependents"),
    path("dependents/<id:pk>/", identity.DependentDetailView.as_view(), name="dependent"),
]
