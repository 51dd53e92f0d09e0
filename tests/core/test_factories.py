import pytest

from applicants.constants import IdentityState
from core.fsm import run_transition
from permits.constants import RegistrationState
from permits.models import ResidenceRegistration
from permits.scoping import is_supervisor, scope_to_station
from tests.factories import (
    PASSWORD,
    IdentityFactory,
    RegistrationFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_factories_build_each_state():
    assert IdentityFactory(verified=True).state == IdentityState.VERIFIED
    assert IdentityFactory(pending=True).state == IdentityState.PENDING
    assert RegistrationFactory(registered=True).state == RegistrationState.REGISTERED
    assert UserFactory().check_password(PASSWORD)


def test_station_scoping_officer_sees_own_station_supervisor_all():
    mine = RegistrationFactory()
    other = RegistrationFactory()
    officer = StaffFactory(officer=True, station=mine.station)
    supervisor = StaffFactory(supervisor=True)
    applicant = UserFactory()
    qs = ResidenceRegistration.objects.all()
    assert list(scope_to_station(qs, officer)) == [mine]
    assert set(scope_to_station(qs, supervisor)) == {mine, other}
    assert not scope_to_station(qs, applicant).exists()
    assert is_supervisor(supervisor) and not is_supervisor(officer)


def test_every_transition_is_logged_with_actor_and_note():
    identity = IdentityFactory()
    officer = StaffFactory(officer=True)
    run_transition(identity, "submit", user=identity.account)
    run_transition(identity, "verify", user=officer, note="photos match")
    rows = list(identity.transitions.values_list("from_state", "to_state", "actor", "note"))
    assert rows == [
        ("unverified", "pending", identity.account.pk, ""),
        ("pending", "verified", officer.pk, "photos match"),
    ]
