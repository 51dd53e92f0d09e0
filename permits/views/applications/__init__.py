"""The applicant's web flow (issue 6; seed 002 steps ②-④): choose a service and for whom, one
step per page (each saves the draft), check your answers, submit with the login password, then
My applications with the timeline, requested material, withdrawal, and pickup or mail.

Views are thin: forms validate what was typed, every act is one call to
``permits.services.applications``; reads come from ``permits.selectors``. An applicant reaches
only the applications they filed or that are for a person they act for: anything else answers
404, files included.

- ``steps``: the wizard's steps (which pages a draft has, which are done, what comes next)
- ``wizard``: 1. start, resume; 2. the step pages
- ``submission``: 3. check your answers, 4. submit, the confirmation
- ``after``: 5. My applications, one application, requested material, resubmit, withdraw
- ``pickup_or_mail``: 6. pickup or mail
- ``files``: the pickup QR code and the uploaded materials
"""

from .after import application_list, detail, resubmit, supplement, withdraw
from .common import owned_applications
from .files import material_file, pickup_qr
from .pickup_or_mail import delivery, delivery_mail, delivery_window
from .submission import check, submit, submitted
from .wizard import resume, start, step_basis, step_details, step_identity, step_material

__all__ = [
    "application_list",
    "check",
    "delivery",
    "delivery_mail",
    "delivery_window",
    "detail",
    "material_file",
    "owned_applications",
    "pickup_qr",
    "resubmit",
    "resume",
    "start",
    "step_basis",
    "step_details",
    "step_identity",
    "step_material",
    "submit",
    "submitted",
    "supplement",
    "withdraw",
]
