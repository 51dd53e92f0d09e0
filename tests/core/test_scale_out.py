"""Issue 28 in the app: protected files handed to nginx after the view's check (X-Accel-Redirect)
when it is in front, and the replica router inert without a replica."""

import pytest
from django.db import connections
from django.urls import reverse

from core import db_router
from tests.factories import IdentityFactory, UserFactory

pytestmark = pytest.mark.django_db


def file_url(identity, kind="front"):
    return reverse("applicants:identity_file", args=[identity.pk, kind])


def test_with_nginx_in_front_the_owner_gets_an_x_accel_redirect_and_no_bytes(client, settings):
    settings.PROTECTED_FILES_ACCEL_PREFIX = "/_protected/"
    identity = IdentityFactory(pending=True)
    client.force_login(identity.account)
    response = client.get(file_url(identity))
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_protected/{identity.id_card_front.name}"
    assert response.content == b""  # nginx sends the bytes, not Python
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Disposition"] == 'inline; filename="front.png"'


def test_with_nginx_in_front_a_stranger_gets_404_and_no_redirect(client, settings):
    settings.PROTECTED_FILES_ACCEL_PREFIX = "/_protected/"
    identity = IdentityFactory(pending=True)
    client.force_login(UserFactory())
    response = client.get(file_url(identity))
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response
    anonymous = client.__class__().get(file_url(identity))
    assert anonymous.status_code == 302 and "X-Accel-Redirect" not in anonymous


def test_without_nginx_the_view_streams_the_file(client, settings):
    settings.PROTECTED_FILES_ACCEL_PREFIX = ""
    identity = IdentityFactory(pending=True)
    client.force_login(identity.account)
    response = client.get(file_url(identity))
    assert "X-Accel-Redirect" not in response
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_without_a_replica_every_read_stays_on_the_one_database(settings):
    assert "replica" not in settings.DATABASES and not settings.DATABASE_ROUTERS
    with db_router.replica_reads():
        assert db_router.lag_tolerant() == "default"
    assert "replica" not in connections


def test_the_portals_own_pdf_shown_to_print_goes_to_the_unsandboxed_location(settings):
    """The kiosk shows its papers inline (protected_file_response(inline=True)): nginx's
    /_protected/inline/ location serves them without the sandbox the browser's viewer refuses."""
    from types import SimpleNamespace

    from django.core.files.storage import default_storage

    from core.uploads import protected_file_response

    settings.PROTECTED_FILES_ACCEL_PREFIX = "/_protected/"
    stored = SimpleNamespace(name="private/document/2026/12/paper.pdf", storage=default_storage)
    shown = protected_file_response(stored, download_name="paper", inline=True)
    assert shown["X-Accel-Redirect"] == "/_protected/inline/private/document/2026/12/paper.pdf"
    assert shown["Content-Disposition"] == 'inline; filename="paper.pdf"'
    downloaded = protected_file_response(stored, download_name="paper")
    assert downloaded["X-Accel-Redirect"] == "/_protected/private/document/2026/12/paper.pdf"
    assert downloaded["Content-Disposition"] == 'attachment; filename="paper.pdf"'
