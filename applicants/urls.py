from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import views

# Namespaced "applicants:"; login and logout keep their global names (LOGIN_URL = "login").
account_patterns = [
    path("signup/", views.SignUpView.as_view(), name="signup"),
    path("signup/confirm/", views.SignUpConfirmView.as_view(), name="signup_confirm"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password/reset/confirm/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("me/", views.PersonalCenterView.as_view(), name="me"),
    path(
        "me/devices/<int:pk>/sign-out/",
        views.SignedInDeviceRevokeView.as_view(),
        name="device_revoke",
    ),
    path("identity/", views.IdentityView.as_view(), name="identity"),
    path("dependents/add/", views.DependentCreateView.as_view(), name="dependent_add"),
    path("dependents/<int:pk>/", views.DependentDetailView.as_view(), name="dependent"),
    path("identities/<int:pk>/files/<slug:kind>/", views.identity_file, name="identity_file"),
]

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include((account_patterns, "applicants"))),
]
