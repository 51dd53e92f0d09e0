"""One error shape for every API answer that is not a success:

    {"code": "not_found", "message": "Not found.", "fields": {}}

``code`` is stable and machine-readable; ``message`` is in the request's language (the
LocaleMiddleware's choice: language cookie, then Accept-Language); ``fields`` maps a field name
to its messages for a 400 (``non_field_errors`` for the form as a whole). Mapped here:

- 400 invalid input (DRF's, a Django ValidationError), 401 no or bad credentials, 403 a missing
  permission, 404 not found or someone else's object, 405, 406, 415, 409 a refused transition
  (django_fsm.TransitionNotAllowed), 429 throttled (with Retry-After);
- a service's ``core.errors.ServiceError`` by its type, in ``SERVICE_ERROR_STATUS``: NotAllowed
  403; InvalidInput and WrongPassword 400 (with their fields); WrongState, StaleState,
  NotEligible, RuleRefused 409; RateLimited 429 (Retry-After when the service knows it).
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, SuspiciousOperation
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, JsonResponse
from django.utils.encoding import force_str
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.csrf import csrf_exempt
from django_fsm import TransitionNotAllowed
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from core import errors as core_errors

NON_FIELD = api_settings.NON_FIELD_ERRORS_KEY  # "non_field_errors"

# The one place a service's refusal becomes an HTTP status (the first matching type wins).
SERVICE_ERROR_STATUS: tuple[tuple[type[core_errors.ServiceError], int], ...] = (
    (core_errors.NotAllowed, status.HTTP_403_FORBIDDEN),
    (core_errors.WrongPassword, status.HTTP_400_BAD_REQUEST),
    (core_errors.InvalidInput, status.HTTP_400_BAD_REQUEST),
    (core_errors.RateLimited, status.HTTP_429_TOO_MANY_REQUESTS),
    (core_errors.WrongState, status.HTTP_409_CONFLICT),
    (core_errors.StaleState, status.HTTP_409_CONFLICT),
    (core_errors.NotEligible, status.HTTP_409_CONFLICT),
    (core_errors.RuleRefused, status.HTTP_409_CONFLICT),
    (core_errors.ServiceError, status.HTTP_409_CONFLICT),  # any other refusal
)


def error_body(code: str, message, fields: dict | None = None) -> dict:
    return {"code": str(code), "message": force_str(message), "fields": fields or {}}


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail -> {"field": [...], "items.0.name": [...]}."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = NON_FIELD if key in (NON_FIELD, NON_FIELD_ERRORS) else str(key)
            name = f"{prefix}.{name}" if prefix else name
            for sub_key, messages in _flatten(value, name).items():
                out.setdefault(sub_key, []).extend(messages)
    elif isinstance(detail, list | tuple):
        if all(not isinstance(item, dict | list | tuple) for item in detail):
            out[prefix or NON_FIELD] = [force_str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                name = f"{prefix}.{index}" if prefix else str(index)
                for sub_key, messages in _flatten(item, name).items():
                    out.setdefault(sub_key, []).extend(messages)
    else:
        out[prefix or NON_FIELD] = [force_str(detail)]
    return {key: value for key, value in out.items() if value}


def _first_code(detail, default: str) -> str:
    if isinstance(detail, exceptions.ErrorDetail):
        return detail.code or default
    if isinstance(detail, dict):
        for value in detail.values():
            return _first_code(value, default)
    if isinstance(detail, list | tuple) and detail:
        return _first_code(detail[0], default)
    return default


def _summary(fields: dict[str, list[str]]) -> str:
    if list(fields) == [NON_FIELD]:
        return fields[NON_FIELD][0]
    return gettext("Some fields are not valid; see the field errors.")


def from_django_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    """A Django ValidationError (a model's or a validator's) as DRF's 400."""
    if hasattr(exc, "error_dict"):
        detail = {
            (NON_FIELD if field == NON_FIELD_ERRORS else field): [
                exceptions.ErrorDetail(force_str(message), code=error.code or "invalid")
                for error in errors
                for message in error
            ]
            for field, errors in exc.error_dict.items()
        }
    else:
        detail = [
            exceptions.ErrorDetail(force_str(message), code=error.code or "invalid")
            for error in exc.error_list
            for message in error
        ]
    return exceptions.ValidationError(detail)


