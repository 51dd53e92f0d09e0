import random
import threading

import pytest
import requests
from django.db import connection
from twilio.base.exceptions import TwilioRestException

from notifications import backends
from notifications.backends import (
    PermanentSmsError,
    TransientSmsError,
    TwilioBackend,
    classify_http_failure,
)
from notifications.constants import SmsStatus
from notifications.models import SmsMessage
from notifications.sms import deliver, retry_delay
from notifications.tasks import send_sms

pytestmark = pytest.mark.django_db


def make_sms(key="k1", phone="+8613900000001", **fields):
    return SmsMessage.objects.create(
        recipient_phone=phone, body="hello", idempotency_key=key, **fields
    )


# --- retry classification -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("status", "code", "transient"),
    [
        (500, None, True),
        (502, None, True),
        (503, 20500, True),
        (429, 20429, True),
        (400, 21211, False),
        (400, 21610, False),
        (401, 20003, False),
        (404, 20404, False),
    ],
)
def test_http_failures_are_classified(status, code, transient):
    error = classify_http_failure(status=status, code=code, message="m")
    assert error.transient is transient
    assert isinstance(error, TransientSmsError if transient else PermanentSmsError)
    assert error.code == str(code or status)


@pytest.fixture
def twilio_settings(settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = "AC" + "0" * 32
    settings.TWILIO_AUTH_TOKEN = "test-token"  # noqa: S105
    settings.TWILIO_FROM = "+15005550006"
    settings.TWILIO_STATUS_CALLBACK_URL = "https://portal.example/my-affairs/sms/twilio/status/"
    return settings


@pytest.mark.parametrize(
    ("raised", "expected", "code"),
    [
        (TwilioRestException(500, "uri", "boom"), TransientSmsError, "500"),
        (TwilioRestException(429, "uri", "slow down", code=20429), TransientSmsError, "20429"),
        (TwilioRestException(400, "uri", "bad To", code=21211), PermanentSmsError, "21211"),
        (TwilioRestException(400, "uri", "STOP", code=21610), PermanentSmsError, "21610"),
        (requests.ConnectionError("refused"), TransientSmsError, "network"),
        (requests.Timeout("slow"), TransientSmsError, "network"),
    ],
)
def test_twilio_backend_maps_client_errors(twilio_settings, monkeypatch, raised, expected, code):
    backend = TwilioBackend()

    def create(**kwargs):
        raise raised

    monkeypatch.setattr(backend.client.messages, "create", create)
    with pytest.raises(expected) as info:
        backend.send(to="+8613900000001", body="hi")
    assert info.value.code == code


def test_twilio_backend_passes_sender_and_status_callback(twilio_settings, monkeypatch):
    backend = TwilioBackend()
    seen = {}

    class Message:
        sid = "SM123"

    def create(**kwargs):
        seen.update(kwargs)
        return Message()

    monkeypatch.setattr(backend.client.messages, "create", create)
    assert backend.send(to="+8613900000001", body="hi") == "SM123"
    assert seen == {
        "to": "+8613900000001",
        "body": "hi",
        "from_": "+15005550006",
        "status_callback": "https://portal.example/my-affairs/sms/twilio/status/",
    }


def test_twilio_backend_refuses_to_start_without_credentials(settings):
    settings.SMS_BACKEND = "twilio"
    settings.TWILIO_ACCOUNT_SID = ""
    with pytest.raises(ValueError):
        backends.get_backend()


def test_unknown_backend_is_an_error(settings):
    settings.SMS_BACKEND = "carrier-pigeon"
    with pytest.raises(ValueError):
        backends.get_backend()


def test_base_url_rewrites_host_of_twilio_requests(monkeypatch):
    client = backends._twilio_http_client(base_url="http://127.0.0.1:9999/stub", timeout=3)
    seen = {}

    def fake_request(self, method, url, *args, **kwargs):
        seen["url"] = url
        return "response"

    from twilio.http.http_client import TwilioHttpClient

    monkeypatch.setattr(TwilioHttpClient, "request", fake_request)
    client.request("POST", "https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?x=1")
    assert seen["url"] == "http://127.0.0.1:9999/stub/2010-04-01/Accounts/AC1/Messages.json?x=1"


# --- backoff -------------------------------------------------------------------------------
def test_retry_delay_grows_exponentially_with_jitter_and_a_cap(settings):
    settings.SMS_RETRY_BASE_SECONDS = 10
    settings.SMS_RETRY_MAX_SECONDS = 100
    rng = random.Random(1)
    for attempts, full in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (9, 100)]:
        delays = {retry_delay(attempts, rng=rng) for _ in range(20)}
        assert all(full * 0.5 <= d <= full for d in delays)
        assert len(delays) > 1  # jitter


