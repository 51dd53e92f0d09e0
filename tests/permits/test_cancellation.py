"""Issue 13, point 2: cancellation (注销) on moving away, the fifth service (seed 001 procedure 3),
through the services on fixed dates: filed with the date of moving and the card's way back, the
card received, completed by an officer; the permit cancelled (card invalid, public check "not
valid"), the registration cancelled, each by its own logged transition; notices at filing and
completion; refusals."""

import datetime

import pytest

from core.errors import InvalidInput, NotAllowed, NotEligible, RuleRefused, WrongState
from notifications.models import Notification, SmsMessage
from permits import rules
from permits.constants import (
    ApplicationState,
    CardReturn,
    CardSerialStatus,
    PermitStatus,
    RegistrationState,
)
from permits.models import CardSerial, Rating
from permits.selectors.permits import verify_card_serial
from permits.services import applications as svc
from permits.services import registrations as registration_services
from permits.verification import INVALID, verification_code, verify
from tests.factories import (
    PASSWORD,
    IdentityFactory,
    RegistrationFactory,
    StaffFactory,
    UserFactory,
)
from tests.permits.factories import PermitFactory
from tests.permits.helpers import kinds, staff_for
from tests.service_codes import Service

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 3, 2)  # a Monday


@pytest.fixture
def on_fixed_day(monkeypatch):
    """Every "today" of the portal is TODAY (the one clock, ``core.clock.today``)."""
    monkeypatch.setattr("core.clock.today", lambda: TODAY)
    return TODAY


def holder_with_permit(*, since=datetime.date(2025, 1, 10), **permit):
    """A verified person registered since ``since`` holding an active permit at that house."""
    registration = RegistrationFactory(registered=True, since=since)
    permit = PermitFactory(
        holder=registration.person,
        house=registration.house,
        issued_on=datetime.date(2025, 8, 1),
        **permit,
    )
    return registration.person, registration, permit


def file_cancellation(person, *, moved_on, card_return=CardReturn.MAIL, user=None):
    user = user or person.account
    app = svc.start_application(
        user=user,
        person=person,
        service=Service.CANCELLATION,
        answers={"moved_on": moved_on.isoformat(), "card_return": card_return},
    )
    return svc.submit(user=user, application=app, password=PASSWORD)


# --- the rule, at its boundaries ---------------------------------------------------------------


def test_moving_date_rule_on_its_boundaries():
    assert rules.CANCELLATION_DAYS_AHEAD == 30
    since = datetime.date(2025, 1, 10)
    last = TODAY + datetime.timedelta(days=30)  # 2026-04-01
    rules.check_moved_away_date(last, TODAY, since=since)  # the day: allowed
    rules.check_moved_away_date(last - datetime.timedelta(days=1), TODAY, since=since)  # the eve
    with pytest.raises(rules.RuleViolation) as exc:  # the day after
        rules.check_moved_away_date(last + datetime.timedelta(days=1), TODAY, since=since)
    assert exc.value.code == "moved_too_far_ahead"
    assert "2026-04-01" in str(exc.value)
    rules.check_moved_away_date(since, TODAY, since=since)  # the day the registration began
    with pytest.raises(rules.RuleViolation) as exc:
        rules.check_moved_away_date(since - datetime.timedelta(days=1), TODAY, since=since)
    assert exc.value.code == "moved_before_registration"


# --- the whole service -------------------------------------------------------------------------


