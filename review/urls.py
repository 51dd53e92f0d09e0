"""Police-side pages outside the admin's own URLs (included before ``admin/`` in config.urls)."""

from django.urls import path

from . import second_factor

urlpatterns = [
    path("second-factor/", second_factor.second_factor, name="second_factor"),
]
