"""schemathesis against the live schema, served by the app itself (/api/schema/), every
operation, authenticated as a test applicant: no server error, and every response conforms to
the schema (status code documented, content type, headers, body). Runs in `make test`, so in
.ci/run on PostgreSQL and Redis; a few examples per operation keep it well under 3 minutes."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from core.api.auth import issue_token
from notifications.models import Notification
from tests.factories import IdentityFactory, UserFactory
from tests.permits.factories import PermitFactory
from tests.permits.helpers import draft_ready, registered_person
from tests.service_codes import Service

CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


# Production settings redirect plain HTTP; the proxy header says the request came over HTTPS.
HTTPS = {"X-Forwarded-Proto": "https"}
# Loaded at collection from the app itself (generating the schema touches no database).
schema = schemathesis.openapi.from_wsgi(
    "/api/schema/?format=json", get_wsgi_application(), headers=HTTPS
)


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Like Django's test client: the request signals must not close the connection that holds
    the test's transaction (on PostgreSQL that would fail every later query)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_applicant(db):
    """An applicant with something behind most ids: a verified identity with a draft new
    permit application, a dependent holding a permit, notifications."""
    user = UserFactory()
    person = registered_person(account=user)
    draft_ready(person, Service.NEW)
    dependent = IdentityFactory(account=user, dependent_minor=True, verified=True)
    PermitFactory(holder=dependent)
    for n in range(3):
        Notification.objects.create(
            recipient=user, kind="identity_verified", event_key=f"fuzz:{n}", title="t", body="b"
        )
    return user


@schema.parametrize()
@settings(
    max_examples=int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10")),  # more: a deeper run
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_conforms_to_its_schema(case, fuzz_applicant):
    token = issue_token(fuzz_applicant).key  # fresh each time: DELETE /auth/token/ revokes one
    case.call_and_validate(headers={**HTTPS, "Authorization": f"Bearer {token}"}, checks=CHECKS)
