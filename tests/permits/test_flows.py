"""Acceptance 1: each service end to end through its services, checking the permit's dates,
status and card serials after each step, and the notifications sent."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from core.errors import InvalidInput, NotEligible, WrongState
from core.fsm import run_transition
from permits import rules
from permits.constants import ApplicationState, CardSerialStatus, PermitStatus
from permits.models import CardSerial, ResidencePermit
from permits.selectors.permits import verify_card_serial
from permits.services import applications as svc
from permits.services.permits import suspend_overdue_permits
from tests.factories import PASSWORD, HouseFactory, RegistrationFactory, StationFactory
from tests.permits.factories import PermitFactory
from tests.permits.helpers import kinds, registered_person, staff_for, submitted
from tests.service_codes import Service

pytestmark = pytest.mark.django_db

YEAR = relativedelta(years=1)


def _decide(app, staff):
    svc.accept(user=staff["officer"], application=app)
    svc.approve(user=staff["officer"], application=app)
    return svc.mark_produced(user=staff["clerk"], application=app)


def test_new_permit_window_pickup():
    person = registered_person(months=7)
    staff = staff_for(person.registrations.get().station)
    today = timezone.localdate()

    app = submitted(person, Service.NEW)
    assert app.state == ApplicationState.SUBMITTED
    assert app.reference.startswith(f"HK{today.year}-")
    app = svc.accept(user=staff["officer"], application=app)
    assert app.deadline == rules.decision_deadline(today, mode=rules.DayMode.WORKING)
    svc.approve(user=staff["officer"], application=app)
    svc.mark_produced(user=staff["clerk"], application=app)

    permit = app.permit
    assert permit.status == PermitStatus.ACTIVE
    assert permit.holder == person
    assert permit.issued_on == today
    assert permit.valid_until == today + YEAR
    # residence counts from the registration chain, not from the card's production (issue 25)
    assert permit.continuous_since == app.registration.since < today
    assert permit.number.startswith(f"HK{today.year}P")
    assert app.new_card_serial == permit.card_serial
    assert verify_card_serial(permit.card_serial).valid
    assert app.pickup_code and len(app.pickup_code) >= 20

    svc.choose_pickup(user=person.account, application=app)
    assert app.state == ApplicationState.AWAITING_PICKUP
    svc.record_collected(user=staff["clerk"], application=app, collector_id_number=person.id_number)
    assert app.state == ApplicationState.COLLECTED
    assert kinds(person.account) == [
        "application_submitted",
        "application_accepted",
        "application_approved",
        "certificate_produced",
        "certificate_collected",
    ]
    assert not app.collected_by_agent
    assert kinds(person.account) == [
        "application_submitted",
        "application_accepted",
        "application_approved",
        "certificate_produced",
        "certificate_collected",
    ]
    labels = [t["label"] for t in svc.timeline(app)]
    assert len(labels) == 6 and all(labels)


def test_new_permit_for_a_minor_collected_by_the_agent():
    from tests.factories import IdentityFactory, UserFactory

    agent = UserFactory()
    agent_identity = IdentityFactory(account=agent, verified=True)
    minor = registered_person(months=8, account=agent, dependent_minor=True)
    staff = staff_for(minor.registrations.get().station)
    app = submitted(minor, Service.NEW)
    assert app.filed_by == agent
    _decide(app, staff)
    svc.choose_pickup(user=agent, application=app)
    with pytest.raises(InvalidInput):
        svc.record_collected(
            user=staff["clerk"], application=app, collector_id_number="110101199003070000"
        )
    svc.record_collected(
        user=staff["clerk"], application=app, collector_id_number=agent_identity.id_number
    )
    assert app.collected_by_agent
    assert agent_identity.id_number not in app.transitions.last().note  # masked in the log


def test_renewal_on_time_by_mail_old_card_first():
    today = timezone.localdate()
    permit = PermitFactory(
        issued_on=today - YEAR + datetime.timedelta(days=10),
        valid_until=today + datetime.timedelta(days=10),
    )
    person = permit.holder
    RegistrationFactory(person=person, house=permit.house, registered=True)
    staff = staff_for(permit.station)
    serial = permit.card_serial
    since = permit.continuous_since

    app = submitted(person, Service.RENEWAL)
    app = _decide(app, staff)
    permit.refresh_from_db()
    assert permit.status == PermitStatus.ACTIVE
    assert permit.valid_until == today + datetime.timedelta(days=10) + YEAR
    assert permit.continuous_since == since
    assert permit.card_serial == serial == app.new_card_serial  # same card, chip rewritten

    svc.choose_mail(
        user=person.account,
        application=app,
        recipient_name="张三",
        address="海口市美兰区人民大道 58 号",
        phone="13900001111",
    )
    assert app.state == ApplicationState.AWAITING_OLD_CARD
    with pytest.raises(WrongState):
        svc.record_mailed(user=staff["clerk"], application=app, tracking_number="SF1")
    svc.record_old_card_received(user=staff["clerk"], application=app)
    svc.record_mailed(user=staff["clerk"], application=app, tracking_number="SF100200300")
    assert app.state == ApplicationState.MAILED and app.tracking_number == "SF100200300"
    svc.record_delivered(user=staff["clerk"], application=app)
    assert app.state == ApplicationState.DELIVERED
    assert kinds(person.account)[-4:] == [
        "certificate_produced",
        "old_card_received",
        "certificate_mailed",
        "certificate_delivered",
    ]


def test_renewal_too_early_is_refused_with_the_date():
    permit = PermitFactory()  # valid for about 165 more days
    RegistrationFactory(person=permit.holder, house=permit.house, registered=True)
    with pytest.raises(NotEligible) as exc:
        svc.start_application(
            user=permit.holder.account,
            person=permit.holder,
            service=Service.RENEWAL,
            basis="residence",
        )
    assert permit.valid_until.isoformat() in str(exc.value)


def test_renewal_late_after_suspension_restores_and_restarts_the_years():
    today = timezone.localdate()
    permit = PermitFactory(
        issued_on=today - YEAR - datetime.timedelta(days=20),
        valid_until=today - datetime.timedelta(days=20),
    )
    person = permit.holder
    RegistrationFactory(person=person, house=permit.house, registered=True)
    assert suspend_overdue_permits(today=today) == 1
    permit.refresh_from_db()
    assert permit.status == PermitStatus.SUSPENDED
    assert not verify_card_serial(permit.card_serial).valid
    assert "permit_suspended" not in kinds(person.account)  # the task notifies, not the update

    staff = staff_for(permit.station)
    app = submitted(person, Service.RENEWAL)
    _decide(app, staff)
    permit.refresh_from_db()
    assert permit.status == PermitStatus.ACTIVE
    assert permit.valid_until == today + YEAR
    assert permit.continuous_since == today
    assert permit.last_endorsed_on == today
    assert verify_card_serial(permit.card_serial).valid
    assert list(permit.transitions.values_list("transition", flat=True)) == [
        "suspend",
        "endorse",
    ]
    assert kinds(person.account) == [
        "application_submitted",
        "application_accepted",
        "application_approved",
        "certificate_produced",
    ]


def test_change_of_address_late_window_pickup():
    today = timezone.localdate()
    permit = PermitFactory()
    person = permit.holder
    old = RegistrationFactory(person=person, house=permit.house, registered=True)
    run_transition(old, "cancel", user=None, moved_on=today - datetime.timedelta(days=40))
    new_station = StationFactory()
    new_house = HouseFactory(station=new_station)
    RegistrationFactory(person=person, house=new_house, registered=True, since=today)
    staff = staff_for(new_station)
    changed_on = today - datetime.timedelta(days=40)

    app = submitted(
        person,
        Service.CHANGE,
        basis="",
        answers={
            "changed_field": "address",
            "new_value": new_house.address,
            "changed_on": changed_on.isoformat(),
        },
    )
    assert app.is_late  # 40 days > 30: accepted, and shown late
    assert app.station == new_station
    assert app.basis == permit.basis
    valid_until = permit.valid_until
    _decide(app, staff)
    permit.refresh_from_db()
    assert permit.house == new_house and permit.station == new_station
    assert permit.valid_until == valid_until and permit.status == PermitStatus.ACTIVE
    svc.choose_pickup(user=person.account, application=app)
    svc.record_collected(user=staff["clerk"], application=app, collector_id_number=person.id_number)
    assert app.state == ApplicationState.COLLECTED
    assert kinds(person.account) == [
        "application_submitted",
        "application_accepted",
        "application_approved",
        "certificate_produced",
        "certificate_collected",
    ]


def test_change_on_time_is_not_late_and_answers_are_required():
    permit = PermitFactory()
    person = permit.holder
    RegistrationFactory(person=person, house=permit.house, registered=True)
    app = svc.start_application(user=person.account, person=person, service=Service.CHANGE)
    from tests.permits.helpers import png

    svc.upload_material(
        user=person.account, application=app, requirement_code="change_proof", file=png()
    )
    with pytest.raises(InvalidInput):
        svc.submit(user=person.account, application=app, password=PASSWORD)
    svc.save_answers(
        user=person.account,
        application=app,
        answers={
            "changed_field": "employer",
            "new_value": "海南某某科技有限公司",
            "changed_on": (timezone.localdate() - datetime.timedelta(days=30)).isoformat(),
        },
        basis="employment",
    )
    svc.submit(user=person.account, application=app, password=PASSWORD)
    assert not app.is_late  # day 30 is still on time


def test_replacement_of_a_lost_card_by_mail_invalidates_the_old_serial():
    today = timezone.localdate()
    permit = PermitFactory()
    person = permit.holder
    RegistrationFactory(person=person, house=permit.house, registered=True)
    staff = staff_for(permit.station)
    old_serial = permit.card_serial

    app = submitted(person, Service.REPLACEMENT, answers={"reason": "lost"})
    permit.refresh_from_db()
    assert permit.status == PermitStatus.LOST  # reported lost on submission
    _decide(app, staff)
    permit.refresh_from_db()
    assert permit.status == PermitStatus.ACTIVE
    assert permit.card_serial == app.new_card_serial != old_serial
    old = CardSerial.objects.get(serial=old_serial)
    assert old.status == CardSerialStatus.INVALIDATED
    assert old.invalidated_on == today and old.invalidated_reason == "lost"
    check = verify_card_serial(old_serial)
    assert check.known and not check.valid
    assert verify_card_serial(permit.card_serial).valid

    svc.choose_mail(
        user=person.account,
        application=app,
        recipient_name="李四",
        address="海口市龙华区滨海大道 100 号",
        phone="+8613900002222",
    )
    assert app.state == ApplicationState.PRODUCED  # no old card: mailed at once
    svc.record_mailed(user=staff["clerk"], application=app, tracking_number="EMS0001")
    svc.record_delivered(user=staff["clerk"], application=app)
    assert app.state == ApplicationState.DELIVERED
    assert "old_card_received" not in kinds(person.account)


def test_replacement_of_a_damaged_card_keeps_a_suspended_permit_suspended():
    permit = PermitFactory(suspended=True)
    person = permit.holder
    RegistrationFactory(person=person, house=permit.house, registered=True)
    staff = staff_for(permit.station)
    app = submitted(person, Service.REPLACEMENT, answers={"reason": "damaged"})
    permit.refresh_from_db()
    assert permit.status == PermitStatus.SUSPENDED
    _decide(app, staff)
    permit.refresh_from_db()
    assert permit.status == PermitStatus.SUSPENDED  # a new card does not endorse
    assert CardSerial.objects.filter(permit=permit).count() == 2
    assert ResidencePermit.objects.count() == 1


def test_change_of_address_needs_the_new_address_registered_first():
    permit = PermitFactory()
    person = permit.holder
    RegistrationFactory(person=person, house=permit.house, registered=True)
    with pytest.raises(InvalidInput) as exc:
        submitted(
            person,
            Service.CHANGE,
            basis="",
            answers={
                "changed_field": "address",
                "new_value": "海口市某处",
                "changed_on": timezone.localdate().isoformat(),
            },
        )
    assert exc.value.code == "new_address_not_registered"


def test_moving_away_cancels_the_permit_and_its_card():
    from core.errors import NotAllowed
    from permits.services.permits import cancel_permit
    from tests.factories import StaffFactory

    permit = PermitFactory()
    staff = staff_for(permit.station)
    with pytest.raises(NotAllowed):
        cancel_permit(user=staff["clerk"], permit=permit, moved_on=timezone.localdate())
    with pytest.raises(NotAllowed):
        cancel_permit(
            user=StaffFactory(officer=True, station=StationFactory()),
            permit=permit,
            moved_on=timezone.localdate(),
        )
    cancel_permit(user=staff["officer"], permit=permit, moved_on=timezone.localdate())
    assert permit.status == PermitStatus.CANCELLED
    assert not verify_card_serial(permit.card_serial).valid
    with pytest.raises(WrongState):
        cancel_permit(user=staff["officer"], permit=permit, moved_on=timezone.localdate())
