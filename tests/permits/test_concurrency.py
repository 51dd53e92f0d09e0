"""Two submits of one draft make one submission; a stale object is refused with a clear error
and nothing half-applied (django-fsm ConcurrentTransitionMixin)."""

import pytest

from core.errors import NotEligible, StaleState, WrongState
from notifications.models import Notification
from permits.constants import ApplicationState
from permits.models import PermitApplication
from permits.services import applications as svc
from tests.factories import PASSWORD
from tests.permits.factories import ApplicationFactory
from tests.permits.helpers import draft_ready, registered_person, staff_for
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


def test_double_submit_creates_one_submission():
    person = registered_person(months=8)
    app = draft_ready(person, Service.NEW)
    tab_a = PermitApplication.objects.get(pk=app.pk)
    tab_b = PermitApplication.objects.get(pk=app.pk)
    svc.submit(user=person.account, application=tab_a, password=PASSWORD)
    # the second tab still holds the draft: the save finds the state changed
    with pytest.raises(StaleState) as exc:
        svc.submit(user=person.account, application=tab_b, password=PASSWORD)
    assert "someone else" in str(exc.value) or str(exc.value)
    assert tab_b.state == ApplicationState.SUBMITTED  # reloaded, not half-applied
    # the same tab again: refused as already submitted
    with pytest.raises(WrongState) as exc:
        svc.submit(user=person.account, application=tab_a, password=PASSWORD)
    assert exc.value.code == "already_submitted"
    assert app.transitions.filter(transition="submit").count() == 1
    assert Notification.objects.filter(kind="application_submitted").count() == 1


def test_stale_transition_is_refused_and_changes_nothing():
    app = ApplicationFactory(submitted=True)
    staff = staff_for(app.station)
    officer_view = PermitApplication.objects.get(pk=app.pk)
    supervisor_view = PermitApplication.objects.get(pk=app.pk)
    svc.accept(user=staff["officer"], application=officer_view)
    with pytest.raises(StaleState):
        svc.reject(user=staff["supervisor"], application=supervisor_view, reason="not_eligible")
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED
    assert app.rejection_reason == ""
    assert list(app.transitions.values_list("transition", flat=True)) == ["accept"]
    assert not Notification.objects.filter(kind="application_rejected").exists()


def test_one_open_application_per_person():
    person = registered_person(months=8)
    first = svc.start_application(
        user=person.account, person=person, service=Service.NEW, basis="residence"
    )
    again = svc.start_application(
        user=person.account, person=person, service=Service.NEW, basis="residence"
    )
    assert again.pk == first.pk  # the same draft, not a second one
    svc.withdraw(user=person.account, application=first)
    draft = draft_ready(person, Service.NEW)
    svc.submit(user=person.account, application=draft, password=PASSWORD)
    with pytest.raises(NotEligible) as exc:
        svc.start_application(
            user=person.account, person=person, service=Service.NEW, basis="residence"
        )
    assert draft.reference in str(exc.value)


@pytest.mark.django_db(transaction=True)
def test_truly_concurrent_submits_make_one_submission_on_postgresql():
    """Two requests at the same moment (threads, separate connections): one wins, the other
    gets a clear refusal; one log row, one notification. Row locks need PostgreSQL."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL (the services CI run)")
    person = registered_person(months=8)
    app = draft_ready(person, Service.NEW)
    barrier = threading.Barrier(2)
    outcomes = []

    def tab():
        try:
            mine = PermitApplication.objects.get(pk=app.pk)
            barrier.wait()
            svc.submit(user=person.account, application=mine, password=PASSWORD)
            outcomes.append("ok")
        except (StaleState, WrongState) as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tab) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["ok", "stale"]
    assert app.transitions.filter(transition="submit").count() == 1
    assert Notification.objects.filter(kind="application_submitted").count() == 1