def test_cancellation_by_mail_end_to_end(on_fixed_day):
    person, registration, permit = holder_with_permit()
    staff = staff_for(permit.station)
    serial = permit.card_serial
    code = verification_code(permit)

    app = file_cancellation(person, moved_on=datetime.date(2026, 2, 20))
    assert app.service == Service.CANCELLATION
    assert app.state == ApplicationState.AWAITING_CARD_RETURN
    assert app.station_id == permit.station_id and app.permit == permit
    assert app.delivery_method == CardReturn.MAIL
    assert app.deadline is None  # no licensing decision: no 15-day clock
    assert kinds(person.account) == ["cancellation_submitted"]
    filed = Notification.objects.get(recipient=person.account)
    assert permit.station.address in filed.body and app.reference in filed.body
    assert SmsMessage.objects.filter(notification=filed).count() == 1
    # Until the station completes it, the card stays valid.
    permit.refresh_from_db()
    assert permit.status == PermitStatus.ACTIVE and verify(code).status != INVALID

    # The clerk records the card received (by mail), the officer completes.
    with pytest.raises(NotAllowed):  # a clerk cannot complete
        svc.complete_cancellation(user=staff["clerk"], application=app)
    with pytest.raises(WrongState):  # nor can the officer before the card is back
        svc.complete_cancellation(user=staff["officer"], application=app)
    svc.record_card_returned(user=staff["clerk"], application=app)
    assert app.state == ApplicationState.CARD_RETURNED
    assert app.old_card_received_at is not None
    with pytest.raises(WrongState):  # the card is at the station: no withdrawal now
        svc.withdraw(user=person.account, application=app)
    svc.complete_cancellation(user=staff["officer"], application=app, note="card checked")
    assert app.state == ApplicationState.COMPLETED

    permit.refresh_from_db()
    assert permit.status == PermitStatus.CANCELLED
    assert permit.cancelled_on == TODAY
    assert CardSerial.objects.get(serial=serial).status == CardSerialStatus.INVALIDATED
    assert not verify_card_serial(serial).valid
    assert verify(code).status == INVALID
    log = permit.transitions.order_by("-pk").first()
    assert (log.transition, log.from_state, log.to_state) == ("cancel", "active", "cancelled")
    assert log.actor == staff["officer"] and log.note == app.reference

    registration.refresh_from_db()
    assert registration.state == RegistrationState.CANCELLED
    assert registration.cancelled_on == datetime.date(2026, 2, 20)
    reg_log = registration.transitions.order_by("-pk").first()
    assert (reg_log.transition, reg_log.to_state) == ("cancel", "cancelled")

    # The case has ended: the final notice and its SMS invite a rating (issue 17), once.
    rating = Rating.objects.get(application=app)
    done = Notification.objects.get(recipient=person.account, kind="cancellation_completed")
    final_sms = SmsMessage.objects.get(notification=done)
    assert "/permits/rate/" in done.body and "/permits/rate/" in final_sms.body
    assert not rating.is_rated

    assert [t.transition for t in app.transitions.order_by("pk")] == [
        "submit",
        "record_card_returned",
        "complete_cancellation",
    ]
    assert kinds(person.account) == ["cancellation_submitted", "cancellation_completed"]
    done = Notification.objects.get(recipient=person.account, kind="cancellation_completed")
    assert permit.number in done.body and "2026-03-02" in done.body
    # Acting again notifies no one twice.
    with pytest.raises(WrongState):
        svc.complete_cancellation(user=staff["officer"], application=app)
    assert Notification.objects.filter(recipient=person.account).count() == 2
    # The permit is no longer held: a new permit may be applied for later, nothing else.
    assert svc.check_eligibility(user=person.account, person=person, service=Service.RENEWAL)


def test_card_handed_in_at_the_window_by_an_agent_for_a_dependent(on_fixed_day):
    agent = UserFactory()
    IdentityFactory(account=agent, verified=True)
    child = IdentityFactory(account=agent, verified=True, dependent_minor=True)
    registration = RegistrationFactory(
        registered=True, person=child, since=datetime.date(2025, 1, 1)
    )
    permit = PermitFactory(holder=child, house=registration.house)
    staff = staff_for(permit.station)

    app = file_cancellation(child, moved_on=TODAY, card_return=CardReturn.WINDOW, user=agent)
    assert app.filed_by == agent and app.state == ApplicationState.AWAITING_CARD_RETURN
    # The applicant chose the window; the clerk records how it really came.
    svc.record_card_returned(user=staff["clerk"], application=app, method=CardReturn.WINDOW)
    assert app.delivery_method == CardReturn.WINDOW
    assert "window" in app.transitions.order_by("-pk").first().note.lower()
    svc.complete_cancellation(user=staff["supervisor"], application=app)
    permit.refresh_from_db()
    assert permit.status == PermitStatus.CANCELLED
    assert kinds(agent) == ["cancellation_submitted", "cancellation_completed"]


def test_suspended_permit_can_be_cancelled(on_fixed_day):
    person, _registration, permit = holder_with_permit(
        status=PermitStatus.SUSPENDED, suspended_on=datetime.date(2026, 2, 1)
    )
    staff = staff_for(permit.station)
    app = file_cancellation(person, moved_on=TODAY)
    svc.record_card_returned(user=staff["clerk"], application=app)
    svc.complete_cancellation(user=staff["officer"], application=app)
    permit.refresh_from_db()
    assert permit.status == PermitStatus.CANCELLED


def test_withdrawn_before_the_card_arrives_leaves_the_permit_active(on_fixed_day):
    person, registration, permit = holder_with_permit()
    app = file_cancellation(person, moved_on=TODAY)
    svc.withdraw(user=person.account, application=app)
    assert app.state == ApplicationState.WITHDRAWN
    permit.refresh_from_db()
    registration.refresh_from_db()
    assert permit.status == PermitStatus.ACTIVE
    assert registration.state == RegistrationState.REGISTERED


# --- refusals ----------------------------------------------------------------------------------


