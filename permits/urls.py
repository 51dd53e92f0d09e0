from django.urls import path

from .views import applications as applications_views
from .views import registrations as registration_views

app_name = "permits"

# The applicant's web flow for permit applications (issue 6).
application_patterns = [
    path("applications/", applications_views.application_list, name="application_list"),
    path("applications/new/", applications_views.start, name="application_start"),
    path("applications/<int:pk>/", applications_views.detail, name="application_detail"),
    path("applications/<int:pk>/resume/", applications_views.resume, name="application_resume"),
    path(
        "applications/<int:pk>/step/identity/",
        applications_views.step_identity,
        name="application_step_identity",
    ),
    path(
        "applications/<int:pk>/step/basis/",
        applications_views.step_basis,
        name="application_step_basis",
    ),
    path(
        "applications/<int:pk>/step/details/",
        applications_views.step_details,
        name="application_step_details",
    ),
    path(
        "applications/<int:pk>/step/material/<slug:code>/",
        applications_views.step_material,
        name="application_step_material",
    ),
    path("applications/<int:pk>/check/", applications_views.check, name="application_check"),
    path("applications/<int:pk>/submit/", applications_views.submit, name="application_submit"),
    path(
        "applications/<int:pk>/submitted/",
        applications_views.submitted,
        name="application_submitted",
    ),
    path(
        "applications/<int:pk>/supplement/",
        applications_views.supplement,
        name="application_supplement",
    ),
    path(
        "applications/<int:pk>/resubmit/",
        applications_views.resubmit,
        name="application_resubmit",
    ),
    path(
        "applications/<int:pk>/withdraw/",
        applications_views.withdraw,
        name="application_withdraw",
    ),
    path(
        "applications/<int:pk>/delivery/",
        applications_views.delivery,
        name="application_delivery",
    ),
    path(
        "applications/<int:pk>/delivery/window/",
        applications_views.delivery_window,
        name="application_delivery_window",
    ),
    path(
        "applications/<int:pk>/delivery/mail/",
        applications_views.delivery_mail,
        name="application_delivery_mail",
    ),
    path(
        "applications/<int:pk>/pickup-code.png",
        applications_views.pickup_qr,
        name="application_pickup_qr",
    ),
    path(
        "applications/<int:pk>/materials/<int:material_pk>/",
        applications_views.material_file,
        name="application_material_file",
    ),
]

# Residence registration at a house code (issue 4).
registration_patterns = [
    path("registrations/", registration_views.registration_list, name="registration_list"),
    path("registrations/new/", registration_views.registration_new, name="registration_new"),
    path(
        "registrations/<int:pk>/",
        registration_views.registration_detail,
        name="registration_detail",
    ),
    path(
        "registrations/<int:pk>/cancel/",
        registration_views.registration_cancel,
        name="registration_cancel",
    ),
    path(
        "registrations/<int:pk>/proof/",
        registration_views.registration_proof,
        name="registration_proof",
    ),
]

urlpatterns = [
    *application_patterns,
    *registration_patterns,
]
