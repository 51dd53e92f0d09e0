"""Retention (issue 14 point 5): ID-card photos, face photos and uploaded proofs are deleted from
storage a set time after their case closed; the rows stay as tombstones; open cases are never
touched; the job works in batches with bounded queries, and a second run does nothing."""

import datetime as dt

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from applicants.models import Identity
from config.celery import DAILY_QUEUE, TASK_QUEUES, app
from permits.models import Material, MaterialRequirement, ResidenceRegistration
from permits.services.retention import delete_expired_files
from tests.factories import IdentityFactory, RegistrationFactory, StaffFactory, tiny_png
from tests.permits.factories import ApplicationFactory, PermitFactory

pytestmark = pytest.mark.django_db

# The moment every row below is created and closed at: fixed, not "today".
CLOSED = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _periods(settings):
    settings.RETENTION_IDENTITY_PHOTOS_DAYS = 180
    settings.RETENTION_APPLICATION_MATERIALS_DAYS = 365
    settings.RETENTION_REGISTRATION_PROOFS_DAYS = 365


def days_after(days, hours=0):
    return CLOSED + dt.timedelta(days=days, hours=hours)


def material_for(application):
    requirement = MaterialRequirement.objects.filter(service=application.service).first()
    return Material.objects.create(
        application=application,
        requirement=requirement,
        file=ContentFile(tiny_png(), name="proof.png"),
        uploaded_by=application.filed_by,
    )


def closed_application(**traits):
    """A final application (with one material), closed at CLOSED; nothing else open."""
    application = ApplicationFactory(**traits)
    ResidenceRegistration.objects.filter(pk=application.registration_id).update(
        state="cancelled", cancelled_on=CLOSED.date(), created_at=CLOSED
    )
    stamps = ("decided_at", "withdrawn_at", "completed_at")
    closed = {field: CLOSED for field in stamps if getattr(application, field)}
    type(application).objects.filter(pk=application.pk).update(updated_at=CLOSED, **closed)
    Identity.objects.filter(pk=application.person_id).update(
        created_at=CLOSED, submitted_at=CLOSED, decided_at=CLOSED
    )
    return application, material_for(application)


def stored(field_file) -> bool:
    return bool(field_file.name) and default_storage.exists(field_file.name)


def test_materials_of_a_closed_application_are_due_after_the_period():
    application, material = closed_application(rejected=True)
    name = material.file.name
    assert delete_expired_files(now=days_after(364))["application_materials"]["rows"] == 0
    assert default_storage.exists(name)
    result = delete_expired_files(now=days_after(365, hours=1))
    assert result["application_materials"] == {"rows": 1, "files": 1}
    material.refresh_from_db()
    assert material.file.name == ""  # the tombstone: the row stays, the file is gone
    assert not default_storage.exists(name)
    assert Material.objects.filter(pk=material.pk).exists()
    # idempotent: a second run finds nothing more
    again = delete_expired_files(now=days_after(365, hours=2))
    assert all(counts == {"rows": 0, "files": 0} for counts in again.values())


def test_identity_photos_are_due_180_days_after_the_last_case_closed():
    application, _material = closed_application(withdrawn=True)
    identity = application.person
    names = [identity.id_card_front.name, identity.face_photo.name]
    assert delete_expired_files(now=days_after(179))["identity_photos"]["rows"] == 0
    assert all(default_storage.exists(n) for n in names)
    assert delete_expired_files(now=days_after(181))["identity_photos"]["rows"] == 1
    identity.refresh_from_db()
    assert identity.id_card_front.name == "" and identity.face_photo.name == ""
    assert not any(default_storage.exists(n) for n in names)
    assert identity.state == "verified"  # nothing else changed


@pytest.mark.parametrize(
    "open_case",
    ["submitted_application", "accepted_application", "registered", "active_permit", "pending"],
)
def test_open_cases_are_never_touched(open_case):
    if open_case == "pending":
        identity = IdentityFactory(pending=True)
        application = None
    else:
        trait = {"submitted_application": "submitted", "accepted_application": "accepted"}
        application = ApplicationFactory(**{trait.get(open_case, "rejected"): True})
        identity = application.person
        if open_case == "active_permit":
            PermitFactory(holder=identity)
        if open_case != "registered":
            ResidenceRegistration.objects.filter(person=identity).update(state="rejected")
        material = material_for(application)
    Identity.objects.filter(pk=identity.pk).update(created_at=CLOSED)
    ten_years = timezone.now() + dt.timedelta(days=3650)
    result = delete_expired_files(now=ten_years)
    identity.refresh_from_db()
    assert stored(identity.id_card_front) and stored(identity.face_photo)
    assert result["identity_photos"]["rows"] == 0
    if open_case in ("submitted_application", "accepted_application"):
        material.refresh_from_db()
        assert stored(material.file)
        assert result["application_materials"]["rows"] == 0


