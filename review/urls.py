"""Police-side pages outside the admin's own URLs (included before ``admin/`` in config.urls)."""

from django.urls import path

from . import second_factor

urlpatterns = [
    path("second-factor/", second_factor.second_factor, name="second_factor"),
    path("second-factor/enrol/<str:token>/", second_factor.enrol, name="second_factor_enrol"),
    path("backup-codes/", second_factor.backup_codes, name="second_factor_backup_codes"),
]
