from django.urls import path

from .views import appointments as appointment_views
from .views import documents as document_views
from .views import lessors as lessor_views
from .views import ratings as rating_views
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
    path("applications/<int:pk>/place/", submission.place, name="application_place"),
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

# Ratings of every case (好差评): signed in from the case page, or from the SMS link.
rating_patterns = [
    path("applications/<int:pk>/rate/", rating_views.rate_case, name="application_rate"),
    path("rate/<str:token>/", rating_views.rate_by_link, name="rate_by_link"),
]

# Window appointments: book, move or cancel a pickup time.
appointment_patterns = [
    path(
        "applications/<int:pk>/appointment/",
        appointment_views.appointment,
        name="application_appointment",
    ),
]

# The papers a station signs (issue 16): downloads and the residence certificate.
document_patterns = [
    path("documents/<int:pk>/", document_views.document_file, name="document_file"),
    path(
        "residence-certificate/",
        document_views.residence_certificate,
        name="residence_certificate",
    ),
]

# The lessor's confirmation of a tenant's address (issue 31): asked by the tenant, answered by
# the lessor from the SMS link without signing in.
lessor_patterns = [
    path(
        "registrations/<int:pk>/lessor/",
        lessor_views.registration_ask_lessor,
        name="registration_ask_lessor",
    ),
    path(
        "applications/<int:pk>/step/material/<slug:code>/lessor/",
        lessor_views.application_ask_lessor,
        name="application_ask_lessor",
    ),
    path("lessor/<str:token>/", lessor_views.lessor_confirm, name="lessor_confirm"),
]

urlpatterns = [
    *application_patterns,
    *lessor_patterns,
    *document_patterns,
    *rating_patterns,
    *appointment_patterns,
    *registration_patterns,
]
