"""The officer's application page: buttons only for allowed acts, each a small form that calls
the service; the state is never editable; two officers at once; the one-time rule; extensions."""

import logging

import pytest
from django.urls import reverse

from core.errors import StaleState
from notifications.models import Notification
from permits.constants import ApplicationState
from permits.models import PermitApplication
from permits.services import applications as svc
from tests.factories import StaffFactory, StationFactory
from tests.review.helpers import act, act_url, change_url, station_with_application, version_in

pytestmark = pytest.mark.django_db


def test_application_page_shows_everything_and_only_allowed_buttons(client):
    station, app, staff = station_with_application()
    client.force_login(staff["officer"])
    response = client.get(change_url(app))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="state"' not in html  # never editable
    assert app.person.id_number not in html  # masked
    assert app.person.masked_id_number in html
    assert 'id="act-accept"' in html and 'id="act-request_supplement"' in html
    assert 'id="act-reject"' in html
    assert 'id="act-approve"' not in html  # not from "submitted"
    assert 'id="act-mark_produced"' not in html  # a clerk's act
    assert 'id="act-extend_deadline"' not in html  # a supervisor's act
    material = app.materials.first()
    url = reverse("admin:review_application_material", args=[app.pk, material.pk])
    assert url in html  # thumbnail through the staff file view
    assert client.get(url).status_code == 200
    assert "months" in html  # registration age
    client.force_login(staff["clerk"])
    html = client.get(change_url(app)).content.decode()
    assert 'id="act-accept"' not in html


def test_full_id_number_on_demand_is_logged(client, caplog):
    station, app, staff = station_with_application()
    client.force_login(staff["officer"])
    url = reverse("admin:review_application_reveal_id", args=[app.pk])
    assert client.get(url).status_code == 405
    with caplog.at_level(logging.INFO, logger="portal.audit"):
        response = client.post(url)
    assert app.person.id_number in response.content.decode()
    lines = [r.getMessage() for r in caplog.records if r.name == "portal.audit"]
    assert any(
        "event=full_id_number_shown" in line and f"application={app.pk}" in line for line in lines
    )
    assert not any(app.person.id_number in line for line in lines)


def test_accept_then_approve_through_the_buttons_notifies(client):
    station, app, staff = station_with_application()
    client.force_login(staff["officer"])
    response = act(client, app, "accept", note="ok")
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED and app.deadline is not None
    assert app.accepted_by == staff["officer"]
    response = act(client, app, "approve")
    app.refresh_from_db()
    assert app.state == ApplicationState.APPROVED
    kinds = set(Notification.objects.filter(recipient=app.filed_by).values_list("kind", flat=True))
    assert {"application_accepted", "application_approved"} <= kinds


def test_reject_needs_a_reason_from_the_list(client):
    station, app, staff = station_with_application()
    client.force_login(staff["officer"])
    response = act(client, app, "reject", reason="", note="")
    assert response.status_code == 200  # the form again
    app.refresh_from_db()
    assert app.state == ApplicationState.SUBMITTED
    response = act(client, app, "reject", reason="other", note="")
    assert "Explain the reason" in response.content.decode()  # the service's rule
    response = act(client, app, "reject", reason="not_eligible", note="moved away")
    app.refresh_from_db()
    assert app.state == ApplicationState.REJECTED
    assert app.rejection_reason == "not_eligible"


