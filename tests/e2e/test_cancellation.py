"""Issue 13, acceptance 2: cancellation (注销) on moving away, in a real browser. The holder
applies on a phone (in Chinese) and mails the card in, the clerk records it received, the
officer completes it; the public check page then says "not valid" and the personal center shows
the cancelled permit with its date."""

import re

import pytest
from django.utils import timezone

from permits.constants import (
    ApplicationState,
    CardSerialStatus,
    PermitStatus,
    RegistrationState,
)
from permits.models import CardSerial, PermitApplication
from permits.verification import verification_code
from tests.e2e import journey
from tests.e2e.helpers import DESKTOP, PHONE, wait_until_all_sms_sent
from tests.factories import HouseFactory, StaffFactory, StationFactory
from tests.permits.factories import PermitFactory
from tests.permits.helpers import registered_person
from tests.service_codes import Service

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def fill_cancellation_steps(page, shot, *, moved_on: str) -> None:
    """The identity step, then the one details step: the date of moving and "mail the card"."""
    for _ in range(5):
        url = page.url
        if url.rstrip("/").endswith("/check"):
            journey.check_page(page, shot, "cancellation-check")
            return
        step = re.search(r"/step/(identity|details)/", url)
        assert step, f"not a cancellation step: {url}"
        journey.check_page(page, shot, f"cancellation-step-{step.group(1)}")
        if step.group(1) == "identity":
            page.locator("main input[name=confirmed]").check()
        else:
            page.fill("#id_moved_on", moved_on)
            journey.choose(page, "card_return", "mail")
        journey.submit_main_form(page)
    raise AssertionError("the steps never end")


def test_cancellation_mail_the_card_officer_completes(new_page, shot, celery_tasks):
    station = StationFactory(code="meilan", name="美兰派出所")
    house = HouseFactory(station=station)
    person = registered_person(months=14, house=house)
    permit = PermitFactory(holder=person, house=house)
    code = verification_code(permit)
    officer = StaffFactory(officer=True, station=station, display_name="陈警官")
    clerk = StaffFactory(clerk=True, station=station, display_name="周文员")
    today = timezone.localdate().isoformat()

    applicant = new_page(viewport=PHONE, language="zh-hans")
    journey.log_in(applicant, shot, phone=person.account.phone)

    # The personal center offers the cancellation for the active permit.
    applicant.goto("/accounts/me/")
    link = applicant.locator("main a[href$='?service=cancellation']").first
    assert link.is_visible()
    with applicant.expect_navigation():
        link.click()
    journey.check_page(applicant, shot, "start-cancellation")
    assert applicant.locator("main input[name=service][value=cancellation]").is_checked()
    if applicant.locator("main [name=person]").count():
        journey.choose(applicant, "person", str(person.pk))
    journey.submit_main_form(applicant)
    application_pk = int(re.search(r"/permits/applications/(\d+)/", applicant.url).group(1))

    fill_cancellation_steps(applicant, shot, moved_on=today)
    assert "注销" in applicant.content()
    journey.submit_application(applicant, shot, application_pk)
    application = PermitApplication.objects.get(pk=application_pk)
    assert application.service == Service.CANCELLATION
    assert application.state == ApplicationState.AWAITING_CARD_RETURN

    # The application page says where to mail the card.
    applicant.goto(f"/permits/applications/{application_pk}/")
    card_return = applicant.locator("#card-return")
    assert card_return.is_visible() and station.address in card_return.inner_text()
    journey.check_page(applicant, shot, "cancellation-mail-the-card")

    # The card arrives by mail: the clerk records it (the applicant's choice is preset).
    clerk_desk = new_page(viewport=DESKTOP, language="zh-hans")
    journey.desk_act(clerk_desk, shot, clerk, application_pk, "record_card_returned")
    application.refresh_from_db()
    assert application.state == ApplicationState.CARD_RETURNED

    # The officer completes the cancellation.
    desk = new_page(viewport=DESKTOP, language="zh-hans")
    journey.desk_act(desk, shot, officer, application_pk, "complete_cancellation")
    application.refresh_from_db()
    permit.refresh_from_db()
    assert application.state == ApplicationState.COMPLETED
    assert permit.status == PermitStatus.CANCELLED
    assert CardSerial.objects.get(serial=permit.card_serial).status == CardSerialStatus.INVALIDATED
    assert person.registrations.get().state == RegistrationState.CANCELLED

    # Anyone scanning the card's code is told it is not valid.
    public = new_page(viewport=PHONE, language="en")
    public.goto(f"/verify/{code}/")
    journey.check_page(public, shot, "verify-not-valid")
    assert "Not valid" in public.locator("main").inner_text()

    # The personal center shows the cancelled permit with its date.
    applicant.goto("/accounts/me/")
    journey.check_page(applicant, shot, "personal-center-cancelled")
    cancelled = applicant.locator("main .cancelled-permit")
    assert cancelled.count() == 1
    text = cancelled.inner_text()
    assert permit.number in text and permit.cancelled_on.isoformat() in text
    assert applicant.locator("main a[href$='?service=cancellation']").count() == 0
    wait_until_all_sms_sent()
