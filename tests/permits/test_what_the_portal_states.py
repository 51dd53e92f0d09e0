"""Issue 25: what the portal states is what the rules say. One test per point seen, each through
the page, paper or endpoint a person uses (the matrix of every voice is test_statements.py)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from rest_framework.test import APIClient

from permits import rules
from permits.constants import ApplicationState, DocumentKind, PermitStatus
from permits.models import Document, PermitApplication
from permits.services import documents as document_services
from permits.services import permits as permit_services
from permits.services.rendering import ensure_rendered
from permits.verification import verification_code
from tests.factories import RegistrationFactory, StaffFactory
from tests.permits.documents_support import cn_date, pdf_text
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
    assert f"其在本市连续居住自{cn_date(registered_on)}起计算" in text
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


# --- point 4: the refusal notice -----------------------------------------------------------------


def _download(client, user, document) -> bytes:
    client.force_login(user)
    response = client.get(reverse("permits:document_file", args=[document.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_a_refused_change_cites_its_article_is_decided_by_the_station_and_counts_from_receipt(
    client, settings
):
    settings.ISSUING_AUTHORITY = "海口市公安局"
    decided_on = datetime.date(2026, 8, 2)
    permit = PermitFactory()
    app = ApplicationFactory(
        service=Service.CHANGE,
        person=permit.holder,
        permit=permit,
        rejected=True,
        submitted_at=_at(decided_on),
        decided_at=_at(decided_on),
        rejection_reason="not_eligible",
    )
    officer = StaffFactory(officer=True, station=app.station)
    document = document_services.issue_for_application(
        app, DocumentKind.REFUSAL, by=officer, event_key="reject", from_state="submitted"
    )
    text = pdf_text(_download(client, app.filed_by, ensure_rendered(document))).replace("\n", "")
    # the article of a change, not the conditions of a new permit (Art. 2)
    assert "《居住证暂行条例》第四条" in text and "第二条" not in text
    # the station that signs decides
    assert f"{app.station.name}于{cn_date(decided_on)}决定" in text
    assert "海口市公安局决定" not in text
    # 60 days from receipt end on 2026-10-01, National Day: moved to the first working day after
    reconsider_by, sue_by = rules.remedy_deadlines(decided_on)
    assert reconsider_by > datetime.date(2026, 10, 7) and rules.is_working_day(reconsider_by)
    assert cn_date(reconsider_by) in text and "2026年10月1日" not in text
    assert cn_date(sue_by) in text and "自收到本通知书之日起" in text
    # one title: printed, listed and verified alike
    assert "不予受理通知书" in text
    listed = client.get(reverse("permits:application_detail", args=[app.pk])).content.decode()
    assert "不予受理通知书" in listed and "不予受理/不予批准通知书" not in listed
    verified = client.get(reverse("document-verify", args=[document.code])).content.decode()
    assert "不予受理通知书" in verified and "不予受理/不予批准通知书" not in verified
    answer = APIClient().get(
        reverse("api:document-verify", args=[document.code]), HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert answer.json()["kind_display"] == "不予受理通知书"


def test_the_remedies_cite_the_articles_the_rules_name_on_the_paper_and_the_page(client):
    """One home for the articles the remedies cite (rules.RECONSIDERATION_BASIS, LAWSUIT_BASIS,
    LAST_DAY_BASIS): the refusal paper and the case's page state them, in each language."""
    app = ApplicationFactory(rejected=True, rejection_reason="not_eligible")
    officer = StaffFactory(officer=True, station=app.station)
    document = document_services.issue_for_application(
        app, DocumentKind.REFUSAL, by=officer, event_key="reject", from_state="submitted"
    )
    text = pdf_text(_download(client, app.filed_by, ensure_rendered(document))).replace("\n", "")
    for basis in (rules.RECONSIDERATION_BASIS, rules.LAWSUIT_BASIS, rules.LAST_DAY_BASIS):
        with translation.override("zh-hans"):
            assert str(basis) in text
    assert "《中华人民共和国行政复议法》第二十条" in text
    page = reverse("permits:application_detail", args=[app.pk])
    for language, said in (
        (
            "zh-hans",
            ["《中华人民共和国行政复议法》第二十条", "《中华人民共和国行政诉讼法》第四十六条"],
        ),
        (
            "en",
            [
                "Administrative Reconsideration Law, Art. 20",
                "Administrative Procedure Law, Art. 46",
            ],
        ),
    ):
        html = client.get(page, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        for basis in said:
            assert basis in html, (language, basis)


# --- point 5: deemed acceptance checked by each desk act itself ----------------------------------


def test_a_one_time_notice_after_deemed_acceptance_is_refused_by_the_desk(client):
    from tests.review.helpers import act, station_with_application

    station, app, staff = station_with_application()
    received_on = timezone.localdate() - datetime.timedelta(days=20)  # > 5 working days
    PermitApplication.objects.filter(pk=app.pk).update(submitted_at=_at(received_on))
    client.force_login(staff["officer"])
    code = app.requirements()[0].code
    response = act(
        client, app, "request_supplement", **{f"flag_{code}": "on", f"reason_{code}": "unclear"}
    )
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED  # the daily job has not run
    assert timezone.localdate(app.accepted_at) == received_on
    assert app.deadline == rules.decision_deadline(received_on, mode=rules.configured_day_mode())
    assert "Art. 32" in response.content.decode() or "第三十二条" in response.content.decode()
    assert not Document.objects.filter(application=app, kind=DocumentKind.SUPPLEMENT).exists()


def _accepted_notices(app) -> list:
    from notifications.constants import NotificationKind
    from notifications.models import Notification

    return list(
        Notification.objects.filter(
            recipient=app.filed_by, kind=NotificationKind.APPLICATION_ACCEPTED
        ).values_list("kind", flat=True)
    )


def test_a_desk_act_that_finds_the_submission_deemed_accepted_tells_the_applicant_once(client):
    """The desk's refused one-time notice records the acceptance (above) and tells the applicant
    it was accepted, with the deadline, as the daily job would; the job after it tells nobody
    twice. An officer's acceptance of such a submission sends its own notice (with the paper),
    once."""
    from notifications.constants import NotificationKind
    from notifications.models import Notification
    from permits.services.permits import deem_overdue_submissions_accepted, notify_deemed_accepted
    from tests.review.helpers import act, station_with_application

    station, app, staff = station_with_application()
    received_on = timezone.localdate() - datetime.timedelta(days=20)
    PermitApplication.objects.filter(pk=app.pk).update(submitted_at=_at(received_on))
    client.force_login(staff["officer"])
    code = app.requirements()[0].code
    act(client, app, "request_supplement", **{f"flag_{code}": "on", f"reason_{code}": "unclear"})
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED
    assert len(_accepted_notices(app)) == 1
    deem_overdue_submissions_accepted()
    notify_deemed_accepted(application_ids=[app.pk])  # the daily job's notices, once more
    assert len(_accepted_notices(app)) == 1

    _station, other, staff = station_with_application()
    PermitApplication.objects.filter(pk=other.pk).update(submitted_at=_at(received_on))
    client.force_login(staff["officer"])
    act(client, other, "accept")
    other.refresh_from_db()
    assert other.state == ApplicationState.ACCEPTED
    assert len(_accepted_notices(other)) == 1
    paper = Document.objects.get(application=other, kind=DocumentKind.ACCEPTANCE)
    notice = Notification.objects.get(
        recipient=other.filed_by, kind=NotificationKind.APPLICATION_ACCEPTED
    )
    assert notice.link.endswith(f"#document-{paper.pk}")  # the notice links to the paper


def test_a_refusal_after_deemed_acceptance_is_a_refusal_to_approve(client):
    from tests.review.helpers import act, station_with_application

    station, app, staff = station_with_application()
    received_on = timezone.localdate() - datetime.timedelta(days=20)
    PermitApplication.objects.filter(pk=app.pk).update(submitted_at=_at(received_on))
    client.force_login(staff["officer"])
    act(client, app, "reject", reason="other", note="地址不符")
    app.refresh_from_db()
    assert app.state == ApplicationState.REJECTED
    refusal = Document.objects.get(application=app, kind=DocumentKind.REFUSAL)
    assert refusal.payload["stage"] == "not_approved"


# --- point 7: texts that hard-coded the law ------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "deemed", "said", "not_said"),
    [
        ("calendar", 3, ["within 15 days", "within 3 working days"], ["15 working days"]),
        ("working", 0, ["within 15 working days"], ["counts as accepted"]),
    ],
)
def test_the_submitted_page_states_the_configured_periods(
    client, settings, mode, deemed, said, not_said
):
    settings.DEADLINE_DAY_MODE = mode
    settings.DEEMED_ACCEPTANCE_WORKING_DAYS = deemed
    app = ApplicationFactory(submitted=True)
    client.force_login(app.filed_by)
    page = client.get(
        reverse("permits:application_submitted", args=[app.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    for text in said:
        assert text in page
    for text in not_said:
        assert text not in page


def test_the_third_rating_level_reads_basically_satisfied(client):
    from permits.models.ratings import RatingScore

    with translation.override("en"):
        assert str(RatingScore(3).label) == "Basically satisfied"
    with translation.override("zh-hans"):
        assert str(RatingScore(3).label) == "基本满意"


def test_the_readme_says_the_final_sms_carries_the_rating_link():
    from notifications.models import SmsMessage

    app = ApplicationFactory(awaiting_pickup=True)
    clerk = StaffFactory(clerk=True, station=app.station)
    from permits.services import applications as svc

    svc.record_collected(user=clerk, application=app, collector_id_number=app.person.id_number)
    final = SmsMessage.objects.get(notification__kind="certificate_collected")
    assert "/permits/rate/" in final.body
    readme = (Path(settings.BASE_DIR) / "README.md").read_text()
    assert "An SMS carries no ID number and no link." not in readme
    assert "final SMS carries its one-time rating link" in readme


# --- point 6: an agent's minor is re-checked each time -------------------------------------------


def test_an_agent_cannot_apply_for_a_dependent_minor_who_has_turned_16(client):
    from dateutil.relativedelta import relativedelta

    from tests.factories import IdentityFactory, UserFactory, make_id_number
    from tests.permits.helpers import registered_person

    agent = UserFactory()
    IdentityFactory(account=agent, verified=True)
    born = timezone.localdate() - relativedelta(years=17)
    grown = registered_person(
        months=8,
        account=agent,
        dependent_minor=True,
        birth_date=born,
        id_number=make_id_number(901, birth=born),
    )
    client.force_login(agent)
    response = client.post(
        reverse("permits:application_start"),
        {"service": Service.NEW, "person": grown.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "17 years old" in response.content.decode()
    assert not PermitApplication.objects.filter(person=grown).exists()


# --- point 1: eligibility counts from the registration the station recorded ----------------------


def test_eligibility_counts_from_the_recorded_registration_not_the_typed_move_in_date(client):
    today = timezone.localdate()
    typed = today - datetime.timedelta(days=215)  # seven months back, typed by the applicant
    registration = RegistrationFactory(registered=True, since=typed, registered_at=timezone.now())
    person = registration.person
    client.force_login(person.account)
    response = client.post(
        reverse("permits:application_start"),
        {"service": Service.NEW, "person": person.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    page = response.content.decode()
    eligible_from = rules.residence_eligible_from(today)
    assert eligible_from.isoformat() in page  # "possible from", counted from today's recording
    assert not PermitApplication.objects.filter(person=person).exists()
    # the start page says how it is counted
    start = client.get(reverse("permits:application_start"), HTTP_ACCEPT_LANGUAGE="en")
    assert "counted from the day the station recorded" in start.content.decode()


# --- point 8: papers a clerk can use -------------------------------------------------------------


def test_papers_carry_what_a_clerk_needs(client, settings):
    from permits.services import applications as svc
    from permits.services.rendering import render_html
    from tests.factories import HouseFactory, StationFactory

    station = StationFactory(code="longhua", short_code="0105")
    house = HouseFactory(station=station, address="海口市龙华区滨海大道88号")
    app = ApplicationFactory(
        awaiting_pickup=True, submitted_at=timezone.now(), registration__house=house
    )
    app.permit = PermitFactory(holder=app.person, house=house)
    app.new_card_serial = app.permit.card_serial
    app.save()
    clerk = StaffFactory(clerk=True, station=station)
    svc.record_collected(user=clerk, application=app, collector_id_number=app.person.id_number)
    receipt = Document.objects.get(application=app, kind=DocumentKind.HANDOVER)
    text = pdf_text(_download(client, app.filed_by, ensure_rendered(receipt)))
    flat = "".join(text.split())
    assert "领取人签名：" in flat  # the collector signs the window receipt
    # the station's own short code in the number, not its pinyin slug
    assert receipt.number.startswith(f"{settings.CITY_CODE}0105-") and "LONGHUA" not in flat
    assert cn_date(timezone.localdate()) in flat  # 2026年12月8日, not 2026-12-08
    assert timezone.localdate().isoformat() not in text
    # the seal placeholder is pressed over the issuing station's name and date
    html = render_html(receipt)
    issuer = html[html.index('<div class="issuer">') :]
    issuer = issuer[: issuer.index("</div>\n</div>")]
    assert 'class="seal"' in issuer and station.name in issuer

    holder = RegistrationFactory(registered=True, house=house, person__full_name="王测试").person
    own = PermitFactory(holder=holder, house=house)
    certificate = ensure_rendered(
        document_services.issue_residence_certificate(user=holder.account, permit=own)
    )
    text = pdf_text(_download(client, holder.account, certificate))
    # no stray spaces; the ID number in full (a school or employer checks it)
    assert "兹证明王测试（公民身份号码：" in text.replace("\n", "")
    assert "在海口市龙华区滨海大道88号登记居住" in text.replace("\n", "")
    assert holder.id_number in text
