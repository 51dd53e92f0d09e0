"""Issue 30: no reminder SMS leaves between 21:00 and 08:00 local time, whatever runs (a daily
job at night, a task delivered late, a retry); they wait until 08:00 and the sweep sends them
then. Codes and answers the person is waiting for leave at any hour."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from notifications.constants import NotificationKind, SmsStatus
from notifications.models import SmsMessage
from notifications.quiet_hours import quiet_until
from notifications.services import notify, send_direct_sms
from notifications.tasks import send_sms, sweep_queued_sms
from permits import tasks
from permits.models import Appointment
from tests.factories import UserFactory
from tests.permits.test_appointments import T930, waiting_case

pytestmark = pytest.mark.django_db

CITY = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(day, hour, minute=0):
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=CITY)


@pytest.fixture
def quiet(settings):
    settings.SMS_QUIET_HOURS = "21-8"
    settings.TIME_ZONE = "Asia/Shanghai"


@pytest.fixture
def at(monkeypatch):
    """Move the clock (every reader of django.utils.timezone.now, core.clock included)."""

    def move(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment.astimezone(datetime.UTC))

    return move


def test_the_window_is_21_to_8_local_time(quiet):
    assert quiet_until(local(8, 20, 59)) is None
    assert quiet_until(local(8, 21, 0)) == local(9, 8)
    assert quiet_until(local(9, 0, 52)) == local(9, 8)
    assert quiet_until(local(9, 7, 59)) == local(9, 8)
    assert quiet_until(local(9, 8, 0)) is None


def test_a_daily_job_at_night_sends_its_reminders_at_8(quiet, at, sms_backend):
    """The standby beat's case: the appointment reminders run at 00:52."""
    at(local(8, 0, 52))
    app = waiting_case()
    Appointment.objects.create(
        application=app, station=app.station, day=datetime.date(2026, 12, 9), starts_at=T930
    )
    assert tasks.send_appointment_reminders() == 1
    message = SmsMessage.objects.get(notification__kind=NotificationKind.APPOINTMENT_REMINDER)
    assert message.quiet_hours and message.status == SmsStatus.QUEUED
    assert message.next_attempt_at == local(8, 8)
    send_sms.apply(args=[message.pk])  # a task delivered anyway, at night: refused
    at(local(8, 7, 59))
    sweep_queued_sms.apply()
    message.refresh_from_db()
    assert message.status == SmsStatus.QUEUED and sms_backend.sent == []
    at(local(8, 8, 2))  # the sweep after 08:00 sends it, once
    sweep_queued_sms.apply()
    sweep_queued_sms.apply()
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT and len(sms_backend.sent) == 1


def test_a_reminder_made_before_21_but_sent_after_waits(
    quiet, at, sms_backend, django_capture_on_commit_callbacks
):
    at(local(8, 20, 59))
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False):  # its task is delivered late
        notify(user, NotificationKind.ENDORSEMENT_DUE, {}, event_key="endorsement:1")
    message = SmsMessage.objects.get()
    assert message.next_attempt_at is None
    at(local(8, 21, 5))
    send_sms.apply(args=[message.pk])
    message.refresh_from_db()
    assert message.status == SmsStatus.QUEUED and sms_backend.sent == []
    assert message.next_attempt_at == local(9, 8)


def test_codes_and_answers_leave_at_any_hour(
    quiet, at, sms_backend, django_capture_on_commit_callbacks
):
    at(local(8, 23, 30))
    user = UserFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        send_direct_sms(phone=user.phone, text="code 123456", idempotency_key="code:night")
        notify(user, NotificationKind.APPLICATION_APPROVED, {"reference": "HK-1"})
    assert SmsMessage.objects.filter(status=SmsStatus.SENT).count() == 2
    assert len(sms_backend.sent) == 2
    assert not SmsMessage.objects.filter(quiet_hours=True).exists()


def test_a_deemed_acceptance_at_0045_waits_for_the_morning(quiet, at, sms_backend):
    """Accepted is an answer, but the one the 00:45 job gives is a notice: it waits."""
    from permits.services.permits import notify_deemed_accepted
    from tests.permits.factories import ApplicationFactory

    at(local(8, 0, 45))
    app = ApplicationFactory(accepted=True)
    notify_deemed_accepted(application_ids=[app.pk])
    message = SmsMessage.objects.get(notification__kind=NotificationKind.APPLICATION_ACCEPTED)
    assert message.quiet_hours and message.next_attempt_at == local(8, 8)
    assert sms_backend.sent == []


def test_a_reminder_reconciled_at_night_is_not_resent_before_8(
    quiet, at, sms_backend, django_capture_on_commit_callbacks
):
    """Review of issue 30: a reminder whose send at 20:59 got no answer (``unknown``) is
    reconciled by the sweep at night; not found at the provider, it waits for 08:00 instead of
    being sent again at once."""
    sms_backend.find_sent = lambda **_kwargs: None  # the provider never got it
    at(local(8, 20, 59))
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False):
        notify(user, NotificationKind.ENDORSEMENT_DUE, {}, event_key="endorsement:night")
    message = SmsMessage.objects.get()
    # the attempt at 20:59 went out and its answer never came back (read timeout)
    SmsMessage.objects.filter(pk=message.pk).update(
        status=SmsStatus.UNKNOWN, attempts=1, last_attempt_at=timezone.now()
    )
    at(local(8, 21, 30))
    sweep_queued_sms.apply()
    message.refresh_from_db()
    assert sms_backend.sent == []
    assert message.status == SmsStatus.QUEUED and message.next_attempt_at == local(9, 8)
    at(local(9, 8, 2))
    sweep_queued_sms.apply()
    sweep_queued_sms.apply()
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT and len(sms_backend.sent) == 1
