"""Issue 31, point 3: the digital photo receipt number (数码相片回执, seed 001 item 6). A certified
studio holds the photo under a receipt number; the applicant types the number (web form or API)
and the photo becomes the certificate photo, checked like an upload. A number is used once,
only for the person the studio photographed; wrong numbers are limited; the studio backend is
configured (local stand-in, HTTP)."""

import base64
import json

import pytest
import responses
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation

from permits.models import PhotoReceiptUse, StudioPhoto
from permits.services import applications as svc
from tests.api_support import client_for
from tests.factories import StaffFactory
from tests.permits.photo_samples import bad_photo, good_photo
from tests.permits.views.helpers import login, registered_person, text, url
from tests.service_codes import Service

pytestmark = pytest.mark.django_db

NUMBER = "GZ2026A1B2C3"


@pytest.fixture(autouse=True)
def _english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
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


def _studio_photo(person, number=NUMBER, photo=None):
    row = StudioPhoto(number=number, id_number=person.id_number, studio="Sunshine Photo 阳光照相馆")
    row.photo.save("p.jpg", ContentFile(photo or good_photo()), save=False)
    row.save()
    return row


def _photo(application):
    return application.current_materials().filter(requirement__code="photo").first()


def test_web_the_number_fetches_the_photo_checked_like_an_upload(client):
    person = registered_person(months=7)
    application = _draft(person)
    _studio_photo(person)
    login(client, person)
    step = url("application_step_material", application.pk, "photo")
    assert "Digital photo receipt number" in text(client.get(step))

    response = client.post(step, {"receipt_number": "gz2026-a1b2 c3"})  # as typed from paper

    assert response.status_code == 302 and response.url != step
    material = _photo(application)
    assert material.photo_check["ok"] is True
    use = PhotoReceiptUse.objects.get(number=NUMBER)
    assert use.material == material and use.used_by == person.account

    # the officer sees where it came from and the check's verdict
    client.force_login(StaffFactory(officer=True, station=application.station))
    desk = reverse("admin:permits_permitapplication_change", args=[application.pk])
    table = text(client.get(desk))
    table = table[table.index('id="application-materials"') :]
    assert f"by receipt number {NUMBER}" in table
    assert 'data-photo-check="passed"' in table


def test_web_a_studio_photo_that_fails_the_check_says_what_to_retake(client):
    person = registered_person(months=7)
    application = _draft(person)
    _studio_photo(person, photo=bad_photo())
    login(client, person)
    step = url("application_step_material", application.pk, "photo")

    response = client.post(step, {"receipt_number": NUMBER})

    assert response.url == step
    assert "The background is too dark" in text(client.get(step))


def test_web_a_wrong_number_says_so_keeps_what_was_typed_and_saves_nothing(client):
    person = registered_person(months=7)
    application = _draft(person)
    _studio_photo(person)
    login(client, person)
    step = url("application_step_material", application.pk, "photo")

    response = client.post(step, {"receipt_number": "GZ2026ZZZZZZ"})

    assert response.status_code == 200
    page = text(response)
    assert "No photo was found for this receipt number and your ID number" in page
    assert 'value="GZ2026ZZZZZZ"' in page
    assert _photo(application) is None and not PhotoReceiptUse.objects.exists()

    response = client.post(step, {"receipt_number": "12<script>"})
    assert "A receipt number is 6 to 32 letters and digits" in text(response)


def test_a_number_is_used_once(client):
    person = registered_person(months=7)
    application = _draft(person)
    _studio_photo(person)
    svc.use_photo_receipt(user=person.account, application=application, number=NUMBER)

    # the same person, again (on the same draft): refused, the first photo stays
    login(client, person)
    step = url("application_step_material", application.pk, "photo")
    response = client.post(step, {"receipt_number": NUMBER})
    assert "This receipt number has already been used" in text(response)
    assert application.materials.filter(requirement__code="photo").count() == 1


def test_another_persons_number_is_a_wrong_number_and_stays_unused_for_its_owner(client):
    owner = registered_person(months=7)
    _studio_photo(owner)
    thief = registered_person(months=7)
    application = _draft(thief)
    login(client, thief)
    step = url("application_step_material", application.pk, "photo")

    response = client.post(step, {"receipt_number": NUMBER})

    assert "No photo was found for this receipt number and your ID number" in text(response)
    assert _photo(application) is None and not PhotoReceiptUse.objects.exists()
    # the owner can still use it
    own = _draft(owner)
    svc.use_photo_receipt(user=owner.account, application=own, number=NUMBER)
    assert _photo(own) is not None


