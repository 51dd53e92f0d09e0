"""Issue 14 point 9: no lost updates on acts that leave the state as it was.

Two supervisors extending one deadline from copies loaded before either acted both succeeded
and the days were not added up (10 instead of 20); an approve from a page loaded before an
extension wrote over it. Every act now compares the row's ``version`` (bumped by every save)
under a row lock (``core.fsm.run_transition``): the stale act is refused with the "reload"
message and nothing of it is applied.

The sequential tests run on any database; the threaded ones (two requests at the same moment,
separate connections, real row locks) need PostgreSQL and skip elsewhere (CI runs them with
DATABASE_URL set).
"""

import threading
import time

import pytest
from django.db import connection, connections
from django.test import Client

from core.errors import StaleState
from notifications.models import Notification
from permits.constants import ApplicationState
from permits.models import PermitApplication
from permits.services import applications as svc
from tests.api_support import assert_error, client_for
from tests.factories import StaffFactory
from tests.permits.factories import ApplicationFactory
from tests.review.helpers import act_url, version_in

pytestmark = pytest.mark.django_db

STALE = "This application changed since you opened it"


def postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers and row locks need PostgreSQL (the services CI run)")


def accepted_application():
    app = ApplicationFactory(accepted=True)
    return PermitApplication.objects.get(pk=app.pk)


def two_supervisors():
    return StaffFactory(supervisor=True), StaffFactory(supervisor=True)


def extensions(app):
    return list(app.transitions.filter(transition="extend_deadline").values_list("note", flat=True))


# --- the services, two copies loaded before either acts ----------------------------------------


def test_second_extension_from_a_stale_copy_is_refused_and_the_first_kept():
    app = accepted_application()
    first_sup, second_sup = two_supervisors()
    deadline = app.deadline
    mine = PermitApplication.objects.get(pk=app.pk)
    theirs = PermitApplication.objects.get(pk=app.pk)
    assert mine.version == theirs.version
    svc.extend_deadline(user=first_sup, application=mine, days=10, reason="remote area")
    with pytest.raises(StaleState):
        svc.extend_deadline(user=second_sup, application=theirs, days=10, reason="holiday")
    app.refresh_from_db()
    assert app.extension_days == 10
    assert (app.deadline - deadline).days >= 10
    assert extensions(app) == ["remote area"]
    assert theirs.extension_days == 10  # reloaded: shows what is now there
    assert Notification.objects.filter(kind="deadline_extended").count() == 1
    # reloaded, the second supervisor can extend again: the days add up
    svc.extend_deadline(user=second_sup, application=theirs, days=10, reason="holiday")
    app.refresh_from_db()
    assert app.extension_days == 20


def test_approve_from_a_copy_loaded_before_an_extension_is_refused():
    app = accepted_application()
    supervisor, _ = two_supervisors()
    officer = StaffFactory(officer=True, station=app.station)
    stale = PermitApplication.objects.get(pk=app.pk)
    svc.extend_deadline(
        user=supervisor,
        application=PermitApplication.objects.get(pk=app.pk),
        days=10,
        reason="remote area",
    )
    with pytest.raises(StaleState):
        svc.approve(user=officer, application=stale)
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED
    assert app.extension_days == 10 and app.extension_reason == "remote area"
    assert not app.transitions.filter(transition="approve").exists()


def test_every_save_bumps_the_version():
    app = accepted_application()
    start = app.version
    svc.extend_deadline(
        user=StaffFactory(supervisor=True), application=app, days=3, reason="remote area"
    )
    assert app.version == start + 1
    app.refresh_from_db()
    assert app.version == start + 1
    person = app.person
    before = person.version
    person.full_name = person.full_name + "x"
    person.save(update_fields=["full_name"])
    person.refresh_from_db()
    assert person.version == before + 1


def test_registration_and_identity_acts_from_a_stale_copy_are_refused():
    """The same check on the other two state machines: a copy loaded before the row was saved
    (an officer's edit, say) acts on nothing."""
    from applicants.services import identities as identity_services
    from permits.models import ResidenceRegistration
    from permits.services import registrations as registration_services
    from tests.factories import IdentityFactory, RegistrationFactory

    registration = RegistrationFactory()
    officer = StaffFactory(officer=True, station=registration.station)
    stale = ResidenceRegistration.objects.get(pk=registration.pk)
    ResidenceRegistration.objects.get(pk=registration.pk).save()
    with pytest.raises(StaleState):
        registration_services.register_residence(registration=stale, by=officer)
    registration.refresh_from_db()
    assert registration.state == "submitted"
    assert not registration.transitions.exists()

    identity = IdentityFactory(pending=True)
    stale = type(identity).objects.get(pk=identity.pk)
    fresh = type(identity).objects.get(pk=identity.pk)
    identity_services.verify_identity(identity=fresh, by=officer)
    with pytest.raises(StaleState):
        identity_services.reject_identity(identity=stale, by=officer, reason="other", note="x")
    identity.refresh_from_db()
    assert identity.state == "verified"


# --- the admin desk, two pages loaded before either acts ----------------------------------------


def desk_clients(*users):
    clients = []
    for user in users:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        clients.append(client)
    return clients


