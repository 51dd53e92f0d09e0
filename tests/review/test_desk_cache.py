"""Issue 29: an application's desk is kept by the page cache under the page generations of the
accounts the case concerns (who filed it, the person's own) and the viewer's access
(``review.views.desk``, ``core.page_cache.staff_page_key``); a change of any kind shows on the
NEXT view of the desk, through the real view.

Each case warms the desk of the station's officer (answered from the cache before the change),
makes one change the way the portal makes it (a service, the runner, a daily job, an edit of a
place), then reads the desk again with the cache on and compares it with the desk drawn with
the cache off: equal (never a stale desk), and the change shows (else the case proves nothing).
"""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import override_settings
from django.urls import reverse

from core import clock
from permits.constants import ApplicationState, PermitStatus, StaffGroup
from permits.models import PermitApplication, ResidencePermit
from permits.services import applications as svc
from permits.services import registrations as registration_services
from permits.services.permits import (
    cancel_permit,
    deem_overdue_submissions_accepted,
    suspend_overdue_permits,
)
from tests.cache_support import normal_page
from tests.factories import StaffFactory
from tests.permits.factories import PermitFactory
from tests.permits.helpers import case_steps, registered_person, staff_for, submitted
from tests.review.helpers import change_url
from tests.service_codes import Service

pytestmark = pytest.mark.django_db


class Desk:
    """The desk of ``application`` through the test client, signed in as ``viewer``."""

    def __init__(self, client, viewer, application):
        client.force_login(viewer)
        self.client = client
        self.path = change_url(application)

    def get(self):
        response = self.client.get(self.path, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        return response

    def warm(self) -> str:
        for _ in range(3):  # the first answer sets the CSRF cookie, the second is kept
            response = self.get()
        assert response["X-Page-Cache"] == "hit"
        return normal_page(response)

    def check(self, change) -> str:
        before = self.warm()
        change()
        shown = normal_page(self.get())
        with override_settings(PAGE_CACHE_SECONDS=0):
            truth = normal_page(self.get())
        assert shown == truth, "the desk was served stale after the change"
        assert before != truth, "the change shows nowhere on the desk"
        return truth


def test_every_transition_of_the_case_shows_on_the_next_desk(client):
    person = registered_person(months=7)
    staff = staff_for(person.registrations.get().station)
    app = submitted(person, Service.NEW)
    desk = Desk(client, staff["officer"], app)
    steps = case_steps(person, staff, app, extend=True)
    for step in steps:
        desk.check(step)
        app.refresh_from_db()
    assert app.state == ApplicationState.COLLECTED


def test_a_rejection_and_the_daily_deemed_acceptance_show_on_the_next_desk(client):
    person = registered_person(months=7)
    staff = staff_for(person.registrations.get().station)
    app = submitted(person, Service.NEW)
    desk = Desk(client, staff["officer"], app)
    later = clock.today() + datetime.timedelta(days=30)
    desk.check(lambda: deem_overdue_submissions_accepted(today=later))
    assert PermitApplication.objects.get(pk=app.pk).state == ApplicationState.ACCEPTED
    app.refresh_from_db()
    desk.check(
        lambda: svc.reject(user=staff["officer"], application=app, reason="not_eligible", note="no")
    )


def test_the_persons_registration_and_permit_show_on_the_next_desk(client):
    """What the desk shows beside the case: the registration the station recorded, the
    person's permit (its daily suspension, a set-based job, and its cancellation)."""
    person = registered_person(months=14)
    registration = person.registrations.get()
    station = registration.station
    staff = staff_for(station)
    today = clock.today()
    app = submitted(person, Service.NEW)
    permit = PermitFactory(
        holder=person, station=station, valid_until=today - datetime.timedelta(days=1)
    )
    PermitApplication.objects.filter(pk=app.pk).update(permit=permit)
    desk = Desk(client, staff["officer"], app)
    desk.check(lambda: suspend_overdue_permits(today=today))
    assert ResidencePermit.objects.get(pk=permit.pk).status == PermitStatus.SUSPENDED
    desk.check(
        lambda: cancel_permit(
            user=staff["officer"], permit=ResidencePermit.objects.get(pk=permit.pk), moved_on=today
        )
    )
    desk.check(
        lambda: registration_services.cancel_registration(
            registration=registration, by=person.account
        )
    )


def test_a_renamed_station_and_an_edited_address_show_on_the_next_desk(client):
    person = registered_person(months=7)
    staff = staff_for(person.registrations.get().station)
    app = submitted(person, Service.NEW)
    desk = Desk(client, staff["officer"], app)

    def rename():
        app.station.name = "龙华派出所（新址）"
        app.station.save()

    assert "龙华派出所（新址）" in desk.check(rename)

    def readdress():
        house = app.registration.house
        house.address = "海口市龙华区滨海大道 1 号"
        house.save()

    assert "海口市龙华区滨海大道 1 号" in desk.check(readdress)


def test_the_kept_desk_is_the_viewers_own_and_follows_their_access(client):
    """Each member of staff has their own kept desk (the acts differ by role); a permission
    taken from the role shows at the next view; another station's officer gets a 404 even
    while the desk is kept for this one."""
    person = registered_person(months=7)
    station = person.registrations.get().station
    staff = staff_for(station)
    app = submitted(person, Service.NEW)
    accept = reverse("admin:review_application_act", args=[app.pk, "accept"])

    officer_desk = Desk(client, staff["officer"], app)
    assert accept in officer_desk.warm()
    clerk_desk = Desk(client, staff["clerk"], app)
    clerk_html = clerk_desk.get().content.decode()
    assert accept not in clerk_html  # not the officer's kept page

    officers = Group.objects.get(name=StaffGroup.OFFICER)
    permission = Permission.objects.get(codename="accept_application")
    officer_desk = Desk(client, staff["officer"], app)
    officer_desk.check(lambda: officers.permissions.remove(permission))
    assert accept not in officer_desk.get().content.decode()

    stranger = StaffFactory(officer=True)  # another station's
    client.force_login(stranger)
    assert client.get(change_url(app)).status_code == 404


def test_a_kept_desk_costs_the_floor_and_one_small_query(client, django_assert_num_queries):
    """Session, account, second-factor device, staff access, then the case's generations."""
    person = registered_person(months=7)
    officer = staff_for(person.registrations.get().station)["officer"]
    app = submitted(person, Service.NEW)
    desk = Desk(client, officer, app)
    desk.warm()
    with django_assert_num_queries(5):
        assert desk.get()["X-Page-Cache"] == "hit"