def test_request_materials_checklist_and_the_one_time_rule(client):
    station, app, staff = station_with_application()
    client.force_login(staff["officer"])
    codes = [r.code for r in app.requirements()]
    page = client.get(act_url(app, "request_supplement"))
    for code in codes:
        assert f'name="flag_{code}"' in page.content.decode()
    # a ticked item without a reason is refused by the form
    response = act(client, app, "request_supplement", **{f"flag_{codes[0]}": "on"})
    assert response.status_code == 200
    response = act(
        client,
        app,
        "request_supplement",
        **{f"flag_{codes[0]}": "on", f"reason_{codes[0]}": "unclear", "note": "please"},
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.state == ApplicationState.SUPPLEMENT_REQUESTED
    assert app.flagged_items == [{"code": codes[0], "reason": "unclear", "note": ""}]
    # the applicant resubmits only the flagged item ...
    from tests.factories import PASSWORD
    from tests.permits.helpers import png

    svc.upload_material(
        user=app.filed_by, application=app, requirement_code=codes[0], file=png("again.png")
    )
    svc.resubmit(user=app.filed_by, application=app, password=PASSWORD)
    app.refresh_from_db()
    # ... so a second request may not flag an item that was not re-uploaded (one-time rule)
    second_request = {f"flag_{codes[1]}": "on", f"reason_{codes[1]}": "missing"}
    response = act(client, app, "request_supplement", **second_request)
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.state == ApplicationState.SUBMITTED
    assert "errornote" in response.content.decode()


def test_two_officers_at_once_the_second_is_told_to_reload(client):
    station, app, staff = station_with_application()
    other = StaffFactory(officer=True, station=station)
    first, second = client, client.__class__(HTTP_ACCEPT_LANGUAGE="en")
    first.force_login(staff["officer"])
    second.force_login(other)
    page_one = first.get(act_url(app, "accept"))
    page_two = second.get(act_url(app, "reject"))
    assert first.post(act_url(app, "accept"), {"version": version_in(page_one)}).status_code == 302
    response = second.post(
        act_url(app, "reject"),
        {"version": version_in(page_two), "reason": "not_eligible"},
        follow=True,
    )
    assert "This application changed" in response.content.decode()
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED
    assert app.transitions.filter(transition="accept").count() == 1
    assert not app.transitions.filter(transition="reject").exists()


def test_two_instances_of_one_application_nothing_applied_twice():
    station, app, staff = station_with_application()
    other = StaffFactory(officer=True, station=station)
    one = PermitApplication.objects.get(pk=app.pk)
    two = PermitApplication.objects.get(pk=app.pk)
    svc.accept(user=staff["officer"], application=one)
    with pytest.raises(StaleState):
        svc.request_supplement(
            user=other,
            application=two,
            items=[{"code": app.requirements()[0].code, "reason": "missing"}],
        )
    app.refresh_from_db()
    assert app.state == ApplicationState.ACCEPTED
    assert app.transitions.filter(transition="accept").count() == 1


def test_supervisor_extends_a_deadline_within_30_days_with_a_reason(client):
    station, app, staff = station_with_application()
    svc.accept(user=staff["officer"], application=app)
    app.refresh_from_db()
    before = app.deadline
    client.force_login(staff["officer"])
    assert client.get(act_url(app, "extend_deadline")).status_code == 403
    client.force_login(staff["supervisor"])
    assert 'id="act-extend_deadline"' in client.get(change_url(app)).content.decode()
    response = act(client, app, "extend_deadline", days="31", note="remote area")
    assert response.status_code == 200  # the form refuses more than 30
    response = act(client, app, "extend_deadline", days="10", note="")
    assert response.status_code == 200  # reason required
    response = act(client, app, "extend_deadline", days="20", note="remote area")
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.extension_days == 20 and app.deadline > before
    # at most 30 days in total: the service's rule
    response = act(client, app, "extend_deadline", days="11", note="again")
    assert response.status_code == 200
    app.refresh_from_db()
    assert app.extension_days == 20


def test_another_station_gets_404_on_every_desk_url(client):
    station, app, staff = station_with_application()
    stranger = StaffFactory(officer=True, station=StationFactory())
    client.force_login(stranger)
    material = app.materials.first()
    for url in [
        change_url(app),
        act_url(app, "accept"),
        reverse("admin:review_application_reveal_id", args=[app.pk]),
        reverse("admin:review_application_material", args=[app.pk, material.pk]),
    ]:
        assert client.get(url).status_code in (404, 405), url
        assert client.post(url, {}).status_code == 404, url
    app.refresh_from_db()
    assert app.state == ApplicationState.SUBMITTED


def test_a_clerk_cannot_open_an_officers_act(client):
    station, app, staff = station_with_application()
    client.force_login(staff["clerk"])
    assert client.get(act_url(app, "accept")).status_code == 403
    assert client.post(act_url(app, "accept"), {"version": "x"}).status_code == 403
    app.refresh_from_db()
    assert app.state == ApplicationState.SUBMITTED


def test_reveal_form_is_not_nested_in_another_form(client):
    station, app, staff = station_with_application()
    client.force_login(staff["officer"])
    html = client.get(change_url(app)).content.decode()
    reveal = html.index(reverse("admin:review_application_reveal_id", args=[app.pk]))
    # the desk is no admin change form (issue 29): no form around the page, and every form on
    # it (sign-out, the reveal) ends before the next begins
    assert 'id="permitapplication_form"' not in html
    opened = html.rindex("<form", 0, reveal)
    following = html.find("<form", opened + 1)
    assert html.find("</form>", opened) < (following if following != -1 else len(html))
    assert html.count("<form") == html.count("</form>")
