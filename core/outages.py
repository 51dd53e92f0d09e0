"""What a request does when a backing service is unreachable (issue 30): PostgreSQL or Redis.

A request that needs one that is down gets a 503 in words, never Django's bare "Server Error
(500)": on the web a page in the person's language saying the service is briefly unavailable
and that nothing was saved (with what they typed, ready to send again); on the API the one error
shape (``core.api.errors``) with ``Retry-After``. ``config.urls`` names ``server_error`` as
Django's ``handler500``, so this covers an outage met anywhere in a request (a view, a
middleware, the session saved on the way out).
"""

from __future__ import annotations

import logging
import sys

from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext

from core.api.errors import error_body
from core.unreachable import is_outage

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 60
# Fields never written back into a page (the "send again" form): secrets and one-time codes.
NOT_ECHOED = ("password", "csrfmiddlewaretoken", "otp", "token")
# ...and the one-time codes' own names (SMS codes, the second factor's): not as substrings, so a
# field such as a postal code is still given back.
NOT_ECHOED_NAMES = ("code", "sms_code")


def is_api(request) -> bool:
    return request.path.startswith("/api/")


def _activate_language(request) -> None:
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language_from_request(
        request
    )
    translation.activate(language)


def _typed_fields(request) -> list[tuple[str, str]]:
    """What the person sent, to send again from the page (never passwords or codes, never
    files: a browser cannot be handed a file back)."""
    if request.method != "POST":
        return []
    try:
        data = request.POST
    except Exception:  # noqa: BLE001 - an unreadable body: nothing to give back
        return []
    return [
        (name, value)
        for name, values in data.lists()
        if not any(secret in name.lower() for secret in NOT_ECHOED)
        and name.lower() not in NOT_ECHOED_NAMES
        for value in values
    ]


def unavailable_response(request) -> HttpResponse:
    """The 503 answer: JSON on the API, the project's own page on the web."""
    _activate_language(request)
    if is_api(request):
        response = JsonResponse(
            error_body(
                "unavailable",
                gettext(
                    "The service is briefly unavailable. Nothing was saved. Try again in a minute."
                ),
            ),
            status=503,
        )
    else:
        try:
            has_files = bool(request.method == "POST" and request.FILES)
        except Exception:  # noqa: BLE001
            has_files = False
        context = {
            "request": request,
            "csrf_token": get_token(request),
            "was_sent": request.method == "POST",
            "typed": _typed_fields(request),
            "had_files": has_files,
            "retry_after": RETRY_AFTER_SECONDS,
        }
        # Rendered without the context processors: they read the user and the unread count
        # from the database that is down.
        response = HttpResponse(loader.render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def server_error(request, *args, **kwargs) -> HttpResponse:
    """Django's handler500: an outage is a 503 in words; any other error the project's 500 page
    (JSON on the API)."""
    exc = sys.exc_info()[1]
    if is_outage(exc):
        logger.warning("request answered 503: a backing service is unreachable (%r)", exc)
        return unavailable_response(request)
    _activate_language(request)
    if is_api(request):
        return JsonResponse(
            error_body(
                "server_error", gettext("Something went wrong on our side. Try again later.")
            ),
            status=500,
        )
    return HttpResponse(loader.render_to_string("500.html", {"request": request}), status=500)


__all__ = [
    "RETRY_AFTER_SECONDS",
    "is_outage",
    "server_error",
    "unavailable_response",
]
