"""A service is declared once (issue 24, acceptance 1): a SIXTH service defined in this test module
alone — an address confirmation by the lessor — is offered on the start page, filed through the
web form and through the API, accepted and approved at the officer's desk, and issues its own
paper, with no change to a non-test module. The registry entry below (and its paper) are all
there is to it."""

import pytest

from core.errors import InvalidInput
from notifications.models import Notification
from permits import papers, service_types
from permits.constants import ApplicationState
from permits.models import MaterialRequirement, PermitApplication
from permits.service_types import AnswerField, MaterialSpec, ServiceType
from permits.services.catalogue import sync_materials_catalogue
from tests.api_support import client_for
from tests.applicants.helpers import upload
from tests.factories import PASSWORD
from tests.permits.documents_support import pdf_text
from tests.permits.helpers import registered_person, staff_for
from tests.permits.views.helpers import follow_steps, login, start_via_pages, submit_via_pages
from tests.permits.views.helpers import text as page_text
from tests.permits.views.helpers import url as permits_url
from tests.review.helpers import act, change_url

pytestmark = pytest.mark.django_db

CODE = "address_confirmation"


def _lessor_phone(value, context):
    digits = "".join(ch for ch in value if ch.isdigit())
    if len(digits) != 11:
        raise InvalidInput("The lessor's phone has 11 digits.")
    return digits


class AddressConfirmation(ServiceType):
    """住址确认: the lessor confirms that the person lives at the registered house."""

    code = CODE
    label = "Address confirmation by the lessor"
    summary = "the lessor of your registered house confirms that you live there."
    order = 60
    answers = (
        AnswerField(
            "lessor_name",
            label="The lessor's name",
            summary_label="Lessor",
            error_messages={"required": "Enter the lessor's name."},
        ),
        AnswerField(
            "lessor_phone",
            label="The lessor's phone",
            summary_label="Lessor's phone",
            max_length=20,
            check=_lessor_phone,
        ),
    )
    details_title = "The lessor"
    details_heading = "Who lets you the house?"
    materials = (
        MaterialSpec(
            code="lessor_letter",
            name_zh="出租人确认书",
            name_en="The lessor's letter",
            description_zh="出租人签名的住址确认书。",
            description_en="A letter signed by the lessor confirming the address.",
            order=10,
        ),
    )
    papers = {"approve": "address_confirmation_letter"}  # the paper its approval issues


class AddressConfirmationLetter(papers.ApplicationPaper):
    """A new kind of paper, declared here alone: the station's letter confirming the address."""

    code = "address_confirmation_letter"
    label = "Letter confirming the address"
    title = "Letter confirming the address"
    template_source = (
        '{% extends "permits/documents/base.html" %}{% block content %}'
        "<p>{{ facts.name }} lives at the house let by {{ facts.lessor_name }}.</p>"
        "{% endblock %}"
    )

    def facts(self, application, *, note="", from_state=""):
        return {"lessor_name": application.answers["lessor_name"]}


@pytest.fixture
def sixth_service(db):
    papers.register(AddressConfirmationLetter)
    service_types.register(AddressConfirmation)
    sync_materials_catalogue()
    yield service_types.get(CODE)
    service_types.unregister(CODE)
    papers.unregister(AddressConfirmationLetter.code)


def test_the_sixth_service_is_offered_on_the_start_page(client, sixth_service):
    person = registered_person(months=2)
    login(client, person)
    html = page_text(client.get(permits_url("application_start")))
    assert "Address confirmation by the lessor" in html
    assert "the lessor of your registered house confirms that you live there." in html
    assert f'value="{CODE}"' in html
    assert MaterialRequirement.objects.filter(service=CODE, code="lessor_letter").exists()


def test_the_sixth_service_through_the_web_form_and_the_desk(client, sixth_service):
    person = registered_person(months=2)
    login(client, person)
    application = start_via_pages(client, person, CODE)
    # its answers come from the declaration: a wrong phone is refused by its own rule
    details = permits_url("application_step_details", application.pk)
    page = page_text(client.get(details))
    assert "Who lets you the house?" in page and "The lessor&#x27;s phone" in page
    refused = client.post(details, {"lessor_name": "王房东", "lessor_phone": "123"})
    assert "The lessor&#x27;s phone has 11 digits." in page_text(refused)
    follow_steps(
        client, application, details={"lessor_name": "王房东", "lessor_phone": "138 0013 8000"}
    )
    check = page_text(client.get(permits_url("application_check", application.pk)))
    assert "<dt>Lessor</dt><dd>王房东" in check and "13800138000" in check
    response = submit_via_pages(client, application)
    assert response.status_code == 302, page_text(response)[:2000]
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.answers == {"lessor_name": "王房东", "lessor_phone": "13800138000"}
    assert application.get_service_display() == "Address confirmation by the lessor"

    # the officer's desk: the answers by their labels, then accept and approve by the buttons
    staff = staff_for(application.station)
    client.force_login(staff["officer"])
    desk = client.get(change_url(application)).content.decode()
    assert "Lessor" in desk and "王房东" in desk
    assert act(client, application, "accept").status_code == 302
    assert act(client, application, "approve").status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    kinds = set(
        Notification.objects.filter(recipient=person.account).values_list("kind", flat=True)
    )
    assert {"application_submitted", "application_accepted", "application_approved"} <= kinds
    # the paper its declaration names for the approval, rendered and checked like any other
    letter = application.documents.get(kind="address_confirmation_letter")
    assert letter.event_key == f"application:{application.pk}:approve"
    client.force_login(person.account)
    pdf = client.get(permits_url("document_file", letter.pk))
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    printed = pdf_text(b"".join(pdf.streaming_content))
    assert "Letter confirming the address" in printed and "王房东" in printed
    verified = client.get(letter.verification_path())
    assert "Letter confirming the address" in page_text(verified)


def test_the_sixth_service_through_the_api(sixth_service):
    person = registered_person(months=2)
    api = client_for(person.account)
    response = api.post(
        "/api/v1/applications/",
        {"service": CODE, "answers": {"lessor_name": "王房东", "lessor_phone": "13800138000"}},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["service"] == CODE
    assert body["service_display"] == "Address confirmation by the lessor"
    assert body["answers"] == {"lessor_name": "王房东", "lessor_phone": "13800138000"}
    assert [r["code"] for r in body["requirements"]] == ["lessor_letter"]
    base = f"/api/v1/applications/{body['id']}/"
    uploaded = api.post(f"{base}materials/", {"requirement": "lessor_letter", "file": upload()})
    assert uploaded.status_code == 201, uploaded.content
    submitted = api.post(f"{base}submit/", {"password": PASSWORD}, format="json")
    assert submitted.status_code == 200, submitted.content
    assert submitted.json()["state"] == ApplicationState.SUBMITTED
    assert PermitApplication.objects.get(pk=body["id"]).service_type.label == (
        "Address confirmation by the lessor"
    )


def test_an_unregistered_service_is_refused_everywhere(client):
    person = registered_person(months=2)
    login(client, person)
    response = client.post(permits_url("application_start"), {"service": CODE, "person": person.pk})
    assert response.status_code == 200  # the form again, nothing started
    assert not PermitApplication.objects.filter(person=person).exists()
    api = client_for(person.account)
    response = api.post("/api/v1/applications/", {"service": CODE}, format="json")
    assert response.status_code == 400
