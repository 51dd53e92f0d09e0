"""Acceptance 1: each service walked through the pages with the Django test client, as far as
the officer's acts, which are called through the services (the officer's screens are issue 7)."""

import pytest

from notifications.models import Notification
from permits.constants import ApplicationState, Service
from permits.services import applications as svc
from tests.permits.helpers import staff_for

from .helpers import (
    follow_steps,
    login,
    registered_person,
    start_via_pages,
    submit_via_pages,
    text,
    url,
)

pytestmark = pytest.mark.django_db


def test_new_permit_with_uploads_from_start_to_confirmation(client):
    person = registered_person(months=7)
    login(client, person)

    page = client.get(url("application_start"))
    assert page.status_code == 200
    application = start_via_pages(client, person, Service.NEW)
    follow_steps(client, application, basis="residence")

    check = client.get(url("application_check", application.pk))
    html = text(check)
    assert person.masked_id_number in html
    assert person.id_number not in html
    assert "?return_to=check" in html
    assert application.materials.filter(superseded=False).count() == 3

    response = submit_via_pages(client, application)
    assert response.status_code == 302
    assert response.url == url("application_submitted", application.pk)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    confirmation = text(client.get(response.url))
    assert application.reference in confirmation
    assert Notification.objects.filter(
        recipient=person.account, kind="application_submitted"
    ).exists()
