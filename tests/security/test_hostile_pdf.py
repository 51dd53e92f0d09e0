"""Issue 11, point 4: a PDF that runs scripts, launches programs or carries embedded files is
refused on every upload (web and API); accepted PDFs are downloaded, never rendered inline, and
every protected file answers with a sandboxing Content-Security-Policy."""

import io
import zlib
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader, PdfWriter

from permits.models import Material, PermitApplication
from tests.api_support import assert_error, client_for
from tests.applicants.helpers import pdf_bytes
from tests.factories import PASSWORD, IdentityFactory
from tests.permits.helpers import draft_ready, registered_person, staff_for
from tests.permits.views.helpers import login, text, url
from tests.service_codes import Service

pytestmark = pytest.mark.django_db

MESSAGE = (
    "This PDF contains scripts or embedded files, which are not accepted. "
    "Save it again as a plain PDF or upload a photo."
)
MESSAGE_ZH = "该PDF文件包含脚本或嵌入文件，不予接受。请将其重新另存为普通PDF文件，或上传照片。"
REQUIREMENT = "id_card"

JAVASCRIPT = pdf_bytes(catalog_extra=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>")
LAUNCH = pdf_bytes(catalog_extra=b"/OpenAction << /S /Launch /F (cmd.exe) >>")
EMBEDDED_FILE = pdf_bytes(
    catalog_extra=b"/Names << /EmbeddedFiles << /Names [(a.exe) 4 0 R] >> >>",
    extra_objects=[
        b"<< /Type /Filespec /F (a.exe) /EF << /F 5 0 R >> >>",
        b"<< /Type /EmbeddedFile /Length 2 >>\nstream\nMZ\nendstream",
    ],
)
HEX_ESCAPED = pdf_bytes(catalog_extra=b"/OpenAction << /S /J#61vaScript /J#53 (app.alert(1)) >>")


def pdf_with_object_stream(hidden: bytes) -> bytes:
    """The catalogue's /OpenAction is object 5, kept compressed in object stream 4 (PDF 1.5,
    cross-reference stream): nothing of it shows in the raw bytes."""
    prefix = b"5 0 "
    packed = zlib.compress(prefix + hidden)
    bodies = {
        1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction 5 0 R >>",
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 72 72] >>",
        4: b"<< /Type /ObjStm /N 1 /First %d /Filter /FlateDecode /Length %d >>\nstream\n%s\n"
        b"endstream" % (len(prefix), len(packed), packed),
    }
    out = bytearray(b"%PDF-1.5\n")
    offsets = {}
    for number, body in bodies.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    offsets[6] = len(out)

    def row(kind: int, field2: int, field3: int) -> bytes:
        return bytes([kind]) + field2.to_bytes(4, "big") + field3.to_bytes(2, "big")

    table = row(0, 0, 0xFFFF)
    table += b"".join(row(1, offsets[n], 0) for n in (1, 2, 3, 4))
    table += row(2, 4, 0) + row(1, offsets[6], 0)
    out += b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n" % (
        len(table)
    )
    out += table + b"\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n" % offsets[6]
    return bytes(out)


COMPRESSED_JAVASCRIPT = pdf_with_object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>")
COMPRESSED_GOTO = pdf_with_object_stream(b"<< /S /GoTo /D [3 0 R /Fit] >>")


