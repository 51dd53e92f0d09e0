"""Issue 15, point 15: a material of several pages (a lease) is one item made of every page,
each file checked like any upload."""

import io

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from permits.services import applications as svc
from tests.factories import StaffFactory
from tests.permits.helpers import pdf, png
from tests.permits.views.helpers import login, registered_person, text, url
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _draft(person):
    return svc.start_application(
        user=person.account,
        person=person,
        service=Service.NEW,
        basis="residence",
        answers={"household_region": "110101"},
    )


def test_three_pages_make_one_material_with_three_pages(client):
    person = registered_person(months=7)
    application = _draft(person)
    login(client, person)
    step = url("application_step_material", application.pk, "residence_proof")
    assert "Choose every page" in text(client.get(step, HTTP_ACCEPT_LANGUAGE="en"))

    response = client.post(step, {"file": [png("p1.png"), png("p2.png"), pdf("p3.pdf")]})

    assert response.status_code == 302
    materials = application.current_materials().filter(requirement__code="residence_proof")
    assert materials.count() == 1
    material = materials.get()
    assert len(PdfReader(io.BytesIO(material.file.read())).pages) == 3

    # the officer sees one item, a PDF of its pages
    client.force_login(StaffFactory(officer=True, station=application.station))
    desk = reverse("admin:permits_permitapplication_change", args=[application.pk])
    html = text(client.get(desk, HTTP_ACCEPT_LANGUAGE="en"))
    table = html[html.index('id="application-materials"') :]
    assert table.count("<td>Proof of residence address</td>") == 1
    assert "Open the PDF" in table


def test_one_bad_page_refuses_the_whole_material_and_names_it(client):
    person = registered_person(months=7)
    application = _draft(person)
    login(client, person)
    step = url("application_step_material", application.pk, "residence_proof")
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("p2.png", b"not an image", content_type="image/png")

    response = client.post(step, {"file": [png("p1.png"), bad]}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert "error-summary" in text(response)
    assert not application.current_materials().filter(requirement__code="residence_proof").exists()


def test_one_file_is_kept_as_it_is(client):
    person = registered_person(months=7)
    application = _draft(person)
    login(client, person)
    step = url("application_step_material", application.pk, "photo")

    assert client.post(step, {"file": png("me.png")}).status_code == 302
    material = application.current_materials().get(requirement__code="photo")
    assert material.content_type == "image/png"
