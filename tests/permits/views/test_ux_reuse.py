"""Issue 15, point 14: what the portal already holds is offered as a material, not asked for
again: the verified identity's ID card photos, the residence proof given at registration, and
for a renewal last year's proof."""

import pytest
from django.core.files.base import ContentFile
from django.utils import translation

from permits.services import applications as svc
from tests.factories import tiny_png
from tests.permits.factories import ApplicationFactory, PermitFactory
from tests.permits.helpers import png
from tests.permits.views.helpers import login, registered_person, text, url
from tests.service_codes import Service

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _draft(person, service=Service.NEW, **kwargs):
    return svc.start_application(
        user=person.account,
        person=person,
        service=service,
        basis="residence",
        answers={"household_region": "110101"} if service == Service.NEW else None,
        **kwargs,
    )


def test_the_id_card_step_offers_the_identitys_photos_and_uses_them(client):
    person = registered_person(months=7)
    application = _draft(person)
    login(client, person)
    step = url("application_step_material", application.pk, "id_card")

    page = text(client.get(step, **EN))
    response = client.post(step, {"reuse": "1"})

    assert "Use the ID card photos of your verified identity" in page
    assert response.status_code == 302
    material = application.current_materials().get(requirement__code="id_card")
    assert material.file.read(5) == b"%PDF-"  # both sides, one document


def test_the_residence_proof_step_offers_the_registration_proof(client):
    person = registered_person(months=7)
    registration = person.registrations.get()
    registration.proof.save("lease.png", ContentFile(tiny_png()), save=True)
    application = _draft(person)
    login(client, person)
    step = url("application_step_material", application.pk, "residence_proof")

    assert "Use the proof you gave at registration" in text(client.get(step, **EN))
    assert client.post(step, {"reuse": "1"}).status_code == 302
    assert application.current_materials().filter(requirement__code="residence_proof").exists()


def test_a_renewal_offers_last_years_proof(client):
    person = registered_person(months=14)
    permit = PermitFactory(holder=person, house=person.registrations.get().house)
    registration = person.registrations.get()
    earlier = ApplicationFactory(
        collected=True, person=person, filed_by=person.account, registration=registration
    )
    svc_material = earlier.materials.create(
        requirement=earlier.requirements().get(code="residence_proof"),
        file=ContentFile(tiny_png(), name="lease.png"),
        version=1,
        size=len(tiny_png()),
        content_type="image/png",
        uploaded_by=person.account,
    )
    application = ApplicationFactory(
        service=Service.RENEWAL,
        person=person,
        filed_by=person.account,
        permit=permit,
        registration=person.registrations.get(),
    )
    login(client, person)
    step = url("application_step_material", application.pk, "residence_proof")

    page = text(client.get(step, **EN))

    assert "Use the proof of your last application" in page
    assert svc_material.uploaded_at.date().isoformat() in page
    assert client.post(step, {"reuse": "1"}).status_code == 302


def test_nothing_is_offered_from_someone_elses_files(client):
    person = registered_person(months=7)
    application = _draft(person)
    other = registered_person(months=7)
    login(client, other)

    step = url("application_step_material", application.pk, "id_card")
    response = client.post(step, {"reuse": "1"})

    assert response.status_code == 404
    assert not application.current_materials().exists()


def test_an_upload_still_works_beside_the_offer(client):
    person = registered_person(months=7)
    application = _draft(person)
    login(client, person)

    response = client.post(
        url("application_step_material", application.pk, "id_card"), {"file": png("card.png")}
    )

    assert response.status_code == 302
    assert application.current_materials().get(requirement__code="id_card").version == 1
