"""Services refuse what the acting user may not do: roles, stations, the filer."""

import pytest

from core.errors import NotAllowed, NotEligible, RuleRefused, WrongPassword
from permits import rules
from permits.constants import ApplicationState
from permits.services import applications as svc
from tests.factories import (
    PASSWORD,
    IdentityFactory,
    RegistrationFactory,
    StaffFactory,
    StationFactory,
    UserFactory,
)
from tests.permits.factories import ApplicationFactory
from tests.permits.helpers import draft_ready, png, registered_person, staff_for
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


def test_an_applicant_cannot_approve_their_own_application():
    app = ApplicationFactory(accepted=True)
    with pytest.raises(NotAllowed):
        svc.approve(user=app.filed_by, application=app)
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED


def test_an_officer_of_another_station_cannot_accept():
    app = ApplicationFactory(submitted=True)
    stranger = StaffFactory(officer=True, station=StationFactory())
    with pytest.raises(NotAllowed):
        svc.accept(user=stranger, application=app)
    app.refresh_from_db()
    assert app.state == ApplicationState.SUBMITTED
    own = StaffFactory(officer=True, station=app.station)
    svc.accept(user=own, application=app)
    assert app.state == ApplicationState.ACCEPTED


def test_a_supervisor_acts_everywhere_and_alone_extends():
    app = ApplicationFactory(submitted=True)
    staff = staff_for(app.station)
    svc.accept(user=staff["supervisor"], application=app)
    for user in (staff["officer"], staff["clerk"], app.filed_by):
        with pytest.raises(NotAllowed):
            svc.extend_deadline(user=user, application=app, days=5, reason="偏远")
    base = app.deadline
    svc.extend_deadline(user=staff["supervisor"], application=app, days=20, reason="偏远")
    assert rules.count_days(base, app.deadline, mode=rules.configured_day_mode()) == 20
    with pytest.raises(RuleRefused) as exc:  # 20 + 11 > 30 in total
        svc.extend_deadline(user=staff["supervisor"], application=app, days=11, reason="再延")
    assert exc.value.code == "extension_out_of_range"
    svc.extend_deadline(user=staff["supervisor"], application=app, days=10, reason="再延")
    assert app.extension_days == 30


def test_a_clerk_cannot_decide_and_an_officer_cannot_produce():
    app = ApplicationFactory(accepted=True)
    staff = staff_for(app.station)
    with pytest.raises(NotAllowed):
        svc.approve(user=staff["clerk"], application=app)
    svc.approve(user=staff["officer"], application=app)
    with pytest.raises(NotAllowed):
        svc.mark_produced(user=staff["officer"], application=app)


def test_another_account_cannot_touch_someone_elses_application():
    person = registered_person(months=8)
    app = draft_ready(person, Service.NEW)
    other = UserFactory()
    with pytest.raises(NotAllowed):
        svc.upload_material(user=other, application=app, requirement_code="photo", file=png())
    with pytest.raises(NotAllowed):
        svc.submit(user=other, application=app, password=PASSWORD)
    with pytest.raises(NotAllowed):
        svc.withdraw(user=other, application=app)
    with pytest.raises(NotAllowed):
        svc.start_application(user=other, person=person, service=Service.NEW, basis="residence")


def test_submit_needs_the_login_password():
    person = registered_person(months=8)
    app = draft_ready(person, Service.NEW)
    with pytest.raises(WrongPassword):
        svc.submit(user=person.account, application=app, password="wrong")
    assert app.state == ApplicationState.DRAFT


def test_an_unverified_identity_cannot_apply():
    person = RegistrationFactory(registered=True, person=IdentityFactory(pending=True)).person
    with pytest.raises(NotEligible) as exc:
        svc.start_application(
            user=person.account, person=person, service=Service.NEW, basis="residence"
        )
    assert any("verified" in r for r in exc.value.reasons)
