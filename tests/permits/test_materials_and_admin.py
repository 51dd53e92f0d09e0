"""The materials catalogue (data migration, admin), uploads checked by content and versioned,
and the read-only, station-scoped admin for applications and permits."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.errors import InvalidInput
from permits.models import MaterialRequirement
from permits.services import applications as svc
from tests.factories import PASSWORD, StaffFactory, StationFactory
from tests.permits.factories import ApplicationFactory, PermitFactory
from tests.permits.helpers import pdf, png, registered_person
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


def _codes(service, basis):
    app = ApplicationFactory.build(service=service, basis=basis)
    return list(app.requirements().values_list("code", flat=True))


def test_catalogue_is_loaded_per_service_and_basis():
    assert _codes(Service.NEW, "employment") == [
        "id_card",
        "photo",
        "residence_proof",
        "employment_proof",
    ]
    assert _codes(Service.NEW, "study") == ["id_card", "photo", "residence_proof", "study_proof"]
    assert _codes(Service.RENEWAL, "residence") == [
        "residence_permit",
        "id_card",
        "residence_proof",
    ]
    assert _codes(Service.CHANGE, "employment") == ["change_proof"]
    damaged = MaterialRequirement.objects.get(service=Service.REPLACEMENT)
    assert not damaged.required
    lease = MaterialRequirement.objects.get(service=Service.NEW, code="residence_proof")
    assert "房屋租赁合同" in lease.description_zh and "lease" in lease.description_en


def test_upload_accepts_images_and_pdf_by_content_and_keeps_versions():
    person = registered_person(months=8)
    app = svc.start_application(
        user=person.account, person=person, service=Service.NEW, basis="residence"
    )
    first = svc.upload_material(
        user=person.account, application=app, requirement_code="residence_proof", file=pdf()
    )
    assert first.content_type == "application/pdf" and first.version == 1
    second = svc.upload_material(
        user=person.account, application=app, requirement_code="residence_proof", file=png()
    )
    first.refresh_from_db()
    assert first.superseded and not second.superseded and second.version == 2
    assert second.content_type == "image/png"
    assert "proof" not in second.file.name  # never the person's file name
    fake = SimpleUploadedFile("lease.pdf", b"MZ not a pdf", content_type="application/pdf")
    with pytest.raises(InvalidInput):
        svc.upload_material(
            user=person.account, application=app, requirement_code="photo", file=fake
        )
    with pytest.raises(InvalidInput):
        svc.upload_material(
            user=person.account, application=app, requirement_code="study_proof", file=png()
        )


def test_submit_lists_missing_materials():
    person = registered_person(months=8)
    app = svc.start_application(
        user=person.account,
        person=person,
        service=Service.NEW,
        basis="residence",
        answers={"household_region": "110105"},
    )
    svc.upload_material(user=person.account, application=app, requirement_code="photo", file=png())
    with pytest.raises(InvalidInput) as exc:
        svc.submit(user=person.account, application=app, password=PASSWORD)
    assert exc.value.code == "materials_missing"
    assert "居民身份证" in str(exc.value) and "Proof of residence address" in str(exc.value)


def test_catalogue_is_editable_in_the_admin(client):
    admin = StaffFactory(supervisor=True, is_superuser=True)
    client.force_login(admin)
    requirement = MaterialRequirement.objects.get(service=Service.NEW, code="photo")
    url = reverse("admin:permits_materialrequirement_change", args=[requirement.pk])
    assert client.get(url).status_code == 200


def test_application_and_permit_admin_are_read_only_and_station_scoped(client):
    app = ApplicationFactory(submitted=True)
    officer = StaffFactory(officer=True, station=app.station)
    stranger = StaffFactory(officer=True, station=StationFactory())
    client.force_login(officer)
    url = reverse("admin:permits_permitapplication_change", args=[app.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert b'name="state"' not in response.content  # never editable
    assert client.post(url, {"state": "approved"}).status_code == 403
    app.refresh_from_db()
    assert app.state == "submitted"
    changelist = client.get(reverse("admin:permits_permitapplication_changelist"))
    assert changelist.status_code == 200
    assert app.person.id_number.encode() not in changelist.content  # masked in lists
    client.force_login(stranger)
    assert client.get(url).status_code in (302, 404)
    permit = PermitFactory(station=app.station, house__station=app.station)
    client.force_login(officer)
    assert (
        client.get(reverse("admin:permits_residencepermit_change", args=[permit.pk])).status_code
        == 200
    )


def test_upload_size_is_limited(settings):
    settings.UPLOAD_MAX_BYTES = 50
    person = registered_person(months=8)
    app = svc.start_application(
        user=person.account, person=person, service=Service.NEW, basis="residence"
    )
    with pytest.raises(InvalidInput) as exc:
        svc.upload_material(
            user=person.account, application=app, requirement_code="photo", file=png()
        )
    assert exc.value.code == "invalid_upload"
    assert not app.materials.exists()
