"""Issue 14 point 10 in-process: a create call without an answer is `unknown`, never resent
before the provider is asked (the real worker and Twilio stand-in: tests/services)."""

import datetime

import pytest
import requests
from django.utils import timezone

from notifications import backends
from notifications.backends import TwilioBackend, UncertainSmsError
from notifications.constants import SmsStatus
from notifications.models import SmsMessage
from notifications.sms import deliver, reconcile, stale_unsettled
from notifications.tasks import send_sms

pytestmark = pytest.mark.django_db


@pytest.fixture
def twilio_settings(settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "test-token"  # noqa: S105
    settings.TWILIO_FROM = "+15005550006"
    settings.SMS_RETRY_BASE_SECONDS = 0
    return settings


class ProviderWithLateAnswers:
    """Keeps what it is sent; the first ``late`` create calls time out after keeping it."""

    def __init__(self, *, late=1, keeps=True):
        self.sent, self.late, self.keeps, self.asked = [], late, keeps, 0

    def send(self, *, to, body):
        sid = f"SM{len(self.sent) + 1:032d}"
        if self.late:
            self.late -= 1
            if self.keeps:
                self.sent.append((sid, to, body))
            raise UncertainSmsError("no answer: ReadTimeout", code="no_answer")
        self.sent.append((sid, to, body))
        return sid

    def find_sent(self, *, to, body, since):
        self.asked += 1
        return next((sid for sid, t, b in self.sent if t == to and b == body), None)


def make_sms(key="r1"):
    return SmsMessage.objects.create(
        recipient_phone="+8613900000001", body="hello", idempotency_key=key
    )


def test_a_read_timeout_is_uncertain_a_refused_connection_is_not(twilio_settings, monkeypatch):
    backend = TwilioBackend()
    for raised, expected in [
        (requests.ReadTimeout("late"), "no_answer"),
        (requests.ConnectTimeout("no route"), "network"),
        (requests.ConnectionError("NewConnectionError: refused"), "network"),
    ]:

        def create(raised=raised, **kwargs):
            raise raised

        monkeypatch.setattr(backend.client.messages, "create", create)
        with pytest.raises(backends.SmsSendError) as info:
            backend.send(to="+8613900000001", body="hi")
        assert info.value.code == expected


def test_late_answer_is_found_at_the_provider_not_resent(monkeypatch):
    provider = ProviderWithLateAnswers(late=1, keeps=True)
    monkeypatch.setattr("notifications.sms.get_backend", lambda: provider)
    message = make_sms()
    assert deliver(message.pk).status == "unknown"
    message.refresh_from_db()
    assert message.status == SmsStatus.UNKNOWN and message.last_attempt_at is not None
    assert deliver(message.pk).status == "skipped"  # a redelivered task sends nothing
    assert reconcile(message.pk).status == "sent"
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert message.provider_id == provider.sent[0][0]
    assert message.attempts == 1 and len(provider.sent) == 1 and provider.asked == 1


def test_eager_task_reconciles_in_process(monkeypatch):
    provider = ProviderWithLateAnswers(late=1, keeps=True)
    monkeypatch.setattr("notifications.sms.get_backend", lambda: provider)
    message = make_sms()
    send_sms.delay(message.pk)
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT and len(provider.sent) == 1


def test_not_at_the_provider_is_sent_again_as_a_counted_attempt(monkeypatch):
    provider = ProviderWithLateAnswers(late=1, keeps=False)
    monkeypatch.setattr("notifications.sms.get_backend", lambda: provider)
    message = make_sms()
    deliver(message.pk)
    assert reconcile(message.pk).status == "sent"
    message.refresh_from_db()
    assert message.attempts == 2 and len(provider.sent) == 1 and provider.asked == 1


def test_a_row_left_sending_is_reconciled_only_once_old(monkeypatch, settings):
    settings.SMS_SENDING_TIMEOUT_SECONDS = 300
    provider = ProviderWithLateAnswers(late=0)
    provider.sent.append(("SM" + "9" * 32, "+8613900000001", "hello"))
    monkeypatch.setattr("notifications.sms.get_backend", lambda: provider)
    message = make_sms()
    recent = timezone.now() - datetime.timedelta(seconds=10)
    SmsMessage.objects.filter(pk=message.pk).update(
        status=SmsStatus.SENDING, attempts=1, last_attempt_at=recent
    )
    assert message.pk not in stale_unsettled()
    assert reconcile(message.pk).status == "skipped"  # its worker may still be waiting
    SmsMessage.objects.filter(pk=message.pk).update(
        last_attempt_at=timezone.now() - datetime.timedelta(seconds=301)
    )
    assert message.pk in stale_unsettled()
    assert reconcile(message.pk).status == "sent"
    message.refresh_from_db()
    assert message.provider_id == "SM" + "9" * 32 and message.attempts == 1
    assert len(provider.sent) == 1
