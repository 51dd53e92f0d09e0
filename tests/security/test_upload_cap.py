"""A request-size cap in front of the upload forms (issue 14 point 8): a 60 MB body is refused
early, through the real web form (the page again, with the message on the field) and the real
API (400 in the error shape), and the server stops reading the body."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test.client import FakePayload
from django.urls import reverse

from applicants.models import Identity
from tests.api_support import assert_error, client_for
from tests.applicants.helpers import image_bytes, upload
from tests.factories import UserFactory, make_id_number

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


@pytest.fixture
def bytes_read(monkeypatch):
    """How many bytes of the request body the server read."""
    counter = {"read": 0}
    original = FakePayload.read

    def read(self, size=-1, /):
        data = original(self, size)
        counter["read"] += len(data)
        return data

    monkeypatch.setattr(FakePayload, "read", read)
    return counter


def big_file(size: int, name="front.jpg"):
    return SimpleUploadedFile(name, b"\xff\xd8\xff" + b"\0" * (size - 3), "image/jpeg")


def typed():
    return {"full_name": "王小明", "id_number": make_id_number(7)}


def test_a_60_mb_body_is_refused_on_the_form_page_without_reading_it(client, bytes_read):
    client.force_login(UserFactory())
    data = {
        **typed(),
        "id_card_front": big_file(60 * MB),
        "id_card_back": upload("back.png"),
        "face_photo": upload("face.webp", image_bytes("WEBP")),
    }
    response = client.post(reverse("applicants:identity"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "文件过大，上限为10.0\xa0MB。" in body
    assert 'value="王小明"' in body  # what was typed before the file is kept
    assert bytes_read["read"] < MB  # refused at the first file: the 60 MB never read
    assert not Identity.objects.exists()


def test_one_file_past_the_limit_stops_the_read_there(client, bytes_read, settings):
    settings.UPLOAD_MAX_BYTES = MB
    settings.UPLOAD_MAX_REQUEST_BYTES = 20 * MB
    client.force_login(UserFactory())
    data = {**typed(), "id_card_front": big_file(8 * MB), "id_card_back": upload("back.png")}
    response = client.post(reverse("applicants:identity"), data)
    assert response.status_code == 200
    assert "文件过大，上限为1.0\xa0MB。" in response.content.decode()
    assert bytes_read["read"] < 2 * MB  # stopped just past 1 MB, not 8 MB


def test_files_within_the_limit_pass(client, settings):
    client.force_login(UserFactory())
    data = {
        **typed(),
        "id_card_front": upload("front.jpg", image_bytes("JPEG")),
        "id_card_back": upload("back.png"),
        "face_photo": upload("face.webp", image_bytes("WEBP")),
    }
    assert client.post(reverse("applicants:identity"), data).status_code == 302
    assert Identity.objects.get().id_card_front


def test_the_api_answers_400_in_its_error_shape(bytes_read):
    api = client_for(UserFactory())
    data = {
        "relationship": "self",
        **typed(),
        "id_card_front": big_file(60 * MB),
        "id_card_back": upload("back.png"),
        "face_photo": upload("face.webp", image_bytes("WEBP")),
    }
    response = api.post("/api/v1/identity/", data, format="multipart")
    body = assert_error(response, 400)
    assert "文件过大" in " ".join(body["fields"]["id_card_front"])
    assert bytes_read["read"] < MB
    assert not Identity.objects.exists()


def test_a_large_body_without_files_is_refused(client, settings):
    client.force_login(UserFactory())
    response = client.post(
        reverse("applicants:identity"),
        "full_name=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
