"""``core.fsm.run_transition`` is the one way any state machine changes state: it checks, locks,
fires, saves and writes the history row; a transition method called directly is refused."""

import datetime
import inspect

import pytest
from django.db import transaction
from django.utils import timezone

from applicants.models import Identity
from core.errors import NotAllowed, StaleState, WrongState
from core.fsm import TransitionOutsideRunner, VersionedModel, run_transition
from permits.constants import ApplicationState, PermitStatus
from permits.models import PermitApplication, ResidencePermit, ResidenceRegistration
from tests.factories import IdentityFactory, StaffFactory
from tests.permits.factories import ApplicationFactory, PermitFactory

pytestmark = pytest.mark.django_db


def fresh(instance):
    return type(instance).objects.get(pk=instance.pk)


def test_a_permit_transition_called_directly_is_refused_and_changes_nothing():
    permit = PermitFactory(suspended=True)
    with pytest.raises(TransitionOutsideRunner):
        permit.endorse(by=None, endorsed_on=timezone.localdate())
    assert permit.status == PermitStatus.SUSPENDED
    assert fresh(permit).status == PermitStatus.SUSPENDED
    assert not permit.transitions.exists()


def test_an_application_transition_called_directly_is_refused():
    app = ApplicationFactory(submitted=True)
    officer = StaffFactory(officer=True, station=app.station)
    with pytest.raises(TransitionOutsideRunner):
        app.accept(by=officer)
    assert app.state == ApplicationState.SUBMITTED
    assert not app.transitions.exists()


def test_an_identity_transition_called_directly_is_refused():
    identity = IdentityFactory()
    with pytest.raises(TransitionOutsideRunner):
        identity.submit(by=identity.account)


def test_inside_a_transition_only_that_transition_is_allowed():
    """The runner's permission covers the one transition it fires, not a nested one called
    by hand from a hook."""
    permit = PermitFactory(suspended=True)
    app = ApplicationFactory(submitted=True, permit=permit)
    officer = StaffFactory(officer=True, station=app.station)

    def before(app):
        permit.endorse(by=officer, endorsed_on=timezone.localdate())

    with pytest.raises(TransitionOutsideRunner):
        run_transition(app, "accept", user=officer, before=before)
    assert fresh(app).state == ApplicationState.SUBMITTED
    assert fresh(permit).status == PermitStatus.SUSPENDED


def test_the_runner_fires_saves_and_logs_in_one_go():
    permit = PermitFactory(suspended=True)
    clerk = StaffFactory(clerk=True, station=permit.station)
    run_transition(permit, "endorse", user=clerk, endorsed_on=timezone.localdate(), note="R-1")
    stored = fresh(permit)
    assert stored.status == PermitStatus.ACTIVE
    assert stored.suspended_on is None
    log = list(permit.transitions.values_list("transition", "from_state", "to_state", "actor"))
    assert log == [("endorse", "suspended", "active", clerk.pk)]
    assert permit.transitions.get().note == "R-1"


def test_the_runner_bumps_the_version_and_refuses_a_stale_copy():
    app = ApplicationFactory(submitted=True)
    officer = StaffFactory(officer=True, station=app.station)
    stale = fresh(app)
    version = app.version
    run_transition(app, "accept", user=officer)
    assert fresh(app).version == version + 1
    with pytest.raises(StaleState):
        run_transition(stale, "reject", user=officer, reason="other", note="late")
    assert stale.state == ApplicationState.ACCEPTED  # reloaded
    assert list(app.transitions.values_list("transition", flat=True)) == ["accept"]


def test_the_runner_checks_permission_then_state():
    app = ApplicationFactory(submitted=True)
    outsider = StaffFactory(officer=True)  # another station
    with pytest.raises(NotAllowed):
        run_transition(app, "accept", user=outsider)
    officer = StaffFactory(officer=True, station=app.station)
    with pytest.raises(WrongState):
        run_transition(app, "approve", user=officer)
    refusal = WrongState("Not now.", code="not_now")
    with pytest.raises(WrongState) as caught:
        run_transition(app, "approve", user=officer, wrong_state=refusal)
    assert caught.value is refusal
    assert not app.transitions.exists()


def test_log_extra_fills_the_log_rows_further_columns():
    app = ApplicationFactory(submitted=True)
    officer = StaffFactory(officer=True, station=app.station)
    items = [{"code": "photo", "reason": "unclear", "note": ""}]
    run_transition(app, "request_supplement", user=officer, items=items, log_extra={"items": items})
    assert app.transitions.get().items == items


def test_a_refusal_in_a_hook_rolls_back_the_transition_and_its_log_row():
    permit = PermitFactory(suspended=True)

    def after(permit):
        raise WrongState("No.")

    with pytest.raises(WrongState):
        run_transition(permit, "endorse", user=None, endorsed_on=timezone.localdate(), after=after)
    assert permit.status == PermitStatus.SUSPENDED  # reloaded
    assert fresh(permit).status == PermitStatus.SUSPENDED
    assert not permit.transitions.exists()


def test_nested_in_another_transaction_a_refusal_rolls_back_only_its_savepoint():
    """A permit's transition inside an application's act: its refusal leaves the act's
    transaction usable (the caller decides), and the permit as it was."""
    permit = PermitFactory(cancelled=True)
    app = ApplicationFactory(submitted=True)
    officer = StaffFactory(officer=True, station=app.station)

    def before(app):
        with pytest.raises(WrongState):
            run_transition(permit, "endorse", user=officer, endorsed_on=timezone.localdate())
        stale_copy = ResidencePermit.objects.get(pk=permit.pk)
        assert stale_copy.status == PermitStatus.CANCELLED

    with transaction.atomic():
        run_transition(app, "accept", user=officer, before=before)
    assert fresh(app).state == ApplicationState.ACCEPTED
    assert not permit.transitions.exists()


def test_a_new_row_saved_by_before_is_unsaved_again_after_a_refusal():
    identity = IdentityFactory.build()
    identity.account.save()
    identity.account_id = identity.account.pk

    def after(identity):
        raise WrongState("No.")

    with pytest.raises(WrongState):
        run_transition(
            identity, "submit", user=identity.account, before=lambda i: i.save(), after=after
        )
    assert identity.pk is None
    assert identity.version == 0
    assert identity.state == "unverified"
    assert not Identity.objects.filter(id_number=identity.id_number).exists()
    run_transition(identity, "submit", user=identity.account, before=lambda i: i.save())
    assert fresh(identity).state == "pending"
    assert fresh(identity).version == 2  # the data, then the transition


def test_version_is_declared_once():
    for model in (Identity, ResidenceRegistration, PermitApplication):
        assert issubclass(model, VersionedModel)
        assert "version = models." not in inspect.getsource(model)
        assert model._meta.get_field("version").help_text == (
            VersionedModel._meta.get_field("version").help_text
        )
    assert not issubclass(ResidencePermit, VersionedModel)


def test_the_daily_suspension_stays_set_based():
    """The one exception to the runner: one UPDATE, its log rows written in bulk."""
    from permits.services.permits import suspend_overdue_permits

    permit = PermitFactory()
    permit.valid_until = timezone.localdate() - datetime.timedelta(days=1)
    permit.save(update_fields=["valid_until"])
    assert suspend_overdue_permits() == 1
    assert fresh(permit).status == PermitStatus.SUSPENDED
    assert list(permit.transitions.values_list("transition", flat=True)) == ["suspend"]
