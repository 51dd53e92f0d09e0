"""The station clerk's desk: bulk "mark produced" with a card serial per row, the window
handover by reference or pickup code, and the mail steps."""

import pytest
from django.urls import reverse

from notifications.models import Notification
from permits.constants import ApplicationState
from permits.models import CardSerial
from permits.services import applications as svc
from tests.factories import StaffFactory, StationFactory
from tests.permits.factories import ApplicationFactory
from tests.review.helpers import act, act_url, change_url, station_with_application

pytestmark = pytest.mark.django_db
CHANGELIST = "admin:permits_permitapplication_changelist"


def approved_application():
    station, app, staff = station_with_application()
    svc.accept(user=staff["officer"], application=app)
    svc.approve(user=staff["officer"], application=app)
    app.refresh_from_db()
    return station, app, staff


def test_bulk_mark_produced_asks_one_serial_per_row_and_notifies_each(client):
    station, first, staff = approved_application()
    from tests.factories import HouseFactory
    from tests.permits.helpers import registered_person, submitted

    person = registered_person(months=12, house=HouseFactory(station=station))
    second = submitted(person, "new")
    svc.accept(user=staff["officer"], application=second)
    svc.approve(user=staff["officer"], application=second)
    client.force_login(staff["clerk"])
    url = reverse(CHANGELIST)
    selection = {"action": "mark_produced_selected", "_selected_action": [first.pk, second.pk]}
    page = client.post(url, selection)
    assert page.status_code == 200
    html = page.content.decode()
    assert f'name="serial_{first.pk}"' in html and f'name="serial_{second.pk}"' in html
    # one serial missing: that row is shown again, the other is produced
    response = client.post(
        url, {**selection, "apply": "1", f"serial_{first.pk}": "SN0001", f"serial_{second.pk}": ""}
    )
    assert response.status_code == 200
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.state == ApplicationState.PRODUCED and first.new_card_serial == "SN0001"
    assert second.state == ApplicationState.APPROVED
    # a serial already used is refused by the service
    response = client.post(url, {**selection, "apply": "1", f"serial_{second.pk}": "SN0001"})
    assert "already used" in response.content.decode()
    response = client.post(url, {**selection, "apply": "1", f"serial_{second.pk}": "SN0002"})
    assert response.status_code == 302
    second.refresh_from_db()
    assert second.state == ApplicationState.PRODUCED
    assert CardSerial.objects.filter(serial__in=["SN0001", "SN0002"]).count() == 2
    for app in (first, second):
        assert Notification.objects.filter(
            recipient=app.filed_by, kind="certificate_produced"
        ).exists()


def test_bulk_action_is_scoped_and_only_for_clerks(client):
    station, app, staff = approved_application()
    stranger = StaffFactory(clerk=True, station=StationFactory())
    client.force_login(stranger)
    selection = {"action": "mark_produced_selected", "_selected_action": [app.pk]}
    client.post(reverse(CHANGELIST), {**selection, "apply": "1", f"serial_{app.pk}": "SN9"})
    app.refresh_from_db()
    assert app.state == ApplicationState.APPROVED
    client.force_login(staff["officer"])
    page = client.get(reverse(CHANGELIST))
    assert b"mark_produced_selected" not in page.content


def test_window_handover_by_pickup_code_checks_the_collector(client):
    station, app, staff = approved_application()
    svc.mark_produced(user=staff["clerk"], application=app, card_serial="SNW1")
    svc.choose_pickup(user=app.filed_by, application=app)
    app.refresh_from_db()
    client.force_login(staff["clerk"])
    url = reverse("admin:review_handover")
    page = client.get(url, {"code": app.pickup_code})
    assert page.status_code == 200
    html = page.content.decode()
    assert app.reference in html and 'id="handover-collect"' in html
    assert client.get(url, {"code": app.reference.lower()}).status_code == 200
    assert "No application" in client.get(url, {"code": "nope"}).content.decode()
    act_url = reverse("admin:review_application_act", args=[app.pk, "record_collected"])
    import re

    version = re.search(r'name="version" value="([^"]+)"', html).group(1)
    response = client.post(
        act_url, {"version": version, "collector_id_number": "110101199003070011", "next": url}
    )
    assert "neither the holder" in response.content.decode()
    response = client.post(
        act_url, {"version": version, "collector_id_number": app.person.id_number, "next": url}
    )
    assert response.status_code == 302 and response["Location"] == url
    app.refresh_from_db()
    assert app.state == ApplicationState.COLLECTED
    # another station's clerk does not find it
    client.force_login(StaffFactory(clerk=True, station=StationFactory()))
    assert "No application" in client.get(url, {"code": app.reference}).content.decode()


def test_mail_old_card_dispatch_and_delivery(client):
    app = ApplicationFactory(awaiting_old_card=True)
    clerk = StaffFactory(clerk=True, station=app.station)
    client.force_login(clerk)
    assert 'id="act-record_mailed"' not in client.get(change_url(app)).content.decode()
    response = client.get(act_url(app, "record_mailed"))
    assert response.status_code == 302  # back to the page: not possible yet
    app.refresh_from_db()
    assert app.state == ApplicationState.AWAITING_OLD_CARD
    assert act(client, app, "record_old_card_received").status_code == 302
    app.refresh_from_db()
    assert app.old_card_received_at is not None
    assert act(client, app, "record_mailed", tracking_number="").status_code == 200
    assert act(client, app, "record_mailed", tracking_number="SF123").status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.MAILED and app.tracking_number == "SF123"
    assert act(client, app, "record_delivered").status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.DELIVERED
    kinds = set(Notification.objects.filter(recipient=app.filed_by).values_list("kind", flat=True))
    assert {"old_card_received", "certificate_mailed", "certificate_delivered"} <= kinds


def test_mark_produced_button_records_the_scanned_serial(client):
    station, app, staff = approved_application()
    client.force_login(staff["clerk"])
    assert 'id="act-mark_produced"' in client.get(change_url(app)).content.decode()
    assert act(client, app, "mark_produced", card_serial="").status_code == 200  # required
    assert act(client, app, "mark_produced", card_serial="hkc 1").status_code == 200  # invalid
    assert act(client, app, "mark_produced", card_serial="hkc77").status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.PRODUCED
    assert app.new_card_serial == "HKC77" and app.permit.card_serial == "HKC77"
    assert app.pickup_code


def test_window_handover_to_the_registered_agent(client):
    from tests.factories import IdentityFactory, UserFactory

    agent = UserFactory()
    own = IdentityFactory(account=agent, verified=True)
    child = IdentityFactory(account=agent, verified=True, dependent_minor=True)
    app = ApplicationFactory(awaiting_pickup=True, person=child, pickup_code="scan-me-123")
    assert app.filed_by == agent
    clerk = StaffFactory(clerk=True, station=app.station)
    client.force_login(clerk)
    url = reverse("admin:review_handover")
    html = client.get(url, {"code": "scan-me-123"}).content.decode()
    assert own.masked_id_number in html and own.id_number not in html
    response = act(client, app, "record_collected", collector_id_number=own.id_number)
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.COLLECTED and app.collected_by_agent
