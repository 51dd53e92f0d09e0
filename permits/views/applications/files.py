"""7. Files: the pickup QR code and the applicant's own uploaded materials."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404

from core.qr import qr_png
from core.uploads import protected_file_response

from ...constants import (
    ApplicationState,
)
from ...models import Material
from .common import (
    get_application,
)


@login_required
def pickup_qr(request, pk):
    """The pickup code as a QR image, for the owner only, once window pickup was chosen."""
    application = get_application(request, pk)
    if application.state != ApplicationState.AWAITING_PICKUP or not application.pickup_code:
        raise Http404
    response = HttpResponse(qr_png(application.pickup_code), content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- 7. files ----------------------------------------------------------------------------------


@login_required
def material_file(request, pk, material_pk):
    application = get_application(request, pk)
    material = get_object_or_404(
        Material.objects.select_related("requirement"), pk=material_pk, application=application
    )
    return protected_file_response(
        material.file, download_name=f"{material.requirement.code}-v{material.version}"
    )