def test_the_date_of_moving_is_bounded(on_fixed_day):
    person, _registration, _permit = holder_with_permit(since=datetime.date(2025, 1, 10))
    with pytest.raises(RuleRefused) as exc:
        svc.start_application(
            user=person.account,
            person=person,
            service=Service.CANCELLATION,
            answers={"moved_on": "2026-04-02", "card_return": "mail"},  # 31 days ahead
        )
    assert exc.value.code == "moved_too_far_ahead"
    app = svc.start_application(
        user=person.account,
        person=person,
        service=Service.CANCELLATION,
        answers={"moved_on": "2026-04-01", "card_return": "mail"},  # 30 days ahead: fine
    )
    svc.save_answers(user=person.account, application=app, answers={"moved_on": "2025-01-09"})
    with pytest.raises(RuleRefused) as exc:  # before the registration began
        svc.submit(user=person.account, application=app, password=PASSWORD)
    assert exc.value.code == "moved_before_registration"
    with pytest.raises(InvalidInput):
        svc.save_answers(user=person.account, application=app, answers={"card_return": "fax"})
    svc.save_answers(user=person.account, application=app, answers={"card_return": ""})
    with pytest.raises(InvalidInput):  # every answer needed
        svc.submit(user=person.account, application=app, password=PASSWORD)
    assert app.state == ApplicationState.DRAFT


def test_mail_refused_where_the_station_takes_no_mail(on_fixed_day):
    person, _registration, permit = holder_with_permit()
    permit.station.offers_mail = False
    permit.station.save()
    with pytest.raises(InvalidInput) as exc:
        file_cancellation(person, moved_on=TODAY, card_return=CardReturn.MAIL)
    assert exc.value.code == "mail_not_offered"


def test_no_permit_or_a_lost_card_cannot_be_cancelled(on_fixed_day):
    registration = RegistrationFactory(registered=True)
    reasons = svc.check_eligibility(
        user=registration.person.account, person=registration.person, service=Service.CANCELLATION
    )
    assert any("no active or suspended residence permit to cancel" in r for r in reasons)
    person, _registration, _permit = holder_with_permit(status=PermitStatus.LOST)
    with pytest.raises(NotEligible):
        svc.start_application(user=person.account, person=person, service=Service.CANCELLATION)


def test_staff_of_another_station_cannot_act(on_fixed_day):
    person, _registration, permit = holder_with_permit()
    app = file_cancellation(person, moved_on=TODAY)
    other = staff_for(RegistrationFactory().station)
    with pytest.raises(NotAllowed):
        svc.record_card_returned(user=other["clerk"], application=app)
    mine = staff_for(permit.station)
    svc.record_card_returned(user=mine["clerk"], application=app)
    with pytest.raises(NotAllowed):
        svc.complete_cancellation(user=other["officer"], application=app)
    with pytest.raises(NotAllowed):  # the applicant neither
        svc.complete_cancellation(user=person.account, application=app)
    assert app.state == ApplicationState.CARD_RETURNED


def test_an_open_cancellation_blocks_other_services(on_fixed_day):
    person, _registration, _permit = holder_with_permit()
    file_cancellation(person, moved_on=TODAY)
    reasons = svc.check_eligibility(user=person.account, person=person, service=Service.CHANGE)
    assert any("still in progress" in r for r in reasons)


# --- the plain registration cancel no longer leaves a permit behind ------------------------------


def test_registration_cancel_refused_while_a_permit_is_held(on_fixed_day):
    person, registration, permit = holder_with_permit()
    with pytest.raises(WrongState) as exc:
        registration_services.cancel_registration(
            registration=registration, by=person.account, moved_on=TODAY
        )
    assert exc.value.code == "permit_held"
    assert "cancellation" in str(exc.value)
    registration.refresh_from_db()
    assert registration.state == RegistrationState.REGISTERED
    officer = StaffFactory(officer=True, station=registration.station)
    with pytest.raises(WrongState):  # the station neither
        registration_services.cancel_registration(
            registration=registration, by=officer, moved_on=TODAY
        )
    # Once the permit is cancelled (or without one), the plain cancel works as before.
    staff = staff_for(permit.station)
    app = file_cancellation(person, moved_on=TODAY)
    svc.record_card_returned(user=staff["clerk"], application=app)
    svc.complete_cancellation(user=staff["officer"], application=app)
    registration.refresh_from_db()
    assert registration.state == RegistrationState.CANCELLED
    plain = RegistrationFactory(registered=True, since=datetime.date(2025, 6, 1))
    registration_services.cancel_registration(
        registration=plain, by=plain.person.account, moved_on=TODAY
    )
    assert plain.state == RegistrationState.CANCELLED
