from django.contrib.auth import views as auth_views
from django.urls import path

from .forms import PhoneLoginForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="applicants/login.html", authentication_form=PhoneLoginForm
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]
