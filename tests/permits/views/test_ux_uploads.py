"""Issue 15, point 9: one bad field does not drop the files already chosen; a file that is
too large is refused in the page where the browser allows, and always by the server."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from applicants.constants import IdentityState
from tests.factories import UserFactory, make_id_number, tiny_png
from tests.permits.views.helpers import login, registered_person, text, url

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def _photo(name):
    return SimpleUploadedFile(name, tiny_png(), content_type="image/png")


def test_a_bad_id_number_keeps_the_photos_already_chosen(client):
    user = UserFactory()
    client.force_login(user)
    page = reverse("applicants:identity")

    refused = client.post(
        page,
        {
            "full_name": "王测试",
            "id_number": "123",
            "id_card_front": _photo("front.png"),
            "id_card_back": _photo("back.png"),
            "face_photo": _photo("face.png"),
        },
        **EN,
    )
    html = text(refused)
    assert refused.status_code == 200
    for name in ("front.png", "back.png", "face.png"):
        assert f"Uploaded: {name}" in html

    accepted = client.post(page, {"full_name": "王测试", "id_number": make_id_number(7)}, **EN)

    assert accepted.status_code == 302, text(accepted)[-3000:]
    identity = user.own_identity
    assert identity.state == IdentityState.PENDING
    assert identity.id_card_front and identity.id_card_back and identity.face_photo


def test_kept_photos_belong_to_the_session_that_chose_them(client):
    client.force_login(UserFactory())
    client.post(
        reverse("applicants:identity"),
        {"full_name": "王测试", "id_number": "123", "id_card_front": _photo("front.png")},
    )
    client.logout()
    other = UserFactory()
    client.force_login(other)

    html = text(client.get(reverse("applicants:identity"), **EN))

    assert "Uploaded: front.png" not in html


def test_a_registration_with_a_bad_house_code_keeps_its_proof(client):
    person = registered_person(months=7)
    login(client, person)
    page = url("registration_new")
    proof = SimpleUploadedFile("lease.png", tiny_png(), content_type="image/png")

    html = text(
        client.post(
            page,
            {
                "person": person.pk,
                "house_code": "NOPE",
                "since": "2026-01-01",
                "basis": "residence",
                "proof": proof,
            },
            **EN,
        )
    )

    assert "Uploaded: lease.png" in html


def test_file_fields_carry_the_size_limit_for_the_page_and_the_server_refuses(client, settings):
    client.force_login(UserFactory())
    html = text(client.get(reverse("applicants:identity"), **EN))
    assert 'data-max-bytes="' in html and "data-too-large=" in html

    settings.UPLOAD_MAX_BYTES = 50
    big = SimpleUploadedFile("big.png", tiny_png() + b"\0" * 200, content_type="image/png")
    refused = client.post(
        reverse("applicants:identity"),
        {"full_name": "王测试", "id_number": make_id_number(8), "id_card_front": big},
        **EN,
    )
    assert refused.status_code == 200
    assert "Uploaded: big.png" not in text(refused)
