from django.urls import path

from .views import registrations as registration_views
from .views.applications import after, files, pickup_or_mail, submission, wizard

app_name = "permits"

# The applicant's web flow for permit applications (issue 6).
application_patterns = [
    path("applications/", after.application_list, name="application_list"),
    path("applications/new/", wizard.start, name="application_start"),
    path("applications/<int:pk>/", after.detail, name="application_detail"),
    path("applications/<int:pk>/resume/", wizard.resume, name="application_resume"),
    path(
        "applications/<int:pk>/step/identity/",
        wizard.step_identity,
        name="application_step_identity",
    ),
    path(
        "applications/<int:pk>/step/basis/",
        wizard.step_basis,
        name="application_step_basis",
    ),
    path(
        "applications/<int:pk>/step/details/",
        wizard.step_details,
        name="application_step_details",
    ),
    path(
        "applications/<int:pk>/step/material/<slug:code>/",
        wizard.step_material,
        name="application_step_material",
    ),
    path("applications/<int:pk>/check/", submission.check, name="application_check"),
    path("applications/<int:pk>/submit/", submission.submit, name="application_submit"),
    path(
        "applications/<int:pk>/submitted/",
        submission.submitted,
        name="application_submitted",
    ),
    path(
        "applications/<int:pk>/supplement/",
        after.supplement,
        name="application_supplement",
    ),
    path(
        "applications/<int:pk>/resubmit/",
        after.resubmit,
        name="application_resubmit",
    ),
    path(
        "applications/<int:pk>/withdraw/",
        after.withdraw,
        name="application_withdraw",
    ),
    path(
        "applications/<int:pk>/delivery/",
        pickup_or_mail.delivery,
        name="application_delivery",
    ),
    path(
        "applications/<int:pk>/delivery/window/",
        pickup_or_mail.delivery_window,
        name="application_delivery_window",
    ),
    path(
        "applications/<int:pk>/delivery/mail/",
        pickup_or_mail.delivery_mail,
        name="application_delivery_mail",
    ),
    path(
        "applications/<int:pk>/pickup-code.png",
        files.pickup_qr,
        name="application_pickup_qr",
    ),
    path(
        "applications/<int:pk>/materials/<int:material_pk>/",
        files.material_file,
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