# --- deliver(): at most once ---------------------------------------------------------------
def test_deliver_sends_and_records_provider_id(sms_backend):
    message = make_sms()
    assert deliver(message.pk).status == "sent"
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert message.provider_id == "SM" + "1".zfill(32)
    assert message.attempts == 1
    assert message.sent_at is not None


@pytest.mark.parametrize(
    "status", [SmsStatus.SENDING, SmsStatus.SENT, SmsStatus.DELIVERED, SmsStatus.FAILED]
)
def test_redelivered_task_is_a_no_op(sms_backend, status):
    message = make_sms(status=status, attempts=1)
    assert deliver(message.pk).status == "skipped"
    message.refresh_from_db()
    assert message.status == status
    assert message.attempts == 1
    assert sms_backend.calls == 0


def test_second_run_after_success_sends_nothing(sms_backend):
    message = make_sms()
    send_sms.delay(message.pk)
    send_sms.delay(message.pk)
    send_sms.apply(args=(message.pk,))
    assert len(sms_backend.sent) == 1
    message.refresh_from_db()
    assert message.attempts == 1


def test_worker_dying_mid_send_never_leads_to_a_second_sms(sms_backend):
    """The provider accepted the SMS, then the worker was killed before recording it: the
    redelivered task finds the row `sending` and does not send again."""
    message = make_sms()
    sms_backend.script = [SystemExit("worker killed")]
    with pytest.raises(SystemExit):
        deliver(message.pk)
    message.refresh_from_db()
    assert message.status == SmsStatus.SENDING
    assert deliver(message.pk).status == "skipped"
    assert sms_backend.calls == 1


def test_transient_failures_are_retried_then_sent_once(sms_backend):
    message = make_sms()
    sms_backend.script = ["transient", "transient", "ok"]
    send_sms.delay(message.pk)
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert message.attempts == 3
    assert len(sms_backend.sent) == 1
    assert message.error_code == ""


def test_transient_failures_are_bounded(sms_backend, settings):
    settings.SMS_MAX_ATTEMPTS = 3
    message = make_sms()
    sms_backend.script = ["transient"] * 10
    send_sms.delay(message.pk)
    message.refresh_from_db()
    assert message.status == SmsStatus.FAILED
    assert message.attempts == 3
    assert message.error_code == "503"
    assert sms_backend.calls == 3


def test_transient_failure_schedules_the_next_attempt(sms_backend, settings):
    settings.SMS_RETRY_BASE_SECONDS = 30
    message = make_sms()
    sms_backend.script = ["transient"]
    outcome = deliver(message.pk)
    assert outcome.status == "retry"
    assert 15 <= outcome.retry_in <= 30
    message.refresh_from_db()
    assert message.status == SmsStatus.QUEUED
    assert message.next_attempt_at is not None
    assert message.error_code == "503"


def test_permanent_failure_is_failed_at_once_with_its_code(sms_backend):
    message = make_sms()
    sms_backend.script = ["permanent"]
    send_sms.delay(message.pk)
    message.refresh_from_db()
    assert message.status == SmsStatus.FAILED
    assert message.error_code == "21211"
    assert message.attempts == 1
    assert sms_backend.calls == 1


@pytest.mark.parametrize("phone", ["+861234", "13800138000", "+1 not a number", ""])
def test_invalid_phone_is_failed_without_calling_the_provider(sms_backend, phone):
    message = make_sms(phone=phone)
    assert deliver(message.pk).status == "failed"
    message.refresh_from_db()
    assert message.status == SmsStatus.FAILED
    assert message.error_code == "invalid_number"
    assert sms_backend.calls == 0


def test_unexpected_backend_error_is_retried_not_lost(sms_backend):
    message = make_sms()
    sms_backend.script = [RuntimeError("bug")]
    assert deliver(message.pk).status == "retry"
    message.refresh_from_db()
    assert message.status == SmsStatus.QUEUED


def test_console_backend_prints_the_sms(settings, capsys):
    settings.SMS_BACKEND = "console"
    message = make_sms()
    deliver(message.pk)
    assert "[SMS to +8613900000001] hello" in capsys.readouterr().out
    message.refresh_from_db()
    assert message.provider_id.startswith("console-")


@pytest.mark.django_db(transaction=True)
def test_concurrent_tasks_for_one_message_send_it_once(sms_backend):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL (the services CI run)")
    message = make_sms()
    barrier = threading.Barrier(4)

    def run():
        barrier.wait()
        try:
            deliver(message.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(sms_backend.sent) == 1
    message.refresh_from_db()
    assert message.attempts == 1
