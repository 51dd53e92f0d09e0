"""The issue's scenario in a real browser: an applicant from sign-up to an active permit, the
officer and the clerk doing their part, screenshots of every step, axe on every applicant page."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from applicants.constants import IdentityState
from applicants.models import Identity, User
from notifications.models import Notification
from permits.constants import (
    ApplicationState,
    PermitStatus,
    RegistrationState,
    SupplementReason,
)
from permits.models import PermitApplication, ResidenceRegistration
from tests.e2e import journey
from tests.e2e.helpers import DESKTOP, PHONE, wait_until_all_sms_sent
from tests.factories import HouseFactory, StaffFactory, StationFactory, make_id_number
from tests.service_codes import Service

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def station():
    return StationFactory(code="longhua", name="龙华派出所")


def test_new_permit_from_sign_up_to_active_permit(new_page, shot, station, celery_tasks):
    house = HouseFactory(station=station, code="LH0000000001")
    officer = StaffFactory(officer=True, station=station, display_name="王警官")
    clerk = StaffFactory(clerk=True, station=station, display_name="李文员")
    applicant = new_page(viewport=PHONE, language="zh-hans")
    desk = new_page(viewport=DESKTOP, language="zh-hans")
    phone = "+8613912345678"
    id_number = make_id_number(321)

    journey.sign_up(applicant, shot, phone=phone, display_name="小林")
    account = User.objects.get(phone=phone)

    journey.submit_identity(applicant, shot, full_name="林小明", id_number=id_number)
    identity = Identity.objects.get(account=account)
    assert identity.state == IdentityState.PENDING

    journey.officer_verifies_identity(desk, shot, officer, identity)
    identity.refresh_from_db()
    assert identity.state == IdentityState.VERIFIED

    journey.register_residence(applicant, shot, house_code=house.code, months_ago=7)
    registration = ResidenceRegistration.objects.get(person=identity)
    journey.officer_registers_residence(desk, shot, officer, registration)
    registration.refresh_from_db()
    assert registration.state == RegistrationState.REGISTERED
    # Seven months pass: residence counts from the station's recording, not the typed move-in
    # date (issue 25).
    ResidenceRegistration.objects.filter(pk=registration.pk).update(
        registered_at=registration.registered_at - datetime.timedelta(days=7 * 31)
    )

    # The application: a new permit, with uploads, submitted with the password.
    application_pk = journey.start_application(
        applicant, shot, service=Service.NEW, person_pk=identity.pk
    )
    journey.walk_steps(applicant, shot, basis="residence")
    journey.submit_application(applicant, shot, application_pk)
    application = PermitApplication.objects.get(pk=application_pk)
    assert application.state == ApplicationState.SUBMITTED

    # The officer asks for one item at once (the one-time notice comes before acceptance).
    first_code = application.requirements()[0].code
    journey.desk_act(
        desk,
        shot,
        officer,
        application_pk,
        "request_supplement",
        supplement={first_code: (SupplementReason.UNCLEAR, "请重新拍照")},
    )
    assert application.reference in _sms(phone)  # the one-time notice also came by SMS

    # The applicant supplies it from the application's page; the officer accepts (the clock
    # of 15 working days starts).
    journey.supply_requested_material(applicant, shot, application_pk)
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED
    journey.desk_act(desk, shot, officer, application_pk, "accept")
    application.refresh_from_db()
    assert application.state == ApplicationState.ACCEPTED

    # The officer approves; the clerk marks the card produced (制证完成) with its serial.
    journey.desk_act(desk, shot, officer, application_pk, "approve")
    clerk_desk = new_page(viewport=DESKTOP, language="zh-hans")
    journey.clerk_marks_produced_in_bulk(clerk_desk, shot, clerk, {application_pk: "C0000123456"})
    application.refresh_from_db()
    assert application.state == ApplicationState.PRODUCED

    # The applicant chooses mail; the clerk dispatches and records delivery.
    journey.choose_mail(
        applicant,
        shot,
        application_pk,
        name="林小明",
        address="海口市龙华区滨海大道 100 号 3 栋 201",
        phone="13912345678",
    )
    journey.desk_act(
        clerk_desk,
        shot,
        clerk,
        application_pk,
        "record_mailed",
        fields={"tracking_number": "SF1234567890"},
    )
    journey.desk_act(clerk_desk, shot, clerk, application_pk, "record_delivered")
    application.refresh_from_db()
    assert application.state == ApplicationState.DELIVERED

    # The applicant sees the permit active, in My Affairs and in the personal center.
    applicant.goto("/my-affairs/")
    journey.check_page(applicant, shot, "my-affairs")
    assert Notification.objects.filter(recipient=account).count() >= 5
    applicant.goto("/accounts/me/")
    journey.check_page(applicant, shot, "personal-center-permit-active")
    permit = application.person.permits.get()
    assert permit.status == PermitStatus.ACTIVE
    assert permit.number in applicant.content()
    wait_until_all_sms_sent()  # in CI, by the real worker


def _sms(phone):
    from tests.e2e.helpers import latest_sms

    return latest_sms(phone) or ""


def test_renewal_with_window_pickup(new_page, shot, station, celery_tasks):
    from tests.permits.factories import PermitFactory
    from tests.permits.helpers import registered_person

    house = HouseFactory(station=station)
    person = registered_person(months=14, house=house)
    valid_until = timezone.localdate() + datetime.timedelta(days=20)
    permit = PermitFactory(
        holder=person,
        house=house,
        issued_on=valid_until - relativedelta(years=1),
        valid_until=valid_until,
    )
    officer = StaffFactory(officer=True, station=station)
    clerk = StaffFactory(clerk=True, station=station)
    applicant = new_page(viewport=PHONE, language="en")

    journey.log_in(applicant, shot, phone=person.account.phone)
    application_pk = journey.start_application(
        applicant, shot, service=Service.RENEWAL, person_pk=person.pk
    )
    journey.walk_steps(applicant, shot, basis="residence")
    journey.submit_application(applicant, shot, application_pk)

    desk = new_page(viewport=DESKTOP, language="en")
    journey.desk_act(desk, shot, officer, application_pk, "accept")
    journey.desk_act(desk, shot, officer, application_pk, "approve")
    clerk_desk = new_page(viewport=DESKTOP, language="en")
    # A renewal rewrites the holder's card: no new serial to enter.
    journey.desk_act(clerk_desk, shot, clerk, application_pk, "mark_produced")

    journey.choose_window(applicant, shot, application_pk)
    application = PermitApplication.objects.get(pk=application_pk)
    assert application.state == ApplicationState.AWAITING_PICKUP
    journey.pickup_code_is_shown(applicant, shot, application_pk)

    # At the window the clerk scans the pickup code and checks the collector's ID number.
    application.refresh_from_db()
    journey.clerk_hands_over_at_window(
        clerk_desk,
        shot,
        clerk,
        scanned_code=application.pickup_code,
        collector_id=person.id_number,
    )
    application.refresh_from_db()
    assert application.state == ApplicationState.COLLECTED
    permit.refresh_from_db()
    assert permit.status == PermitStatus.ACTIVE
    assert permit.valid_until > valid_until  # endorsed for another year

    applicant.goto("/accounts/me/")
    journey.check_page(applicant, shot, "personal-center-renewed")
    assert permit.number in applicant.content()
    wait_until_all_sms_sent()