def encrypted_pdf(*, user_password: str) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(pdf_bytes()))
    writer.encrypt(user_password=user_password, owner_password="owner", algorithm="AES-256")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def as_upload(content: bytes, name: str = "proof.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def stored_files(settings) -> set[Path]:
    root = Path(settings.MEDIA_ROOT)
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def draft(client):
    """A person signed in on the web, with a fresh draft for a new permit."""
    person = registered_person(months=8)
    login(client, person)
    client.post(url("application_start"), {"service": "new", "person": person.pk})
    return PermitApplication.objects.get(person=person)


@pytest.fixture
def api_draft():
    person = registered_person(months=8)
    api = client_for(person.account)
    response = api.post(
        "/api/v1/applications/", {"service": "new", "basis": "residence"}, format="json"
    )
    assert response.status_code == 201, response.content
    return api, PermitApplication.objects.get(pk=response.json()["id"])


def api_upload(api, application, content):
    return api.post(
        f"/api/v1/applications/{application.pk}/materials/",
        {"requirement": REQUIREMENT, "file": as_upload(content)},
        format="multipart",
    )


# --- (a) the web upload form ----------------------------------------------------------------


def test_web_material_form_refuses_a_pdf_with_javascript(client, draft, settings):
    step = url("application_step_material", draft.pk, REQUIREMENT)
    before = stored_files(settings)
    response = client.post(step, {"file": as_upload(JAVASCRIPT)}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = text(response)
    assert "error-summary" in html
    assert MESSAGE in html
    assert not Material.objects.exists()
    assert stored_files(settings) == before


def test_the_refusal_is_translated(client, draft):
    step = url("application_step_material", draft.pk, REQUIREMENT)
    response = client.post(step, {"file": as_upload(JAVASCRIPT)}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert MESSAGE_ZH in text(response)
    assert not Material.objects.exists()


def test_web_agent_proof_refuses_a_pdf_with_javascript(client, settings):
    """The dependant form (agent proof) uses the same check: every document field does."""
    from django.urls import reverse

    from tests.applicants.helpers import upload

    agent = IdentityFactory(verified=True).account
    client.force_login(agent)
    before = stored_files(settings)
    data = {
        "full_name": "王小小",
        "id_number": "110101201605010011",
        "relationship": "guardian",
        "agent_reason": "minor",
        "id_card_front": upload("hukou.png"),
        "face_photo": upload("face.png"),
        "agent_proof": as_upload(JAVASCRIPT),
    }
    response = client.post(reverse("applicants:dependent_add"), data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert MESSAGE in text(response)
    assert agent.identities.count() == 1
    # the photos that passed are kept as the user's pending uploads (issue 15, point 9);
    # the refused PDF is not stored anywhere
    after = stored_files(settings)
    assert {path for path in after if "pending" not in path.parts} == before
    assert not [path for path in after - before if path.suffix == ".pdf"]


# --- (b) the API upload endpoint ------------------------------------------------------------


def test_api_material_upload_refuses_a_pdf_with_javascript(api_draft, settings):
    api, application = api_draft
    before = stored_files(settings)
    body = assert_error(api_upload(api, application, JAVASCRIPT), 400)
    assert MESSAGE in str(body)
    assert not Material.objects.exists()
    assert stored_files(settings) == before


# --- (c) launch actions, embedded files, hidden names, unparseable files ---------------------


@pytest.mark.parametrize(
    "content",
    [LAUNCH, EMBEDDED_FILE, HEX_ESCAPED, COMPRESSED_JAVASCRIPT],
    ids=["launch", "embedded-file", "hex-escaped-name", "compressed-object-stream"],
)
def test_api_refuses_other_active_pdfs(api_draft, content, settings):
    api, application = api_draft
    before = stored_files(settings)
    body = assert_error(api_upload(api, application, content), 400)
    assert MESSAGE in str(body)
    assert not Material.objects.exists()
    assert stored_files(settings) == before


def test_web_refuses_a_launch_action_and_an_embedded_file(client, draft):
    step = url("application_step_material", draft.pk, REQUIREMENT)
    for content in (LAUNCH, EMBEDDED_FILE, HEX_ESCAPED):
        response = client.post(step, {"file": as_upload(content)}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert MESSAGE in text(response)
    assert not Material.objects.exists()


def test_the_compressed_script_is_found_by_parsing_not_by_the_bytes(api_draft):
    """The object-stream file hides its script from a byte scan; the same file with a harmless
    /GoTo action is accepted, so the refusal above comes from the parsed document."""
    assert b"JavaScript" not in COMPRESSED_JAVASCRIPT and b"/JS" not in COMPRESSED_JAVASCRIPT
    api, application = api_draft
    assert api_upload(api, application, COMPRESSED_GOTO).status_code == 201


def test_unparseable_and_password_protected_pdfs_are_refused(api_draft):
    api, application = api_draft
    broken = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    body = assert_error(api_upload(api, application, broken), 400)
    assert "incomplete or damaged" in str(body)
    body = assert_error(api_upload(api, application, encrypted_pdf(user_password="secret")), 400)
    assert "protected by a password" in str(body)
    assert not Material.objects.exists()


# --- (d) plain PDFs are still accepted ------------------------------------------------------


def test_a_plain_pdf_is_accepted_on_the_web_and_through_the_api(client, draft, api_draft):
    step = url("application_step_material", draft.pk, REQUIREMENT)
    response = client.post(step, {"file": as_upload(pdf_bytes())})
    assert response.status_code == 302, text(response)[:2000]
    assert draft.materials.get().content_type == "application/pdf"

    api, application = api_draft
    response = api_upload(api, application, pdf_bytes())
    assert response.status_code == 201, response.content
    # a PDF with an owner password only (opens without a password) is accepted too
    response = api_upload(api, application, encrypted_pdf(user_password=""))
    assert response.status_code == 201, response.content


# --- (e) the protected download -------------------------------------------------------------


def assert_downloaded_in_a_sandbox(response):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    csp = response["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_an_accepted_pdf_is_downloaded_never_shown_inline(client, draft, api_draft):
    step = url("application_step_material", draft.pk, REQUIREMENT)
    client.post(step, {"file": as_upload(pdf_bytes())})
    material = draft.materials.get()
    assert_downloaded_in_a_sandbox(
        client.get(url("application_material_file", draft.pk, material.pk))
    )

    api, application = api_draft
    material_id = api_upload(api, application, pdf_bytes()).json()["id"]
    assert_downloaded_in_a_sandbox(
        api.get(f"/api/v1/applications/{application.pk}/materials/{material_id}/file/")
    )


def test_staff_review_download_and_images_carry_the_sandbox_too(client):
    from django.urls import reverse

    from permits.services import applications as svc

    person = registered_person(months=8)
    application = draft_ready(person, Service.NEW)
    svc.upload_material(
        user=person.account,
        application=application,
        requirement_code=REQUIREMENT,
        file=as_upload(pdf_bytes()),
    )
    application = svc.submit(user=person.account, application=application, password=PASSWORD)
    client.force_login(staff_for(application.station)["officer"])

    def review_file(material):
        return client.get(
            reverse("admin:review_application_material", args=[application.pk, material.pk])
        )

    materials = application.current_materials()
    assert_downloaded_in_a_sandbox(review_file(materials.get(requirement__code=REQUIREMENT)))
    image = review_file(materials.exclude(requirement__code=REQUIREMENT).first())
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert image["Content-Disposition"].startswith("inline;")
    csp = image["Content-Security-Policy"]
    assert "sandbox" in csp and "default-src 'none'" in csp
    assert image["X-Content-Type-Options"] == "nosniff"


def test_pdf_bytes_helper_is_a_real_pdf():
    """The test documents are parsed as PDFs, so the checks above test what they claim."""
    assert len(PdfReader(io.BytesIO(pdf_bytes())).pages) == 1
    assert len(PdfReader(io.BytesIO(COMPRESSED_GOTO)).pages) == 1
