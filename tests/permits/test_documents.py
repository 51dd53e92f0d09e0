"""Issue 16: the papers a station signs. One test per kind: issued by the deciding service in its
transaction (and only once when the act is retried), the PDF opens, its text holds the
reference, the dates and every flagged item, and its QR code decodes to its verification URL."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone

from core.errors import NotAllowed, WrongState
from notifications.models import Notification
from permits import rules
from permits.constants import ApplicationState, DocumentKind
from permits.models import Document
from permits.services import applications as svc
from permits.services import documents as document_services
from permits.services import rendering
from tests.factories import StaffFactory, StationFactory
from tests.permits.documents_support import cn_date, pdf_text, qr_texts
from tests.permits.factories import ApplicationFactory, PermitFactory
from tests.permits.helpers import registered_person, staff_for
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


@pytest.fixture
def case():
    app = ApplicationFactory(submitted=True)
    return app, staff_for(app.station)


def download(client, user, document) -> bytes:
    client.force_login(user)
    response = client.get(reverse("permits:document_file", args=[document.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    return b"".join(response.streaming_content)


def assert_verifiable(data: bytes, document: Document) -> None:
    assert data.startswith(b"%PDF-")
    assert qr_texts(data) == [document.verification_url()]
    text = pdf_text(data)
    assert document.number in text
    assert document.display_code in text


def only_document(application, kind) -> Document:
    documents = list(Document.objects.filter(application=application, kind=kind))
    assert len(documents) == 1
    return documents[0]


def test_acceptance_notice(case, client, settings, django_capture_on_commit_callbacks):
    settings.DEADLINE_DAY_MODE = "working"
    app, staff = case
    with django_capture_on_commit_callbacks(execute=True):
        svc.accept(user=staff["officer"], application=app)
    with pytest.raises(WrongState):  # the act retried (a double click, a second tab)
        svc.accept(user=staff["officer"], application=app)
    document = only_document(app, DocumentKind.ACCEPTANCE)
    assert document.is_rendered  # the task ran after commit
    assert document.issued_by == staff["officer"] and document.station == app.station
    # the service asked again for the same act returns the same paper
    again = document_services.issue_for_application(
        app, DocumentKind.ACCEPTANCE, by=staff["officer"], event_key="accept"
    )
    assert again.pk == document.pk

    data = download(client, app.filed_by, document)
    assert_verifiable(data, document)
    text = pdf_text(data)
    accepted_on = timezone.localdate(app.accepted_at)
    assert app.reference in text
    assert "受理通知书" in text
    assert cn_date(accepted_on) in text
    assert cn_date(app.deadline) in text
    assert app.deadline == rules.decision_deadline(accepted_on, mode=rules.DayMode.WORKING)
    assert "15个工作日" in text
    assert "制证完成" in text and "办结" not in text  # the clock runs to production
    assert app.station.name in text
    # the message in My Affairs links to the paper on the application's page
    notice = Notification.objects.get(recipient=app.filed_by, kind="application_accepted")
    assert notice.link.endswith(f"#document-{document.pk}")
    page = client.get(notice.link.split("#")[0])
    assert f'id="document-{document.pk}"' in page.content.decode()
    assert reverse("permits:document_file", args=[document.pk]) in page.content.decode()


def test_one_time_notice_lists_every_item(case, client):
    app, staff = case
    items = [
        {"code": "photo", "reason": "unclear", "note": "照片模糊，请重新拍摄"},
        {"code": "residence_proof", "reason": "expired", "note": "租赁合同已过期"},
    ]
    svc.request_supplement(user=staff["officer"], application=app, items=items, note="请一并补充")
    document = only_document(app, DocumentKind.SUPPLEMENT)
    data = download(client, app.filed_by, document)
    assert_verifiable(data, document)
    text = pdf_text(data).replace("\n", "")
    requested_on = timezone.localdate(app.supplement_requested_at)
    assert app.reference in text
    assert "一次性告知书" in text
    assert cn_date(requested_on) in text
    supply_by = rules.supply_due_by(requested_on, mode=rules.configured_day_mode())
    assert cn_date(supply_by) in text
    names = {r.code: r.name_zh for r in app.requirements()}
    for item in items:
        assert names[item["code"]] in text
        assert item["note"] in text
    assert "不清晰" in text or "无法辨认" in text  # the reason, in plain words
    assert "请一并补充" in text
    notice = Notification.objects.get(recipient=app.filed_by, kind="supplement_requested")
    assert notice.link.endswith(f"#document-{document.pk}")


@pytest.mark.parametrize(
    ("accepted_first", "title"), [(False, "不予受理通知书"), (True, "不予批准通知书")]
)
def test_refusal_notice_states_reason_basis_and_remedies(
    case, client, settings, accepted_first, title
):
    settings.ISSUING_AUTHORITY = "测试市公安局"
    app, staff = case
    if accepted_first:
        svc.accept(user=staff["officer"], application=app)
    svc.reject(user=staff["officer"], application=app, reason="other", note="房屋地址与登记不符")
    with pytest.raises(WrongState):
        svc.reject(user=staff["officer"], application=app, reason="other", note="again")
    document = only_document(app, DocumentKind.REFUSAL)
    data = download(client, app.filed_by, document)
    assert_verifiable(data, document)
    text = pdf_text(data).replace("\n", "")
    decided_on = timezone.localdate(app.decided_at)
    reconsider_by, sue_by = rules.remedy_deadlines(decided_on)
    assert title in text
    assert app.reference in text
    assert "房屋地址与登记不符" in text
    assert "测试市公安局" in text
    assert "行政许可法" in text  # the legal basis
    assert "60日" in text and "6个月" in text
    assert cn_date(reconsider_by) in text and cn_date(sue_by) in text
    # counted from receipt (My Affairs, the day of the decision), moved off rest days
    assert reconsider_by == rules.next_working_day(decided_on + datetime.timedelta(days=60))
    assert sue_by == rules.next_working_day(decided_on + relativedelta(months=6))
    assert f"{app.station.name}于{cn_date(decided_on)}决定" in text  # the station decides


def test_handover_receipt_at_the_window(client):
    app = ApplicationFactory(awaiting_pickup=True, submitted_at=timezone.now())
    app.permit = PermitFactory(holder=app.person, house=app.registration.house)
    app.new_card_serial = app.permit.card_serial
    app.save()
    clerk = StaffFactory(clerk=True, station=app.station)
    svc.record_collected(user=clerk, application=app, collector_id_number=app.person.id_number)
    document = only_document(app, DocumentKind.HANDOVER)
    data = download(client, app.filed_by, document)
    assert_verifiable(data, document)
    text = pdf_text(data).replace("\n", "")
    assert app.reference in text
    assert "窗口" in text
    assert app.permit.number in text
    assert cn_date(timezone.localdate(app.completed_at)) in text


def test_handover_receipt_by_mail_has_the_tracking_number(client):
    app = ApplicationFactory(mailed=True, service=Service.REPLACEMENT, submitted_at=timezone.now())
    app.permit = PermitFactory(holder=app.person, house=app.registration.house)
    app.save()
    clerk = StaffFactory(clerk=True, station=app.station)
    svc.record_delivered(user=clerk, application=app)
    with pytest.raises(WrongState):
        svc.record_delivered(user=clerk, application=app)
    document = only_document(app, DocumentKind.HANDOVER)
    text = pdf_text(download(client, app.filed_by, document)).replace("\n", "")
    assert "SF1234567890" in text
    assert "邮寄" in text
    assert cn_date(timezone.localdate(app.mailed_at)) in text


def test_residence_certificate_on_demand(client):
    since = timezone.localdate() - relativedelta(years=2, months=3, days=4)
    permit = PermitFactory(continuous_since=since)
    user = permit.holder.account
    client.force_login(user)
    page = client.get(reverse("applicants:me"))
    assert reverse("permits:residence_certificate") in page.content.decode()
    response = client.post(reverse("permits:residence_certificate"), {"permit": permit.pk})
    assert response.status_code == 302
    # asked twice the same day: the same paper
    client.post(reverse("permits:residence_certificate"), {"permit": permit.pk})
    document = Document.objects.get(permit=permit, kind=DocumentKind.RESIDENCE_CERTIFICATE)
    today = timezone.localdate()
    assert document.valid_until == today + datetime.timedelta(days=30)
    assert document.application is None and document.holder == permit.holder
    page = client.get(reverse("applicants:me")).content.decode()
    assert reverse("permits:document_file", args=[document.pk]) in page

    data = download(client, user, document)
    assert_verifiable(data, document)
    text = pdf_text(data).replace("\n", "")
    assert "居住证明" in text
    assert permit.holder.full_name in text
    # printed in full: a school or employer checks it against the identity card
    assert permit.holder.id_number in text
    assert permit.house.address in text
    assert permit.number in text
    assert cn_date(since) in text
    assert "2年3个月" in text
    assert cn_date(document.valid_until) in text


def test_residence_certificate_in_english_on_request(client):
    permit = PermitFactory()
    client.force_login(permit.holder.account)
    client.post(reverse("permits:residence_certificate"), {"permit": permit.pk, "language": "en"})
    document = Document.objects.get(permit=permit)
    assert document.language == "en"
    text = pdf_text(download(client, permit.holder.account, document)).replace("\n", " ")
    assert "Residence certificate" in text
    assert "Page 1 of 1" in text


def test_residence_certificate_only_for_a_usable_own_permit(client):
    suspended = PermitFactory(suspended=True)
    client.force_login(suspended.holder.account)
    client.post(reverse("permits:residence_certificate"), {"permit": suspended.pk})
    assert not Document.objects.exists()
    other = PermitFactory()
    response = client.post(reverse("permits:residence_certificate"), {"permit": other.pk})
    assert response.status_code == 404
    with pytest.raises(NotAllowed):
        document_services.issue_residence_certificate(user=suspended.holder.account, permit=other)
    assert not Document.objects.exists()


def test_a_failed_render_never_loses_the_decision(
    case, client, monkeypatch, django_capture_on_commit_callbacks
):
    app, staff = case

    def broken(document):
        raise OSError("no fonts today")

    monkeypatch.setattr(rendering, "render_pdf", broken)
    with django_capture_on_commit_callbacks(execute=True):
        svc.accept(user=staff["officer"], application=app)
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED
    document = only_document(app, DocumentKind.ACCEPTANCE)
    assert not document.is_rendered
    monkeypatch.undo()
    data = download(client, app.filed_by, document)  # rendered on the first download
    document.refresh_from_db()
    assert document.is_rendered
    assert app.reference in pdf_text(data)


def test_render_is_idempotent():
    document = _certificate()
    first = rendering.render_and_store(document_id=document.pk)
    second = rendering.render_and_store(document_id=document.pk)
    assert first.content_hash == second.content_hash and first.file.name == second.file.name


def _certificate():
    permit = PermitFactory()
    return document_services.issue_residence_certificate(user=permit.holder.account, permit=permit)


def test_numbers_are_dense_per_station_and_year(settings):
    station = StationFactory(short_code="0105")
    other_station = StationFactory()
    numbers = []
    for target in (station, station, other_station, station):
        permit = PermitFactory(house__station=target)
        document = document_services.issue_residence_certificate(
            user=permit.holder.account, permit=permit
        )
        numbers.append((document.station_id, document.serial))
    assert numbers == [(station.pk, 1), (station.pk, 2), (other_station.pk, 1), (station.pk, 3)]
    year = timezone.localdate().year
    assert (
        Document.objects.filter(station=station)
        .first()
        .number.startswith(f"{settings.CITY_CODE}0105-{year}-")  # the station's own code
    )
    other_number = Document.objects.filter(station=other_station)[0].number
    assert other_station.code.upper() not in other_number


def test_only_the_owner_and_the_station_download(client, case):
    app, staff = case
    svc.accept(user=staff["officer"], application=app)
    document = only_document(app, DocumentKind.ACCEPTANCE)
    url = reverse("permits:document_file", args=[document.pk])
    assert client.get(url).status_code == 302  # to the login page
    stranger = registered_person().account
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(StaffFactory(officer=True))  # another station's officer
    assert client.get(url).status_code == 404
    client.force_login(staff["officer"])
    assert client.get(url).status_code == 200
    client.force_login(staff["supervisor"])
    assert client.get(url).status_code == 200


def test_the_desk_shows_the_papers(client, case):
    app, staff = case
    svc.accept(user=staff["officer"], application=app)
    document = only_document(app, DocumentKind.ACCEPTANCE)
    client.force_login(staff["officer"])
    page = client.get(reverse("admin:permits_permitapplication_change", args=[app.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert document.number in body
    assert reverse("permits:document_file", args=[document.pk]) in body