def test_desk_two_extensions_from_pages_loaded_together():
    app = accepted_application()
    one, two = desk_clients(*two_supervisors())
    url = act_url(app, "extend_deadline")
    page_one, page_two = one.get(url), two.get(url)
    assert version_in(page_one) == version_in(page_two) == str(app.version)
    form = {"days": "10", "note": "remote area"}
    assert one.post(url, {**form, "version": version_in(page_one)}).status_code == 302
    response = two.post(url, {**form, "version": version_in(page_two)}, follow=True)
    assert STALE in response.content.decode()
    app.refresh_from_db()
    assert app.extension_days == 10
    assert len(extensions(app)) == 1


def test_desk_approve_from_a_page_loaded_before_an_extension_is_refused():
    app = accepted_application()
    supervisor, _ = two_supervisors()
    officer = StaffFactory(officer=True, station=app.station)
    desk_officer, desk_supervisor = desk_clients(officer, supervisor)
    approve_page = desk_officer.get(act_url(app, "approve"))
    extend_page = desk_supervisor.get(act_url(app, "extend_deadline"))
    response = desk_supervisor.post(
        act_url(app, "extend_deadline"),
        {"days": "10", "note": "remote area", "version": version_in(extend_page)},
    )
    assert response.status_code == 302
    response = desk_officer.post(
        act_url(app, "approve"), {"version": version_in(approve_page)}, follow=True
    )
    assert STALE in response.content.decode()
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED
    assert app.extension_days == 10


# --- the staff API: the version it showed --------------------------------------------------------


def test_staff_api_act_with_an_old_version_is_refused_with_409():
    app = ApplicationFactory(approved=True)
    clerk = StaffFactory(clerk=True, station=app.station)
    api = client_for(clerk)
    detail = api.get(f"/api/v1/staff/applications/{app.pk}/")
    assert detail.status_code == 200, detail.content
    shown = detail.json()["version"]
    assert shown == app.version
    # someone else saves the application in between
    PermitApplication.objects.get(pk=app.pk).save()
    response = api.post(
        f"/api/v1/staff/applications/{app.pk}/produced/",
        {"version": shown, "card_serial": "X"},
        format="json",
    )
    assert_error(response, 409, "stale")
    app.refresh_from_db()
    assert app.state == ApplicationState.APPROVED


# --- truly at the same moment (PostgreSQL) ------------------------------------------------------


def _race(actions):
    """Run each action in its own thread (its own connection) after a barrier; their results
    (or exception codes) and the wall time."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait()
            outcomes[index] = action()
        except StaleState as exc:
            outcomes[index] = exc.code
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, action)) for i, action in enumerate(actions)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes, time.monotonic() - started


@pytest.mark.django_db(transaction=True)
def test_two_extensions_at_the_same_moment_one_is_refused_on_postgresql(record_property):
    postgresql_only()
    app = accepted_application()
    deadline = app.deadline
    supervisors = two_supervisors()
    copies = [PermitApplication.objects.get(pk=app.pk) for _ in supervisors]  # loaded before

    def extend(user, copy):
        def action():
            svc.extend_deadline(user=user, application=copy, days=10, reason=f"by {user.pk}")
            return "ok"

        return action

    outcomes, seconds = _race([extend(u, c) for u, c in zip(supervisors, copies, strict=True)])
    record_property("outcomes", outcomes)
    record_property("seconds", round(seconds, 3))
    print(f"\nservices race: outcomes={sorted(outcomes)} in {seconds:.3f}s")
    assert sorted(outcomes) == ["ok", "stale"]
    app.refresh_from_db()
    assert app.extension_days == 10  # added once, not lost and not doubled
    assert (app.deadline - deadline).days >= 10
    assert len(extensions(app)) == 1
    assert Notification.objects.filter(kind="deadline_extended").count() == 1


@pytest.mark.django_db(transaction=True)
def test_desk_two_extensions_posted_at_the_same_moment_on_postgresql(record_property):
    postgresql_only()
    app = accepted_application()
    clients = desk_clients(*two_supervisors())
    url = act_url(app, "extend_deadline")
    versions = [version_in(client.get(url)) for client in clients]  # both pages loaded first

    def post(client, version):
        def action():
            response = client.post(
                url, {"days": "10", "note": "remote area", "version": version}, follow=True
            )
            return "stale" if STALE in response.content.decode() else "ok"

        return action

    outcomes, seconds = _race([post(c, v) for c, v in zip(clients, versions, strict=True)])
    print(f"\ndesk race: outcomes={sorted(outcomes)} in {seconds:.3f}s")
    assert sorted(outcomes) == ["ok", "stale"]
    app.refresh_from_db()
    assert app.extension_days == 10
    assert len(extensions(app)) == 1


@pytest.mark.django_db(transaction=True)
def test_approve_and_extend_at_the_same_moment_never_lose_the_extension_on_postgresql():
    postgresql_only()
    app = accepted_application()
    supervisor, _ = two_supervisors()
    officer = StaffFactory(officer=True, station=app.station)
    for_extend, for_approve = (PermitApplication.objects.get(pk=app.pk) for _ in range(2))

    def extend():
        svc.extend_deadline(user=supervisor, application=for_extend, days=10, reason="remote")
        return "extended"

    def approve():
        svc.approve(user=officer, application=for_approve)
        return "approved"

    outcomes, _ = _race([extend, approve])
    app.refresh_from_db()
    assert "stale" in outcomes and len([o for o in outcomes if o != "stale"]) == 1
    if "extended" in outcomes:
        assert app.state == ApplicationState.ACCEPTED and app.extension_days == 10
    else:
        assert app.state == ApplicationState.APPROVED and app.extension_days == 0
