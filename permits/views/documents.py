"""The papers a station signs (issue 16): the download (the owner, or the station's staff), the
residence certificate asked for in the personal center, and the public verification page."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from core.api.throttles import IPThrottle
from core.errors import ServiceError
from core.uploads import max_upload_bytes, protected_file_response

from ..constants import HELD_PERMIT_STATUSES
from ..models import ResidencePermit
from ..selectors.documents import check_document, documents_of, normalise_hash, staff_documents
from ..services.documents import issue_residence_certificate
from ..services.rendering import ensure_rendered


def _visible_document(request, pk):
    document = documents_of(request.user).filter(pk=pk).first()
    if document is None and request.user.is_staff:
        document = staff_documents(request.user).filter(pk=pk).first()
    if document is None:
        raise Http404
    return document


@login_required
def document_file(request, pk):
    """The PDF, to the applicant who filed the case (or the certificate's holder account) and to
    the staff of the issuing station; 404 for anyone else. Rendered now if the task has not
    yet stored it."""
    document = ensure_rendered(_visible_document(request, pk))
    return protected_file_response(document.file, download_name=document.number)


@login_required
@require_POST
def residence_certificate(request):
    """Issue a residence certificate (居住证明) for one of the account's usable permits."""
    permit = get_object_or_404(
        ResidencePermit.objects.select_related("holder", "house", "station"),
        pk=request.POST.get("permit") if str(request.POST.get("permit", "")).isdigit() else 0,
        holder__account=request.user,
        status__in=HELD_PERMIT_STATUSES,
    )
    try:
        document = issue_residence_certificate(
            user=request.user, permit=permit, language=request.POST.get("language", "")
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
        return redirect(f"{reverse('applicants:me')}#permits")
    messages.success(
        request,
        _("Your residence certificate %(number)s is ready, valid until %(date)s.")
        % {"number": document.number, "date": document.valid_until.isoformat()},
    )
    return redirect(f"{reverse('applicants:me')}#document-{document.pk}")


def _throttled(request) -> bool:
    class _View:
        throttle_scope = "verify"

    return not IPThrottle().allow_request(request, _View())


def uploaded_hash(file) -> str:
    """The SHA-256 of an uploaded copy (read up to the upload limit; nothing is stored)."""
    digest = hashlib.sha256()
    limit, read = max_upload_bytes(), 0
    for chunk in file.chunks():
        read += len(chunk)
        if read > limit:
            return ""
        digest.update(chunk)
    return digest.hexdigest()


@never_cache
@require_http_methods(["GET", "POST"])
def verify_document(request, code: str):
    """Public, without login, rate-limited: is the paper behind ``code`` genuine? With a hash
    (``?sha256=``) or an uploaded copy of the PDF, the file itself is checked too."""
    if _throttled(request):
        response = render(
            request, "permits/documents/verify_page.html", {"throttled": True}, status=429
        )
        response["Retry-After"] = "60"
        return response
    content_hash = None
    if request.method == "POST" and request.FILES.get("file"):
        content_hash = uploaded_hash(request.FILES["file"])
    elif request.GET.get("sha256"):
        content_hash = normalise_hash(request.GET["sha256"])[:64]
    result = check_document(code, content_hash)
    response = render(
        request,
        "permits/documents/verify_page.html",
        {"result": result, "code": code[:40], "hash_checked": content_hash is not None},
    )
    response["X-Robots-Tag"] = "noindex"
    # same-origin, not no-referrer: with no-referrer a browser posts the file check with
    # "Origin: null" and Django's CSRF check refuses it (403); same-origin still sends nothing
    # to another site (the code stays on this host).
    response["Referrer-Policy"] = "same-origin"
    return response