def service_error_status(exc: core_errors.ServiceError) -> int:
    return next(code for kind, code in SERVICE_ERROR_STATUS if isinstance(exc, kind))


def _service_error(exc) -> tuple[int, dict, dict] | None:
    """core.errors.ServiceError (and django_fsm's refusal) -> status, body and headers.

    The body's code is the error's own, except: a 400 with field messages is "invalid" (as
    DRF's own field errors) and every 429 is "throttled" (as DRF's throttles). ``reasons``
    become non-field messages; WrongPassword's message goes on ``password``."""
    if isinstance(exc, TransitionNotAllowed):
        message = gettext("This cannot be done in the current state.")
        return 409, error_body("conflict", message), {}
    if not isinstance(exc, core_errors.ServiceError):
        return None
    status_code = service_error_status(exc)
    message, code, headers = str(exc), exc.code, {}
    fields = {
        (NON_FIELD if name == core_errors.NON_FIELD else name): messages
        for name, messages in exc.field_messages().items()
    }
    if exc.reasons:
        fields.setdefault(NON_FIELD, []).extend(str(reason) for reason in exc.reasons)
    if isinstance(exc, core_errors.WrongPassword) and not fields:
        fields = {"password": [message]}
    elif isinstance(exc, core_errors.InvalidInput) and exc.fields:
        code, message = "invalid", _summary(fields)
    elif isinstance(exc, core_errors.InvalidInput):
        fields = fields or {NON_FIELD: [message]}
    elif isinstance(exc, core_errors.RateLimited):
        code = "throttled"
        message = next(iter(fields.values()))[0] if fields else message
        fields = {}
        if exc.retry_after:
            headers["Retry-After"] = str(int(exc.retry_after))
    return status_code, error_body(code, message, fields), headers


class CacheUnavailable(exceptions.APIException):
    """What needs the cache (Redis) to be safe, refused while it is down: the SMS-code limits
    fail closed (a code costs money and guards accounts); tokens and throttles do not need it."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "unavailable"
    default_detail = _lazy("This is briefly unavailable. Try again in a minute.")
    wait = 60


def _cache_unreachable(exc) -> bool:
    from core.unreachable import cache_unreachable

    if cache_unreachable(exc):
        import logging

        logging.getLogger(__name__).warning("API call refused: the cache is unreachable (%s)", exc)
        return True
    return False


def exception_handler(exc, context):
    """REST_FRAMEWORK["EXCEPTION_HANDLER"]: every handled error in the one shape."""
    service = _service_error(exc)
    if service is not None:
        set_rollback()
        status_code, body, headers = service
        return Response(body, status=status_code, headers=headers)

    if isinstance(exc, SuspiciousOperation):  # e.g. a body over DATA_UPLOAD_MAX_MEMORY_SIZE
        exc = exceptions.ParseError(gettext("The request is too large or malformed."))
    elif isinstance(exc, DjangoValidationError):
        exc = from_django_validation_error(exc)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    elif _cache_unreachable(exc):
        exc = CacheUnavailable()

    if not isinstance(exc, exceptions.APIException):
        return None  # a real server error: Django's 500 handling (and logging) applies

    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))

    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        body = error_body(_first_code(exc.detail, "invalid"), _summary(fields), fields)
        body["code"] = "invalid"
    else:
        detail = exc.detail
        if isinstance(detail, dict | list):
            fields = _flatten(detail)
            message = next(iter(fields.values()))[0] if fields else exc.default_detail
        else:
            message = detail
        code = _first_code(detail, exc.default_code)
        if isinstance(exc, exceptions.Throttled):
            code = "throttled"
        elif isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            code = code if code.startswith("token_") else "not_authenticated"
        body = error_body(code, message)

    set_rollback()
    return Response(body, status=exc.status_code, headers=headers)


@csrf_exempt  # changes nothing; a POST to an unknown path is a 404, not a CSRF page
def api_not_found(request, *args, **kwargs):
    """Any unknown path under /api/: a 404 in the same shape, never an HTML page."""
    return JsonResponse(error_body("not_found", gettext("Not found.")), status=404)
