"""The police side's admin: one module per desk. Applications and permits (``applications``),
identity verification (``identities``) and residence registrations (``registrations``) all use
the one desk mechanism of ``review.desks``; the landing page shows the officer's single queue."""

from django.contrib import admin

from applicants.forms import StaffLoginForm

from ..views import queue
from . import (
    applications,  # noqa: F401
    appointments,  # noqa: F401
    audit,  # noqa: F401
    identities,  # noqa: F401
    kiosk,  # noqa: F401
    ratings,  # noqa: F401
    registrations,  # noqa: F401
    sign_in,  # noqa: F401
)

# The landing page of the admin is the user's review queue, its own lean screen (issue 29); the
# admin's list of records moves to /admin/records/ (review.site).
admin.site.landing_view = queue.landing
admin.site.index_template = "review/admin_index.html"
# Staff log in with the phone formats applicants use (issue 15, point 3).
admin.site.login_form = StaffLoginForm

# The beat schedule is defined in code (config/celery.py) and written into the database at
# migrate; django-celery-beat's own admin pages (which would let a desk edit it) are not offered.
for _model in admin.site._registry.copy():
    if _model._meta.app_label == "django_celery_beat":
        admin.site.unregister(_model)
