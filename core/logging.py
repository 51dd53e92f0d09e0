"""Log lines that operators can use: each carries the request id and the user id (never a name,
phone or ID number), and in production each line is one JSON object (python-json-logger).

``RequestContextMiddleware`` gives every request an id (the proxy's ``X-Request-ID`` when it is
a sane token, else a new one), echoes it in the response, and makes it and the user's id
available to ``RequestContextFilter`` for every line logged while the request runs.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

from django.utils.functional import SimpleLazyObject, empty

_request = contextvars.ContextVar("portal_request", default=None)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def current_request_id() -> str:
    request = _request.get()
    return getattr(request, "request_id", "-") if request is not None else "-"


def _user_id(request) -> str:
    # Only a user already loaded for this request (or just logged in): a log line never
    # triggers a query.
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        user = None if user._wrapped is empty else user._wrapped
    if user is None or not getattr(user, "is_authenticated", False):
        return "-"
    return str(user.pk)


class RequestContextFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = _request.get()
        record.request_id = getattr(request, "request_id", "-") if request is not None else "-"
        record.user_id = _user_id(request) if request is not None else "-"
        return True


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get("X-Request-ID", "")
        request.request_id = offered if _REQUEST_ID.match(offered) else uuid.uuid4().hex
        token = _request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _request.reset(token)
        response["X-Request-ID"] = request.request_id
        return response
