"""Acceptance 3: every page of the web flow, for an anonymous visitor (sent to log in) and for
another applicant (404), including the material files and the pickup QR code."""

import pytest
from django.conf import settings
from django.urls import reverse

from permits.models import Material
from tests.factories import IdentityFactory, UserFactory
from tests.permits.factories import ApplicationFactory
from tests.permits.helpers import draft_ready
from tests.permits.views.helpers import login, registered_person, url
from tests.service_codes import Service

pytestmark = pytest.mark.django_db

# (url name, needs the material id) for every page bound to one application.
APPLICATION_PAGES = [
    "application_detail",
    "application_resume",
    "application_step_identity",
    "application_step_basis",
    "application_step_details",
    "application_check",
    "application_submit",
    "application_submitted",
    "application_supplement",
    "application_resubmit",
    "application_withdraw",
    "application_delivery",
    "application_delivery_window",
    "application_delivery_mail",
    "application_pickup_qr",
]


@pytest.fixture
def draft():
    person = registered_person(months=8)
    return draft_ready(person, Service.NEW)


def _all_urls(application, material):
    urls = [url(name, application.pk) for name in APPLICATION_PAGES]
    urls.append(url("application_step_material", application.pk, material.requirement.code))
    urls.append(url("application_material_file", application.pk, material.pk))
    return urls


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_log_in(client, draft, method):
    material = Material.objects.filter(application=draft).first()
    pages = [*_all_urls(draft, material), url("application_list"), url("application_start")]
    for page in pages:
        response = getattr(client, method)(page)
        assert response.status_code == 302, page
        assert response.url.startswith(reverse(settings.LOGIN_URL)), page


@pytest.mark.parametrize("method", ["get", "post"])
def test_another_applicant_gets_404_everywhere(client, draft, method):
    material = Material.objects.filter(application=draft).first()
    stranger = IdentityFactory(verified=True).account
    login(client, stranger)
    for page in _all_urls(draft, material):
        response = getattr(client, method)(page)
        assert response.status_code == 404, page
    draft.refresh_from_db()
    assert draft.state == "draft"


def test_another_applicants_pickup_code_and_files_are_404(client):
    application = ApplicationFactory(awaiting_pickup=True, pickup_code="secret-code-123456")
    owner = application.person.account
    login(client, owner)
    assert client.get(url("application_pickup_qr", application.pk)).status_code == 200
    client.logout()
    login(client, UserFactory())
    assert client.get(url("application_pickup_qr", application.pk)).status_code == 404


def test_a_file_of_another_application_is_404_even_through_ones_own(client, draft):
    mine = draft_ready(registered_person(months=8), Service.NEW)
    theirs = Material.objects.filter(application=draft).first()
    login(client, mine.person)
    assert client.get(url("application_material_file", mine.pk, theirs.pk)).status_code == 404
    own = Material.objects.filter(application=mine).first()
    response = client.get(url("application_material_file", mine.pk, own.pk))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_the_agent_sees_the_dependents_application_and_others_do_not(client):
    agent = UserFactory()
    IdentityFactory(account=agent, verified=True)
    minor = registered_person(months=8, account=agent, dependent_minor=True)
    application = draft_ready(minor, Service.NEW, user=agent)
    login(client, agent)
    assert client.get(url("application_detail", application.pk)).status_code == 200
    assert minor.full_name in client.get(url("application_list")).content.decode()
    client.logout()
    login(client, registered_person(months=8))
    assert client.get(url("application_detail", application.pk)).status_code == 404
    assert minor.full_name not in client.get(url("application_list")).content.decode()


def test_uploads_have_no_public_url(client, draft):
    material = Material.objects.filter(application=draft).first()
    assert client.get(material.file.url).status_code == 404
    login(client, draft.person)
    assert client.get(material.file.url).status_code == 404


def test_pickup_code_only_once_the_window_was_chosen(client):
    produced = ApplicationFactory(produced=True, pickup_code="code-before-choice-0001")
    login(client, produced.person)
    assert client.get(url("application_pickup_qr", produced.pk)).status_code == 404
    mailed = ApplicationFactory(mailed=True, pickup_code="code-mailed-0002")
    login(client, mailed.person)
    assert client.get(url("application_pickup_qr", mailed.pk)).status_code == 404
