"""Acceptance 2 (what `make run` offers): the demo applicant files a renewal on the web from
start to confirmation; after the demo officer's approval and the clerk's production (through
the services, as the admin does) the applicant chooses mail and sees the instructions."""

import pytest
from django.core.management import call_command

from applicants.models import User
from permits.constants import ApplicationState
from permits.models import StaffAssignment
from permits.services import applications as svc
from tests.permits.views.helpers import follow_steps, start_via_pages, submit_via_pages, text, url
from tests.service_codes import Service

pytestmark = pytest.mark.django_db

DEMO_PASSWORD = "Demo-Pass-2026"


def test_demo_applicant_renews_on_the_web_and_chooses_mail(client, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent: still one permit
    applicant = User.objects.get(phone="+8613900000001")
    person = applicant.own_identity
    assert person.permits.count() == 1

    assert client.login(phone=applicant.phone, password=DEMO_PASSWORD)
    application = start_via_pages(client, person, Service.RENEWAL)
    follow_steps(client, application, basis="residence")
    response = submit_via_pages(client, application, password=DEMO_PASSWORD)
    assert response.url == url("application_submitted", application.pk)
    application.refresh_from_db()
    assert application.reference in text(client.get(response.url))

    staff = StaffAssignment.objects.filter(station=application.station).select_related("user")
    officer = staff.get(user__groups__name="officer").user
    clerk = staff.get(user__groups__name="clerk").user
    svc.accept(user=officer, application=application)
    svc.approve(user=officer, application=application)
    svc.mark_produced(user=clerk, application=application)

    client.post(url("application_delivery", application.pk), {"method": "mail"})
    response = client.post(
        url("application_delivery_mail", application.pk),
        {
            "recipient_name": "林演示",
            "address": "海口市龙华区滨海大道 100 号 3 栋 201",
            "phone": "13900000001",
        },
    )
    assert response.url == url("application_detail", application.pk)
    application.refresh_from_db()
    assert application.state == ApplicationState.AWAITING_OLD_CARD
    detail = text(client.get(response.url, HTTP_ACCEPT_LANGUAGE="en"))
    assert "First post your current residence permit card to the station" in detail
    assert application.station.address in detail
