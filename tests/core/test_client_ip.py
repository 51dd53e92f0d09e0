"""Issue 14.3: one helper (core.http.client_ip, django-ipware with PROXY_COUNT) gives the client
address to views, API throttles, the login lockout and audit lines."""

import logging

import pytest
from axes.models import AccessAttempt
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from core.http import client_ip

PROXY = "10.0.0.2"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "", "10.0.0.2"),
        (0, "198.51.100.7", "10.0.0.2"),  # no proxy configured: a client's header is ignored
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client's own entries are not trusted
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.9", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.2"),  # shorter than the proxies: it skipped them
        (1, "not an address", "10.0.0.2"),
    ],
)
def test_client_ip_honours_the_proxy_count(settings, count, forwarded, expected):
    settings.PROXY_COUNT = count
    meta = {"REMOTE_ADDR": PROXY}
    if forwarded:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip(RequestFactory().get("/", **meta)) == expected


def test_no_remote_addr_reads_outside_the_helper():
    """The address is read in one place (config/metrics.py checks the connecting peer itself)."""
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[2]
    readers = sorted(
        str(path.relative_to(root))
        for app in ("applicants", "permits", "review", "notifications", "core")
        for path in (root / app).rglob("*.py")
        if "REMOTE_ADDR" in path.read_text() and "migrations" not in path.parts
    )
    assert readers == ["core/http.py"]


@pytest.mark.django_db
def test_lockout_throttles_and_audit_use_the_forwarded_client_address(settings, caplog):
    settings.PROXY_COUNT = 1
    settings.AXES_FAILURE_LIMIT = 2
    from tests.factories import PASSWORD, UserFactory

    user = UserFactory()
    attacker = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66")
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        attacker.post("/accounts/login/", {"username": user.phone, "password": "wrong"})
    assert "ip=198.51.100.66" in caplog.text
    attacker.post("/accounts/login/", {"username": user.phone, "password": "wrong"})
    assert AccessAttempt.objects.get().ip_address == "198.51.100.66"
    assert (
        attacker.post(
            "/accounts/login/", {"username": user.phone, "password": PASSWORD}
        ).status_code
        == 429
    )
    # Another client behind the same proxy is another address: not locked.
    owner = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="203.0.113.10")
    assert (
        owner.post("/accounts/login/", {"username": user.phone, "password": PASSWORD}).status_code
        == 302
    )

    # API per-address throttles count per forwarded client, not per proxy.
    rates = dict(settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], verify_ip="1/min")
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    one = APIClient(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    two = APIClient(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert one.get("/api/v1/verify/x/").status_code != 429
    assert one.get("/api/v1/verify/x/").status_code == 429
    assert two.get("/api/v1/verify/x/").status_code != 429
