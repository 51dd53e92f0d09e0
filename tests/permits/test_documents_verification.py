"""Issue 16: anyone checks a paper without login, on the page its QR code opens and over the API:
genuine, altered file, unknown code, expired certificate; nothing personal beyond the masked
name; rate-limited like the permit check. And the API lists and downloads papers to their owner
only."""

import datetime
import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from core.masking import mask_name
from permits.models import Document
from permits.services import documents as document_services
from permits.services.rendering import ensure_rendered
from tests.permits.factories import ApplicationFactory, PermitFactory
from tests.permits.helpers import registered_person, staff_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def certificate():
    permit = PermitFactory()
    document = document_services.issue_residence_certificate(
        user=permit.holder.account, permit=permit
    )
    return ensure_rendered(document)


def pdf_bytes(document) -> bytes:
    with document.file.open("rb") as handle:
        return handle.read()


def page(client, document_or_code, **params):
    code = getattr(document_or_code, "code", document_or_code)
    return client.get(reverse("document-verify", args=[code]), params, HTTP_ACCEPT_LANGUAGE="en")


def assert_nothing_personal(body: str, document) -> None:
    holder = document.holder
    assert holder.full_name not in body or len(holder.full_name) == 1
    assert holder.id_number not in body
    assert holder.id_number[-4:] not in body
    assert document.payload.get("address", "@@") not in body


def test_genuine_paper(client, certificate):
    response = page(client, certificate)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Genuine" in body
    assert certificate.number in body
    assert "Residence certificate" in body
    assert timezone.localdate(certificate.issued_at).isoformat() in body
    assert mask_name(certificate.holder.full_name) in body
    assert_nothing_personal(body, certificate)
    # the code as printed (groups, lower case) works too
    assert "Genuine" in page(client, certificate.display_code.lower()).content.decode()


def test_the_file_itself_is_checked(client, certificate):
    data = pdf_bytes(certificate)
    right = hashlib.sha256(data).hexdigest()
    assert "Genuine" in page(client, certificate, sha256=right).content.decode()
    altered = data.replace(certificate.number.encode(), b"X" * len(certificate.number), 1)
    wrong = hashlib.sha256(altered + b"\n").hexdigest()
    body = page(client, certificate, sha256=wrong).content.decode()
    assert "Not valid" in body and "altered" in body
    assert certificate.number not in body
    # an uploaded copy: the genuine file, then an altered one
    url = reverse("document-verify", args=[certificate.code])
    upload = SimpleUploadedFile("c.pdf", data, content_type="application/pdf")
    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    assert "Genuine" in client.post(url, {"file": upload}, **english).content.decode()
    upload = SimpleUploadedFile("c.pdf", data + b"%tampered", content_type="application/pdf")
    assert "altered" in client.post(url, {"file": upload}, **english).content.decode()


def test_unknown_or_forged_code(client, certificate):
    body = page(client, "ABCDEFGHJKMN").content.decode()
    assert "Not valid" in body and "forged" in body
    assert certificate.number not in body
    assert "Not valid" in page(client, "x" * 300).content.decode()


def test_expired_certificate(client, certificate):
    Document.objects.filter(pk=certificate.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    body = page(client, certificate).content.decode()
    assert "Not valid" in body and "expired" in body
    assert mask_name(certificate.holder.full_name) not in body
    assert_nothing_personal(body, certificate)


def test_the_api_answers_the_same(certificate):
    api = APIClient()
    url = reverse("api:document-verify", args=[certificate.code])
    genuine = api.get(url).json()
    assert genuine["status"] == "genuine"
    assert genuine["number"] == certificate.number
    assert genuine["kind"] == "residence_certificate"
    assert genuine["masked_name"] == mask_name(certificate.holder.full_name)
    assert set(genuine) == {
        "status", "reason", "reason_display", "kind", "kind_display", "number", "issued_on",
        "valid_until", "masked_name",
    }  # fmt: skip
    right = hashlib.sha256(pdf_bytes(certificate)).hexdigest()
    assert api.get(url, {"sha256": right}).json()["status"] == "genuine"
    altered = api.get(url, {"sha256": "0" * 64}).json()
    assert altered["status"] == "invalid" and altered["reason"] == "altered"
    assert altered["number"] == "" and altered["masked_name"] == ""
    upload = SimpleUploadedFile("c.pdf", pdf_bytes(certificate) + b"x")
    assert api.post(url, {"file": upload}, format="multipart").json()["reason"] == "altered"
    unknown = api.get(reverse("api:document-verify", args=["NOPE"])).json()
    assert unknown["status"] == "invalid" and unknown["reason"] == "unknown"
    Document.objects.filter(pk=certificate.pk).update(
        valid_until=timezone.localdate() - datetime.timedelta(days=1)
    )
    expired = api.get(url).json()
    assert expired["status"] == "invalid" and expired["reason"] == "expired"
    assert expired["masked_name"] == ""


def test_checks_are_rate_limited(client, settings, certificate):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "verify_ip": "2/min",
        },
    }
    assert page(client, certificate).status_code == 200
    assert page(client, certificate).status_code == 200
    assert page(client, certificate).status_code == 429
    url = reverse("api:document-verify", args=[certificate.code])
    assert APIClient().get(url).status_code == 429


def test_the_api_lists_and_downloads_my_papers_only(certificate):
    app = ApplicationFactory(submitted=True)
    staff = staff_for(app.station)
    from permits.services import applications as svc

    svc.accept(user=staff["officer"], application=app)
    notice = Document.objects.get(application=app)
    owner = APIClient()
    owner.force_authenticate(app.filed_by)
    listed = owner.get(reverse("api:documents")).json()
    rows = listed.get("results", listed)
    assert [row["id"] for row in rows] == [notice.pk]
    assert rows[0]["kind"] == "acceptance" and rows[0]["number"] == notice.number
    assert owner.get(reverse("api:documents"), {"application": app.pk}).status_code == 200
    response = owner.get(reverse("api:document-file", args=[notice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    # the certificate's holder sees theirs, not this notice, and gets 404 for it
    holder = APIClient()
    holder.force_authenticate(certificate.holder.account)
    rows = holder.get(reverse("api:documents")).json()
    rows = rows.get("results", rows)
    assert [row["id"] for row in rows] == [certificate.pk]
    assert holder.get(reverse("api:document-file", args=[notice.pk])).status_code == 404
    assert holder.get(reverse("api:document", args=[notice.pk])).status_code == 404
    stranger = APIClient()
    stranger.force_authenticate(registered_person().account)
    assert stranger.get(reverse("api:document-file", args=[certificate.pk])).status_code == 404
    assert APIClient().get(reverse("api:document-file", args=[notice.pk])).status_code in (
        401,
        403,
    )


def test_listing_papers_costs_the_same_for_one_or_many(django_assert_max_num_queries):
    permit = PermitFactory()
    account = permit.holder.account
    api = APIClient()
    api.force_authenticate(account)

    def issue(days_ago):
        document = document_services.issue_residence_certificate(user=account, permit=permit)
        Document.objects.filter(pk=document.pk).update(
            event_key=f"older:{days_ago}",
            issued_at=timezone.now() - datetime.timedelta(days=days_ago),
        )

    issue(1)
    with django_assert_max_num_queries(4) as one:
        assert api.get(reverse("api:documents")).status_code == 200
    for days_ago in range(2, 12):
        issue(days_ago)
    with django_assert_max_num_queries(len(one.captured_queries)):
        rows = api.get(reverse("api:documents")).json()
    assert len(rows.get("results", rows)) == 11
