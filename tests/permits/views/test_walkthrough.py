"""Acceptance 1: each service walked through the pages with the Django test client, as far as
the officer's acts, which are called through the services (the officer's screens are issue 7)."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from notifications.models import Notification
from permits.constants import ApplicationState
from permits.services import applications as svc
from tests.factories import PASSWORD, HouseFactory, IdentityFactory, UserFactory
from tests.permits.factories import PermitFactory
from tests.permits.helpers import staff_for, submitted
from tests.permits.views.helpers import (
    follow_steps,
    login,
    png,
    registered_person,
    start_via_pages,
    submit_via_pages,
    text,
    url,
)
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


def test_new_permit_with_uploads_from_start_to_confirmation(client):
    person = registered_person(months=7)
    login(client, person)

    page = client.get(url("application_start"))
    assert page.status_code == 200
    application = start_via_pages(client, person, Service.NEW)
    follow_steps(client, application, basis="residence")

    check = client.get(url("application_check", application.pk))
    html = text(check)
    assert person.masked_id_number in html
    assert person.id_number not in html
    assert "?return_to=check" in html
    assert application.materials.filter(superseded=False).count() == 3

    response = submit_via_pages(client, application)
    assert response.status_code == 302
    assert response.url == url("application_submitted", application.pk)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    confirmation = text(client.get(response.url))
    assert application.reference in confirmation
    assert Notification.objects.filter(
        recipient=person.account, kind="application_submitted"
    ).exists()


def _produce(application):
    staff = staff_for(application.station)
    svc.accept(user=staff["officer"], application=application)
    svc.approve(user=staff["officer"], application=application)
    return svc.mark_produced(user=staff["clerk"], application=application)


def _permit_for(person, *, expires_in_days=20, house=None, **kwargs):
    registration = person.registrations.get()
    today = timezone.localdate()
    valid_until = today + datetime.timedelta(days=expires_in_days)
    return PermitFactory(
        holder=person,
        house=house or registration.house,
        issued_on=valid_until - relativedelta(years=1),
        valid_until=valid_until,
        **kwargs,
    )


def test_renewal_then_mail_shows_the_old_card_instruction(client):
    person = registered_person(months=14)
    permit = _permit_for(person, expires_in_days=20)
    login(client, person)

    application = start_via_pages(client, person, Service.RENEWAL)
    assert application.permit == permit
    follow_steps(client, application, basis="residence")
    response = submit_via_pages(client, application)
    assert response.url == url("application_submitted", application.pk)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED

    _produce(application)
    detail = text(client.get(url("application_detail", application.pk)))
    assert url("application_delivery", application.pk) in detail

    response = client.post(
        url("application_delivery", application.pk), {"method": "mail", "seen_state": "produced"}
    )
    assert response.url == url("application_delivery_mail", application.pk)
    mail_page = text(client.get(response.url))
    assert application.station.address in mail_page

    # A wrong phone number is refused on the page and keeps what was typed.
    bad = client.post(
        url("application_delivery_mail", application.pk),
        {
            "recipient_name": "王小明",
            "address": "海口市美兰区人民大道 58 号 1 栋 1202",
            "phone": "12345",
            "seen_state": "produced",
        },
    )
    assert bad.status_code == 200
    html = text(bad)
    assert "error-summary" in html and "海口市美兰区人民大道 58 号 1 栋 1202" in html
    application.refresh_from_db()
    assert application.state == ApplicationState.PRODUCED and not application.delivery_method

    response = client.post(
        url("application_delivery_mail", application.pk),
        {
            "recipient_name": "王小明",
            "address": "海口市美兰区人民大道 58 号 1 栋 1202",
            "phone": "139 0000 0002",
            "seen_state": "produced",
        },
    )
    assert response.url == url("application_detail", application.pk)
    application.refresh_from_db()
    assert application.state == ApplicationState.AWAITING_OLD_CARD
    assert application.mail_phone == "+8613900000002"
    detail = text(client.get(response.url))
    assert 'id="mail"' in detail
    assert application.station.address in detail
    assert "postage" in detail.lower() or "邮费" in detail


def test_change_of_address_with_proof(client):
    person = registered_person(months=14)
    # The permit is still at the old address; the residence is registered at the new one.
    permit = _permit_for(person, expires_in_days=200, house=HouseFactory())
    login(client, person)
    application = start_via_pages(client, person, Service.CHANGE)
    changed_on = timezone.localdate() - datetime.timedelta(days=40)

    # A date in the future is refused on the details page; the typed value stays.
    details_url = url("application_step_details", application.pk)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    refused = client.post(
        details_url,
        {"changed_field": "address", "new_value": "海口市秀英区 9 号", "changed_on": future},
    )
    assert refused.status_code == 200
    assert "海口市秀英区 9 号" in text(refused)

    follow_steps(
        client,
        application,
        details={
            "changed_field": "address",
            "new_value": "海口市秀英区 9 号",
            "changed_on": changed_on.isoformat(),
        },
    )
    check = text(client.get(url("application_check", application.pk)))
    assert "海口市秀英区 9 号" in check
    submit_via_pages(client, application)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.answers["changed_field"] == "address"
    assert application.is_late  # 40 days after the change: still accepted, marked late
    assert "30" in text(client.get(url("application_detail", application.pk)))
    _produce(application)
    permit.refresh_from_db()
    assert permit.house == person.registrations.get().house


def test_change_of_address_before_registering_the_new_one_is_explained(client):
    person = registered_person(months=14)
    _permit_for(person, expires_in_days=200)  # permit and registration at the same house
    login(client, person)
    application = start_via_pages(client, person, Service.CHANGE)
    details = {
        "changed_field": "address",
        "new_value": "海口市秀英区 9 号",
        "changed_on": timezone.localdate().isoformat(),
    }
    page = client.post(url("application_step_details", application.pk), details)
    assert page.status_code == 302
    html = text(client.get(url("application_step_details", application.pk)))
    assert "/permits/registrations/new/" in html
    follow_steps(client, application, details=details)
    response = submit_via_pages(client, application)
    assert response.status_code == 200
    assert "error-summary" in text(response)
    application.refresh_from_db()
    assert application.state == ApplicationState.DRAFT


def test_replacement_of_a_lost_card_then_window_pickup_with_qr(client):
    person = registered_person(months=14)
    permit = _permit_for(person, expires_in_days=200)
    login(client, person)
    application = start_via_pages(client, person, Service.REPLACEMENT)
    follow_steps(client, application, details={"reason": "lost"}, files={"damaged_card": None})
    assert not application.materials.exists()  # the optional photo was skipped
    submit_via_pages(client, application)
    application.refresh_from_db()
    permit.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert permit.status == "lost"

    _produce(application)
    response = client.post(
        url("application_delivery", application.pk),
        {"method": "window", "seen_state": "produced"},
    )
    assert response.url == url("application_delivery_window", application.pk)
    confirm = text(client.get(response.url))
    assert application.station.window_hours in confirm
    response = client.post(response.url, {"method": "window", "seen_state": "produced"})
    assert response.url == url("application_detail", application.pk)
    application.refresh_from_db()
    assert application.state == ApplicationState.AWAITING_PICKUP

    detail = text(client.get(response.url))
    assert url("application_pickup_qr", application.pk) in detail
    assert application.station.address in detail
    qr = client.get(url("application_pickup_qr", application.pk))
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/png"
    assert qr.content.startswith(b"\x89PNG")
    assert application.pickup_code not in detail  # only as an image, never in the page


def test_supplement_answered_item_by_item(client):
    person = registered_person(months=8)
    application = submitted(person, Service.NEW)
    staff = staff_for(application.station)
    svc.request_supplement(
        user=staff["officer"],
        application=application,
        items=[{"code": "residence_proof", "reason": "unclear", "note": "看不清"}],
    )
    login(client, person)
    detail = text(client.get(url("application_detail", application.pk)))
    assert 'name="file_residence_proof"' in detail
    assert 'name="file_id_card"' not in detail  # upload fields for just the flagged items
    assert "看不清" in detail

    response = client.post(
        url("application_supplement", application.pk),
        {"file_residence_proof": png("new-lease.png"), "seen_state": "supplement_requested"},
    )
    assert response.url == url("application_detail", application.pk)
    assert application.materials.filter(requirement__code="residence_proof").count() == 2

    wrong = client.post(
        url("application_resubmit", application.pk),
        {"password": "not-my-password", "seen_state": "supplement_requested"},
    )
    assert wrong.status_code == 200
    application.refresh_from_db()
    assert application.state == ApplicationState.SUPPLEMENT_REQUESTED

    response = client.post(
        url("application_resubmit", application.pk),
        {"password": PASSWORD, "seen_state": "supplement_requested"},
    )
    assert response.url == url("application_detail", application.pk)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    timeline = text(client.get(response.url))
    assert "看不清" in timeline  # the itemised request stays in the timeline


def test_withdrawal_before_acceptance(client):
    person = registered_person(months=8)
    application = submitted(person, Service.NEW)
    login(client, person)
    page = client.get(url("application_withdraw", application.pk))
    assert page.status_code == 200
    refused = client.post(url("application_withdraw", application.pk), {"seen_state": "submitted"})
    assert refused.status_code == 200  # the box must be ticked
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    response = client.post(
        url("application_withdraw", application.pk),
        {"confirmed": "on", "seen_state": "submitted"},
    )
    assert response.url == url("application_detail", application.pk)
    application.refresh_from_db()
    assert application.state == ApplicationState.WITHDRAWN


def test_agent_applies_for_a_verified_dependent(client):
    agent = UserFactory()
    IdentityFactory(account=agent, verified=True)
    minor = registered_person(months=8, account=agent, dependent_minor=True)
    login(client, agent)
    page = text(client.get(url("application_start")))
    assert minor.full_name in page
    application = start_via_pages(client, minor, Service.NEW)
    follow_steps(client, application)
    submit_via_pages(client, application)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    assert application.filed_by == agent


def test_late_renewal_of_a_suspended_permit_restores_it(client):
    person = registered_person(months=26)
    permit = _permit_for(person, expires_in_days=-10, status="suspended")
    login(client, person)
    application = start_via_pages(client, person, Service.RENEWAL)
    follow_steps(client, application)
    submit_via_pages(client, application)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    _produce(application)
    permit.refresh_from_db()
    today = timezone.localdate()
    assert permit.status == "active"
    assert permit.continuous_since == today  # residence counted again from the endorsement
    detail = text(client.get(url("application_detail", application.pk)))
    assert permit.number in detail
    assert permit.valid_until.isoformat() in detail


def test_detail_shows_the_deadline_once_accepted_and_the_reason_of_a_rejection(client):
    person = registered_person(months=8)
    application = submitted(person, Service.NEW)
    staff = staff_for(application.station)
    login(client, person)
    assert "Decision due by" not in text(
        client.get(url("application_detail", application.pk), HTTP_ACCEPT_LANGUAGE="en")
    )
    svc.accept(user=staff["officer"], application=application)
    detail = text(client.get(url("application_detail", application.pk), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Decision due by" in detail
    assert application.deadline.isoformat() in detail
    svc.reject(
        user=staff["officer"],
        application=application,
        reason="false_information",
        note="租赁合同与房屋不符",
    )
    detail = text(client.get(url("application_detail", application.pk)))
    assert "租赁合同与房屋不符" in detail
    assert url("application_withdraw", application.pk) not in detail


def test_a_station_without_mail_offers_only_the_window(client):
    from tests.permits.factories import ApplicationFactory

    application = ApplicationFactory(produced=True)
    application.station.offers_mail = False
    application.station.save()
    login(client, application.person)
    page = text(client.get(url("application_delivery", application.pk)))
    assert 'value="window"' in page and 'value="mail"' not in page
    response = client.post(
        url("application_delivery", application.pk), {"method": "mail", "seen_state": "produced"}
    )
    assert response.status_code == 200
    assert "error-summary" in text(response)


def test_leaving_and_coming_back_resumes_the_draft(client):
    person = registered_person(months=8)
    login(client, person)
    application = start_via_pages(client, person, Service.NEW)
    client.post(url("application_step_identity", application.pk), {"confirmed": "on"})
    client.post(url("application_step_basis", application.pk), {"basis": "residence"})
    client.post(url("application_step_details", application.pk), {"household_region": "110105"})
    client.post(
        url("application_step_material", application.pk, "id_card"), {"file": png("id.png")}
    )
    client.logout()  # another day, another phone

    login(client, person)
    center = text(client.get("/accounts/me/"))
    assert url("application_resume", application.pk) in center
    response = client.get(url("application_resume", application.pk))
    assert response.url == url("application_step_material", application.pk, "photo")
    follow_steps(client, application)
    assert application.materials.filter(superseded=False).count() == 3
