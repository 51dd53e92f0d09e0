"""Issue 18: one SMS backend and one Twilio client (one HTTP connection pool) per process and
settings, reused across messages; the claim is one UPDATE … WHERE status='queued'."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications import backends
from notifications.constants import SmsStatus
from notifications.models import SmsMessage
from notifications.sms import deliver
from tests.perf.twilio_standin import ACCOUNT_SID, TwilioStandIn

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_backend():
    backends.reset_backend()
    yield
    backends.reset_backend()


@pytest.fixture
def twilio(settings):
    with TwilioStandIn() as stand_in:
        settings.SMS_BACKEND = "twilio"
        settings.TWILIO_ACCOUNT_SID = ACCOUNT_SID
        settings.TWILIO_AUTH_TOKEN = "reuse-test-token"  # noqa: S105
        settings.TWILIO_FROM = "+15005550006"
        settings.TWILIO_MESSAGING_SERVICE_SID = ""
        settings.TWILIO_STATUS_CALLBACK_URL = ""
        settings.TWILIO_API_BASE_URL = stand_in.url
        yield stand_in


def make_sms(n):
    return SmsMessage.objects.create(
        recipient_phone="+8613900000001", body=f"hello {n}", idempotency_key=f"reuse-{n}"
    )


def test_the_backend_is_built_once_per_settings(settings):
    settings.SMS_BACKEND = "console"
    first = backends.get_backend()
    assert backends.get_backend() is first
    settings.TWILIO_FROM = "+15005550007"  # any setting the backend is built from
    second = backends.get_backend()
    assert second is not first
    assert backends.get_backend() is second


def test_a_bad_configuration_is_not_kept(settings):
    settings.SMS_BACKEND = "carrier-pigeon"
    with pytest.raises(ValueError):
        backends.get_backend()
    settings.SMS_BACKEND = "console"
    assert isinstance(backends.get_backend(), backends.ConsoleBackend)


def test_many_messages_share_one_connection(twilio):
    messages = [make_sms(n) for n in range(5)]
    for message in messages:
        assert deliver(message.pk).status == "sent"
    assert twilio.requests == 5
    assert twilio.connections == 1
    assert set(SmsMessage.objects.values_list("status", flat=True)) == {SmsStatus.SENT}


def test_the_claim_is_one_statement_and_counts_the_attempt(sms_backend):
    message = make_sms(1)
    with CaptureQueriesContext(connection) as queries:
        assert deliver(message.pk).status == "sent"
    # the claim (UPDATE … RETURNING) and the outcome (UPDATE … WHERE status='sending')
    assert [q["sql"].split()[0].upper() for q in queries.captured_queries] == ["UPDATE", "UPDATE"]
    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_id) == (
        SmsStatus.SENT,
        1,
        "SM" + "0" * 31 + "1",
    )
    assert deliver(message.pk).status == "skipped"  # never a second SMS for the row
    assert len(sms_backend.sent) == 1
