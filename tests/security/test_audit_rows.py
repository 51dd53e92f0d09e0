"""Audit records that last (issue 14 point 6): reveal-ID, logins, failed logins and refusals are
rows (who, what, which record, when, from where), readable by supervisors, never added, changed
or deleted in the admin (not even by a superuser), deleted only by their own retention job."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from review.models import AuditEvent
from review.tasks import delete_old_audit_events
from tests.factories import StaffFactory, UserFactory
from tests.review.helpers import act_url, station_with_application

pytestmark = pytest.mark.django_db


def test_a_refused_act_keeps_its_row_through_the_real_view(client):
    station, app, staff = station_with_application()
    client.force_login(staff["clerk"])
    response = client.post(act_url(app, "accept"), {"version": "x"}, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 403
    row = AuditEvent.objects.get(event="permission_refused")
    assert row.user == staff["clerk"]
    assert row.ip == "10.1.2.3"
    assert row.status == 403 and row.method == "POST"
    assert row.path == act_url(app, "accept")
    assert row.at <= timezone.now()


def test_refused_reveal_and_shown_reveal_name_the_record(client):
    station, app, staff = station_with_application()
    url = reverse("admin:review_application_reveal_id", args=[app.pk])
    client.force_login(staff["clerk"])
    assert client.post(url).status_code == 403
    assert AuditEvent.objects.filter(event="permission_refused", user=staff["clerk"]).exists()
    client.force_login(staff["officer"])
    assert client.post(url).status_code == 200
    shown = AuditEvent.objects.get(event="full_id_number_shown")
    assert shown.user == staff["officer"]
    assert (shown.record_type, shown.record_id) == ("permits.permitapplication", str(app.pk))
    assert shown.ip == "127.0.0.1"
    # never the number itself, anywhere in the row
    values = [str(v) for v in AuditEvent.objects.values_list("details", "actor", "path")]
    assert not any(app.person.id_number in v for v in values)


def test_failed_and_successful_logins_are_rows(client):
    user = UserFactory(phone="+8613912345678")
    user.set_password("right-password-1")
    user.save()
    response = client.post(
        reverse("login"), {"username": "13912345678", "password": "wrong"}, REMOTE_ADDR="10.9.9.9"
    )
    assert response.status_code == 200
    failed = AuditEvent.objects.get(event="login_failed")
    assert failed.user is None and failed.ip == "10.9.9.9"
    assert failed.actor == "+86139****5678"  # masked, never the password
    assert "wrong" not in str(failed.details)
    client.post(reverse("login"), {"username": "13912345678", "password": "right-password-1"})
    assert AuditEvent.objects.filter(event="login", user=user).exists()


def test_supervisors_read_the_records_officers_do_not(client):
    station, app, staff = station_with_application()
    AuditEvent.objects.create(event="login", actor="+86139****0000")
    changelist = reverse("admin:review_auditevent_changelist")
    client.force_login(staff["supervisor"])
    response = client.get(changelist)
    assert response.status_code == 200
    assert "+86139****0000" in response.content.decode()
    client.force_login(staff["officer"])
    assert client.get(changelist).status_code == 403


def test_no_one_adds_changes_or_deletes_a_record_in_the_admin(client):
    row = AuditEvent.objects.create(event="login", actor="+86139****0000")
    root = StaffFactory(is_superuser=True)
    client.force_login(root)
    changelist = reverse("admin:review_auditevent_changelist")
    html = client.get(changelist).content.decode()
    assert "delete_selected" not in html
    assert client.get(reverse("admin:review_auditevent_add")).status_code == 403
    change = reverse("admin:review_auditevent_change", args=[row.pk])
    page = client.get(change)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(change, {"event": "forged"}).status_code == 403
    delete = reverse("admin:review_auditevent_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.post(changelist, {"action": "delete_selected", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.event == "login"
    with pytest.raises(ValueError):
        row.delete()
    row.event = "forged"
    with pytest.raises(ValueError):
        row.save()


def test_records_have_their_own_retention(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    now = timezone.now()
    old = AuditEvent.objects.create(event="login", at=now - dt.timedelta(days=31))
    kept = AuditEvent.objects.create(event="login", at=now - dt.timedelta(days=29))
    assert delete_old_audit_events(now=now, batch_size=1) == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert delete_old_audit_events(now=now) == 0  # idempotent
