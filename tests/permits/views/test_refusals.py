"""Every refusal is a clear message on the page, changes nothing, and keeps what was typed."""

import datetime
import re

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from permits.constants import ApplicationState
from permits.models import ApplicationTransition, PermitApplication
from tests.factories import PASSWORD, IdentityFactory
from tests.permits.factories import PermitFactory
from tests.permits.helpers import draft_ready, submitted
from tests.permits.views.helpers import login, registered_person, text, url
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


def test_not_eligible_yet_is_explained_in_plain_words(client):
    person = registered_person(months=4)
    login(client, person)
    response = client.post(
        url("application_start"),
        {"service": "new", "person": person.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    html = text(response)
    assert re.search(r"for [34] months; a new permit needs at least half a year", html)
    assert "error-summary" in html
    assert not PermitApplication.objects.exists()


def test_renewal_outside_the_window_is_refused(client):
    person = registered_person(months=14)
    registration = person.registrations.get()
    valid_until = timezone.localdate() + datetime.timedelta(days=200)
    PermitFactory(
        holder=person,
        house=registration.house,
        issued_on=valid_until - relativedelta(years=1),
        valid_until=valid_until,
    )
    login(client, person)
    response = client.post(url("application_start"), {"service": "renewal", "person": person.pk})
    assert response.status_code == 200
    opens = (valid_until - relativedelta(months=1)).isoformat()
    assert opens in text(response)
    assert not PermitApplication.objects.exists()


def test_unverified_identity_cannot_apply(client):
    identity = IdentityFactory(pending=True)
    login(client, identity)
    response = client.post(url("application_start"), {"service": "new", "person": identity.pk})
    assert response.status_code == 200
    assert "error-summary" in text(response)
    assert not PermitApplication.objects.exists()


def test_another_accounts_person_cannot_be_chosen(client):
    me = registered_person(months=8)
    other = registered_person(months=8)
    login(client, me)
    response = client.post(url("application_start"), {"service": "new", "person": other.pk})
    assert response.status_code == 200
    assert not PermitApplication.objects.exists()


def test_wrong_password_changes_nothing(client):
    person = registered_person(months=8)
    application = draft_ready(person, Service.NEW)
    login(client, person)
    response = client.post(
        url("application_submit", application.pk),
        {"password": "wrong-password", "seen_state": "draft"},
    )
    assert response.status_code == 200
    assert 'id="id_password"' in text(response)
    assert "error-summary" in text(response)
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT
    assert not ApplicationTransition.objects.exists()


def test_double_submit_creates_one_submission(client):
    person = registered_person(months=8)
    application = draft_ready(person, Service.NEW)
    login(client, person)
    data = {"password": PASSWORD, "seen_state": "draft"}
    first = client.post(url("application_submit", application.pk), data)
    assert first.status_code == 302
    second = client.post(url("application_submit", application.pk), data)
    # issue 15: the repeated submit lands on the confirmation, not on an error
    assert second.status_code == 302
    assert second.url == url("application_submitted", application.pk)
    assert ApplicationTransition.objects.filter(transition="submit").count() == 1


def test_missing_material_sends_back_to_the_step(client):
    person = registered_person(months=8)
    login(client, person)
    client.post(url("application_start"), {"service": "new", "person": person.pk})
    application = PermitApplication.objects.get()
    check = text(client.get(url("application_check", application.pk)))
    assert url("application_step_material", application.pk, "id_card") in check
    response = client.post(
        url("application_submit", application.pk), {"password": PASSWORD, "seen_state": "draft"}
    )
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_a_required_upload_cannot_be_skipped_and_a_fake_file_is_refused(client):
    person = registered_person(months=8)
    login(client, person)
    client.post(url("application_start"), {"service": "new", "person": person.pk})
    application = PermitApplication.objects.get()
    step = url("application_step_material", application.pk, "id_card")
    assert client.post(step, {}).status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("id.png", b"not an image at all", content_type="image/png")
    response = client.post(step, {"file": fake})
    assert response.status_code == 200
    assert "error-summary" in text(response)
    assert not application.materials.exists()


def test_stale_withdraw_form_is_refused(client):
    person = registered_person(months=8)
    application = submitted(person, Service.NEW)
    login(client, person)
    # The page was opened while the application was still a draft (another tab).
    response = client.post(
        url("application_withdraw", application.pk), {"confirmed": "on", "seen_state": "draft"}
    )
    assert response.status_code == 200
    assert "error-summary" in text(response)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED


def test_withdraw_after_approval_is_refused(client):
    from tests.permits.factories import ApplicationFactory

    application = ApplicationFactory(approved=True)
    login(client, application.person)
    page = client.get(url("application_withdraw", application.pk))
    assert page.status_code == 200
    response = client.post(
        url("application_withdraw", application.pk), {"confirmed": "on", "seen_state": "approved"}
    )
    assert response.status_code == 200
    assert "error-summary" in text(response)
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED


def test_delivery_cannot_be_chosen_twice(client):
    from tests.permits.factories import ApplicationFactory

    application = ApplicationFactory(awaiting_pickup=True)
    login(client, application.person)
    response = client.post(
        url("application_delivery_mail", application.pk),
        {
            "recipient_name": "王小明",
            "address": "海口市美兰区人民大道 58 号",
            "phone": "13900000002",
            "seen_state": "produced",
        },
    )
    assert response.status_code == 200
    assert "error-summary" in text(response)
    application.refresh_from_db()
    assert application.state == ApplicationState.AWAITING_PICKUP


def test_a_complete_draft_resumed_later_can_be_sent_from_the_check_page(client):
    person = registered_person(months=8)
    application = draft_ready(person, Service.NEW)  # filled in earlier, another session
    login(client, person)
    check = text(client.get(url("application_check", application.pk)))
    assert url("application_submit", application.pk) in check
    assert "error-summary" not in check


def test_an_application_in_progress_blocks_another_and_links_to_it(client):
    person = registered_person(months=8)
    application = submitted(person, Service.NEW)
    login(client, person)
    response = client.post(url("application_start"), {"service": "new", "person": person.pk})
    assert response.status_code == 200
    html = text(response)
    assert application.reference in html
    assert url("application_detail", application.pk) in html
    assert PermitApplication.objects.count() == 1
