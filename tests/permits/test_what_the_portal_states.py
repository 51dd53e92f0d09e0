"""Issue 25: what the portal states is what the rules say. One test per point seen, each through
the page, paper or endpoint a person uses (the matrix of every voice is test_statements.py)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from permits import rules
from permits.constants import DocumentKind, PermitStatus
from permits.models import Document
from permits.services import documents as document_services
from permits.services import permits as permit_services
from permits.services.rendering import ensure_rendered
from permits.verification import verification_code
from tests.factories import RegistrationFactory, StaffFactory
from tests.permits.documents_support import pdf_text
from tests.permits.factories import ApplicationFactory, PermitFactory
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


def _overdue_permit_with_renewal(filed_on: datetime.date, today: datetime.date):
    permit = PermitFactory(
        issued_on=today - datetime.timedelta(days=370),
        valid_until=today - datetime.timedelta(days=5),
    )
    ApplicationFactory(
        service=Service.RENEWAL,
        person=permit.holder,
        permit=permit,
        submitted=True,
        submitted_at=_at(filed_on),
    )
    return permit


# --- point 2: /verify says what the permit is today by the rules ---------------------------------


def test_an_on_time_renewal_pending_keeps_the_permit_valid_on_verify(client):
    today = timezone.localdate()
    permit = _overdue_permit_with_renewal(today - datetime.timedelta(days=10), today)
    code = verification_code(permit)
    html = client.get(f"/verify/{code}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Valid" in html and "Suspended" not in html
    assert APIClient().get(f"/api/v1/verify/{code}/").json()["status"] == "valid"
    # and the residence certificate is not refused meanwhile
    client.force_login(permit.holder.account)
    client.post(reverse("permits:residence_certificate"), {"permit": permit.pk})
    assert Document.objects.filter(permit=permit, kind=DocumentKind.RESIDENCE_CERTIFICATE).exists()


def test_a_late_renewal_pending_leaves_the_permit_suspended_on_verify(client):
    today = timezone.localdate()
    permit = _overdue_permit_with_renewal(today - datetime.timedelta(days=1), today)
    code = verification_code(permit)
    assert APIClient().get(f"/api/v1/verify/{code}/").json()["status"] == "suspended"
    client.force_login(permit.holder.account)
    client.post(reverse("permits:residence_certificate"), {"permit": permit.pk})
    assert not Document.objects.filter(permit=permit).exists()


# --- point 3: continuity counted from the registration chain -------------------------------------


def test_a_new_permit_counts_residence_from_the_registration_chain(client):
    today = timezone.localdate()
    registered_on = today - datetime.timedelta(days=240)
    registration = RegistrationFactory(
        registered=True, since=registered_on, registered_at=_at(registered_on)
    )
    person = registration.person
    clerk = StaffFactory(clerk=True, station=registration.station)
    permit = permit_services.issue_permit(
        by=clerk,
        holder=person,
        house=registration.house,
        basis=registration.basis,
        issued_on=today,
        card_serial=permit_services.next_card_serial(),
    )
    assert permit.continuous_since == registered_on
    years, months = rules.years_and_months(registered_on, today)
    assert months >= 7
    # the personal center
    client.force_login(person.account)
    center = client.get(reverse("applicants:me")).content.decode()
    assert f"{years}年{months}个月（自{registered_on.isoformat()}起计算）" in center
    # the residence certificate
    document = ensure_rendered(
        document_services.issue_residence_certificate(user=person.account, permit=permit)
    )
    with document.file.open("rb") as handle:
        text = pdf_text(handle.read()).replace("\n", "")
    chinese = f"{registered_on.year}年{registered_on.month}月{registered_on.day}日"
    assert f"其在本市连续居住自{chinese}起计算" in text
    assert f"已满{years}年{months}个月" in text


# --- point 9: a certificate of a cancelled permit no longer verifies -----------------------------


def test_a_certificate_of_a_cancelled_permit_is_no_longer_genuine(client):
    permit = PermitFactory()
    certificate = document_services.issue_residence_certificate(
        user=permit.holder.account, permit=permit
    )
    url = reverse("document-verify", args=[certificate.code])
    api_url = reverse("api:document-verify", args=[certificate.code])
    assert "Genuine" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    officer = StaffFactory(officer=True, station=permit.station)
    permit_services.cancel_permit(user=officer, permit=permit, moved_on=timezone.localdate())
    permit.refresh_from_db()
    assert permit.status == PermitStatus.CANCELLED
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not valid" in body and "no longer valid" in body
    answer = APIClient().get(api_url).json()
    assert answer["status"] == "invalid" and answer["reason"] == "no_longer_holds"
    assert answer["masked_name"] == ""


# --- point 8 (verification page) and point 10 (the file check works from a browser) --------------


def test_the_verification_page_names_the_issuing_station_and_keeps_the_origin(client):
    permit = PermitFactory()
    certificate = document_services.issue_residence_certificate(
        user=permit.holder.account, permit=permit
    )
    response = client.get(
        reverse("document-verify", args=[certificate.code]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert f"issued by {permit.station.name}" in response.content.decode()
    # no-referrer makes a browser post "Origin: null", which the CSRF check refuses (403)
    assert response["Referrer-Policy"] == "same-origin"
