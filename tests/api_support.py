"""API fixtures for every ``tests/<app>/api/`` folder (a pytest plugin of the root conftest)."""

import pytest
from rest_framework.test import APIClient

from core.api.auth import issue_token
from tests.factories import UserFactory
from tests.otp_support import staff_device


@pytest.fixture
def api():
    """An anonymous API client; ``api.as_user(user)`` returns one with a bearer token."""
    return APIClient()


def client_for(user, *, second_factor: bool = True) -> APIClient:
    """A client with a bearer token of ``user``; staff tokens record a second factor (as after
    a login with ``otp_token``) unless ``second_factor=False``."""
    device = staff_device(user) if user.is_staff and second_factor else None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(user, second_factor=device).key}")
    return client


@pytest.fixture
def applicant(db):
    return UserFactory()


@pytest.fixture
def other_applicant(db):
    return UserFactory()


@pytest.fixture
def applicant_api(applicant):
    return client_for(applicant)


@pytest.fixture
def other_api(other_applicant):
    return client_for(other_applicant)


def assert_error(response, status: int, code: str | None = None):
    """The one error shape: code, message, fields."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"code", "message", "fields"}, body
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["fields"], dict)
    if code is not None:
        assert body["code"] == code, body
    return body
