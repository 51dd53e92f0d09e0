"""Issue 31 in the browser: a lessor confirms a tenant's address from the SMS link on a phone,
in Chinese, proving the phone with a code (the pages pass axe-core; the link then no longer
works)."""

import re

import pytest

from tests.e2e.helpers import PHONE, assert_accessible, latest_sms

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://\S+?(/permits/lessor/\S+/)")
LESSOR = "+8613912345678"


def test_a_lessor_confirms_by_the_link(new_page, shot):
    from permits.constants import LessorConfirmationState
    from permits.models import LessorConfirmation
    from permits.services import lessors as lessor_services
    from tests.factories import RegistrationFactory

    registration = RegistrationFactory(person__full_name="王小明")
    lessor_services.request_confirmation(
        user=registration.person.account, registration=registration, lessor_phone=LESSOR
    )
    match = LINK.search(latest_sms(LESSOR) or "")
    assert match
    path = match.group(1)

    page = new_page(viewport=PHONE, language="zh-hans")
    page.goto(path)
    content = page.content()
    assert registration.house.address in content and "王**" in content
    assert "王小明" not in content
    shot(page, "lessor-link")
    assert_accessible(page, "lessor link page")
    page.get_by_role("button", name="发送验证码").click()
    page.wait_for_selector("#id_code")
    code = re.search(r"(?<!\d)(\d{6})(?!\d)", latest_sms(LESSOR)).group(1)
    page.fill("#id_code", code)
    page.get_by_role("button", name="验证", exact=True).click()
    page.wait_for_selector("#id_lessor_name")
    assert_accessible(page, "lessor decision page")
    page.fill("#id_lessor_name", "房东张")
    page.get_by_role("button", name="是，我确认").click()
    page.wait_for_selector("#lessor-answer")
    shot(page, "confirmed")
    assert_accessible(page, "lessor thanks page")

    confirmation = LessorConfirmation.objects.get(registration=registration)
    assert confirmation.state == LessorConfirmationState.CONFIRMED
    assert confirmation.lessor_name == "房东张"
    response = page.goto(path)
    assert response.status == 410


def test_file_an_application_at_an_agency_which_accepts_it(new_page, shot):
    from permits.constants import ApplicationState
    from permits.models import PermitApplication
    from tests.e2e.journey import desk_act, log_in, submit_application
    from tests.factories import AgencyFactory, HouseFactory, StaffFactory, StationFactory
    from tests.permits.helpers import draft_ready, registered_person
    from tests.service_codes import Service

    station = StationFactory()
    agency = AgencyFactory(station=station, name="滨海社区服务站")
    person = registered_person(months=12, house=HouseFactory(station=station))
    draft = draft_ready(person, Service.NEW)

    page = new_page(viewport=PHONE, language="zh-hans")
    log_in(page, shot, phone=person.account.phone)
    page.goto(f"/permits/applications/{draft.pk}/check/")
    assert "滨海社区服务站" in page.content()
    page.locator("#place-form").get_by_label("滨海社区服务站", exact=False).check()
    with page.expect_navigation():
        page.locator("#place-form button[type=submit]").click()
    shot(page, "place-chosen")
    assert_accessible(page, "check page with the place")
    submit_application(page, shot, draft.pk)
    application = PermitApplication.objects.get(pk=draft.pk)
    assert application.agency == agency and application.state == ApplicationState.SUBMITTED

    agency_staff = StaffFactory(agency_staff=True, agency=agency)
    desk = new_page(viewport=PHONE, language="zh-hans")
    desk_act(desk, shot, agency_staff, draft.pk, "accept")
    application.refresh_from_db()
    assert application.state == ApplicationState.ACCEPTED
    assert desk.locator("#act-approve").count() == 0