def test_a_cancelled_permit_keeps_photos_for_the_period_after_it_ended():
    identity = IdentityFactory(verified=True)
    Identity.objects.filter(pk=identity.pk).update(created_at=CLOSED, decided_at=CLOSED)
    permit = PermitFactory(holder=identity, cancelled=True)
    type(permit).objects.filter(pk=permit.pk).update(
        cancelled_on=days_after(100).date(), updated_at=days_after(100)
    )
    assert delete_expired_files(now=days_after(279))["identity_photos"]["rows"] == 0
    assert delete_expired_files(now=days_after(281))["identity_photos"]["rows"] == 1


def test_registration_proofs_of_rejected_registrations():
    registration = RegistrationFactory(rejected=True)
    ResidenceRegistration.objects.filter(pk=registration.pk).update(created_at=CLOSED)
    open_one = RegistrationFactory(registered=True)
    ResidenceRegistration.objects.filter(pk=open_one.pk).update(created_at=CLOSED)
    name = registration.proof.name
    assert delete_expired_files(now=days_after(364))["registration_proofs"]["rows"] == 0
    assert delete_expired_files(now=days_after(366))["registration_proofs"]["rows"] == 1
    registration.refresh_from_db()
    open_one.refresh_from_db()
    assert registration.proof.name == "" and not default_storage.exists(name)
    assert stored(open_one.proof)


@pytest.mark.parametrize(
    ("rows", "batch_size", "queries"), [(3, 500, 22), (8, 500, 22), (3, 2, 40)]
)
def test_batches_with_bounded_queries(django_assert_max_num_queries, rows, batch_size, queries):
    for _ in range(rows):
        closed_application(rejected=True)
    # per kind and batch: find, check again, and in one transaction (a savepoint here) the update
    # and its accounts' page generations (issue 29); then one find with nothing left (the
    # lessors' confirmations: one find, none here)
    with django_assert_max_num_queries(queries):
        result = delete_expired_files(now=days_after(400), batch_size=batch_size)
    assert result["application_materials"]["rows"] == rows
    assert result["identity_photos"]["rows"] == rows
    assert result["registration_proofs"]["rows"] == rows
    assert not Material.objects.exclude(file="").exists()


def test_the_job_runs_daily_on_the_daily_queue():
    assert TASK_QUEUES["permits.delete_expired_files"] == DAILY_QUEUE
    assert TASK_QUEUES["review.delete_old_audit_events"] == DAILY_QUEUE
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {"permits.delete_expired_files", "review.delete_old_audit_events"} <= tasks


def test_supervisors_see_what_is_due(client, django_assert_max_num_queries, settings):
    settings.RETENTION_APPLICATION_MATERIALS_DAYS = 0
    settings.RETENTION_IDENTITY_PHOTOS_DAYS = 0
    for _ in range(3):
        closed_application(rejected=True)
    url = reverse("admin:review_retention_due")
    client.force_login(StaffFactory(supervisor=True))
    with django_assert_max_num_queries(25):
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="due-application_materials"' in html and 'id="due-identity_photos"' in html
    assert 'id="due-lessor_confirmations"' in html
    assert Material.objects.exclude(file="").count() == 3  # showing deletes nothing
    client.force_login(StaffFactory(officer=True))
    assert client.get(url).status_code == 403


def test_files_are_deleted_from_s3_too(settings):
    """The job deletes through the field's storage: on S3 (moto) the object is gone."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="portal-test")
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": "portal-test",
                    "region_name": "us-east-1",
                    "access_key": "test",
                    "secret_key": "test",
                    "default_acl": "private",
                },
            },
        }
        application, material = closed_application(rejected=True)
        name = material.file.name
        assert default_storage.exists(name)  # really in the bucket
        assert "S3" in type(default_storage._wrapped).__name__
        delete_expired_files(now=days_after(366))
        assert not default_storage.exists(name)
        material.refresh_from_db()
        assert material.file.name == ""
