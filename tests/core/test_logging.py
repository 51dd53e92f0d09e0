"""Production log lines are JSON with a request id and a user id, and no personal data."""

import io
import json
import logging

import pytest
from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

from core.logging import RequestContextFilter
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def json_lines():
    """The production formatter and filter of settings.LOGGING on a buffer."""
    spec = dict(settings.LOGGING["formatters"]["json"])
    spec.pop("()")
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(JsonFormatter(fmt=spec["format"], rename_fields=spec["rename_fields"]))
    handler.addFilter(RequestContextFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in buffer.getvalue().splitlines()]
    finally:
        root.removeHandler(handler)


def test_a_request_logs_json_with_its_request_id_and_user_id(client, json_lines):
    user = UserFactory(password=PASSWORD)
    response = client.post(
        "/accounts/login/",
        {"username": user.phone, "password": PASSWORD},
        HTTP_X_REQUEST_ID="req-12345678",
    )
    assert response["X-Request-ID"] == "req-12345678"
    lines = [line for line in json_lines() if line.get("request_id") == "req-12345678"]
    assert lines, "the login logs an audit line"
    assert {"time", "level", "logger", "request_id", "user_id", "message"} <= set(lines[0])
    assert any(line["user_id"] == str(user.pk) for line in lines)
    assert all(user.phone not in json.dumps(line) for line in lines)


def test_a_request_without_an_id_gets_one_and_a_bad_one_is_replaced(client):
    first = client.get("/healthz")["X-Request-ID"]
    second = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"]
    assert len(first) == 32 and first != second
    assert "\n" not in second


def test_lines_outside_a_request_still_carry_the_fields(json_lines):
    logging.getLogger("portal.test").warning("a task ran")
    line = json_lines()[-1]
    assert line["request_id"] == "-" and line["user_id"] == "-"