def test_someone_elses_application_is_not_reachable(client):
    owner = registered_person(months=7)
    application = _draft(owner)
    _studio_photo(owner)
    other = registered_person(months=7)
    api = client_for(other.account)
    response = api.post(
        f"/api/v1/applications/{application.pk}/photo-receipt/",
        {"receipt_number": NUMBER},
        format="json",
    )
    assert response.status_code == 404
    assert not PhotoReceiptUse.objects.exists()


def test_guessing_numbers_is_limited(settings):
    settings.PHOTO_RECEIPT_MAX_WRONG_PER_HOUR = 3
    person = registered_person(months=7)
    application = _draft(person)
    _studio_photo(person)
    api = client_for(person.account)
    path = f"/api/v1/applications/{application.pk}/photo-receipt/"
    for guess in ("AAAAAA01", "AAAAAA02", "AAAAAA03"):
        response = api.post(path, {"receipt_number": guess}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "receipt_not_found"
    # now even the right number waits: the guesser cannot tell a hit
    response = api.post(path, {"receipt_number": NUMBER}, format="json")
    assert response.status_code == 429
    assert not PhotoReceiptUse.objects.exists()


def test_api_the_number_fetches_the_photo_and_a_reuse_is_refused():
    person = registered_person(months=7)
    application = _draft(person)
    _studio_photo(person)
    api = client_for(person.account)
    path = f"/api/v1/applications/{application.pk}/photo-receipt/"

    response = api.post(path, {"receipt_number": NUMBER}, format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["requirement"] == "photo" and body["photo_check"]["ok"] is True
    response = api.post(path, {"receipt_number": NUMBER}, format="json")
    assert response.status_code == 400 and response.json()["code"] == "receipt_used"


# --- the HTTP studio backend -------------------------------------------------------------------

STUDIO = "https://studio.example.test/receipts"


@pytest.fixture
def http_backend(settings):
    settings.PHOTO_RECEIPT_BACKEND = "http"
    settings.PHOTO_RECEIPT_URL = STUDIO
    settings.PHOTO_RECEIPT_TOKEN = "secret-token"


@responses.activate
def test_http_backend_fetches_and_marks_the_number_used(
    http_backend, django_capture_on_commit_callbacks
):
    person = registered_person(months=7)
    application = _draft(person)
    responses.get(
        f"{STUDIO}/{NUMBER}",
        json={
            "number": NUMBER,
            "id_number": person.id_number,
            "studio": "Sunshine Photo",
            "taken_on": "2026-12-01",
            "photo": base64.b64encode(good_photo()).decode(),
        },
        match=[responses.matchers.header_matcher({"Authorization": "Bearer secret-token"})],
    )
    used = responses.post(f"{STUDIO}/{NUMBER}/used", json={})
    api = client_for(person.account)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/v1/applications/{application.pk}/photo-receipt/",
            {"receipt_number": NUMBER},
            format="json",
        )
    assert response.status_code == 201, response.content
    assert used.call_count == 1
    assert PhotoReceiptUse.objects.get(number=NUMBER).studio == "Sunshine Photo"


@responses.activate
@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ({"status": 404}, "receipt_not_found"),
        ({"status": 410}, "receipt_used"),
        ({"status": 503}, "receipt_service_unavailable"),
        ({"status": 200, "body": "not json"}, "receipt_service_unavailable"),
        ({"status": 200, "body": json.dumps({"id_number": "x", "photo": "%%"})}, None),
        # the studio photographed someone else: a wrong number for this person
        (
            {
                "status": 200,
                "json": {
                    "id_number": "110101199001011237",
                    "photo": base64.b64encode(b"x").decode(),
                },
            },
            "receipt_not_found",
        ),
    ],
)
def test_http_backend_answers_become_clear_messages(http_backend, answer, code):
    person = registered_person(months=7)
    application = _draft(person)
    responses.get(f"{STUDIO}/{NUMBER}", **answer)
    api = client_for(person.account)
    response = api.post(
        f"/api/v1/applications/{application.pk}/photo-receipt/",
        {"receipt_number": NUMBER},
        format="json",
    )
    assert response.status_code in (400, 409)
    assert response.json()["code"] == (code or "receipt_service_unavailable")
    assert response.json()["message"]
    assert not PhotoReceiptUse.objects.exists() and _photo(application) is None
