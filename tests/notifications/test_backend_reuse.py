"""Issue 18: one SMS backend and one Twilio client (one HTTP connection pool) per process and
settings, reused across messages; the claim is one UPDATE … WHERE status='queued', the outcome
one UPDATE … WHERE status='sending' whose commit does not wait for the disk (PostgreSQL)."""

import logging

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

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
    # the claim (UPDATE … RETURNING) and the outcome (UPDATE … WHERE status='sending'); inside a
    # caller's transaction (this test's) the outcome leaves that transaction's commit alone
    sql = [q["sql"] for q in queries.captured_queries]
    assert [s.split()[0].upper() for s in sql] == ["UPDATE", "UPDATE"]
    assert not any("synchronous_commit" in s for s in sql)
    message.refresh_from_db()
    assert (message.status, message.attempts, message.provider_id) == (
        SmsStatus.SENT,
        1,
        "SM" + "0" * 31 + "1",
    )
    assert deliver(message.pk).status == "skipped"  # never a second SMS for the row
    assert len(sms_backend.sent) == 1


def test_the_outcome_is_written_only_over_sending(sms_backend, monkeypatch):
    """A delivery report that arrives before the worker records `sent` is not overwritten."""
    message = make_sms(1)
    send = sms_backend.send

    def send_then_report(**kwargs):
        provider_id = send(**kwargs)
        SmsMessage.objects.filter(pk=message.pk).update(
            status=SmsStatus.DELIVERED, provider_id=provider_id
        )
        return provider_id

    monkeypatch.setattr(sms_backend, "send", send_then_report)
    assert deliver(message.pk).status == "sent"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (SmsStatus.DELIVERED, 1)
    assert message.sent_at is None  # the worker's UPDATE matched nothing


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("script", ["ok", "transient", "permanent"])
def test_only_the_claim_waits_for_the_disk(sms_backend, script):
    """PostgreSQL, no caller's transaction (a worker): the claim commits durably before the
    provider is called; the outcome is one round trip that commits without waiting for the WAL
    flush (``SET LOCAL``: the session keeps ``synchronous_commit=on`` for the next claim). A
    lost outcome leaves the row `sending`, reconciled without a resend (test_reconcile.py)."""
    if connection.vendor != "postgresql":
        pytest.skip("synchronous_commit is PostgreSQL's")
    message = make_sms(1)
    sms_backend.script = [script]
    with CaptureQueriesContext(connection) as queries:
        deliver(message.pk)
    claim, outcome = (q["sql"] for q in queries.captured_queries)
    assert claim.startswith("UPDATE") and "synchronous_commit" not in claim
    assert outcome.startswith("SET LOCAL synchronous_commit TO OFF; UPDATE")
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"
    message.refresh_from_db()
    expected = {"ok": SmsStatus.SENT, "transient": SmsStatus.QUEUED, "permanent": SmsStatus.FAILED}
    assert (message.status, message.attempts) == (expected[script], 1)
    assert (message.next_attempt_at is not None) == (script == "transient")


def test_the_twilio_client_logs_no_request_lines_and_no_numbers(twilio, caplog):
    """Twilio's HTTP client logs each request at INFO (eleven lines per SMS, and the number
    unmasked in the reconciliation's query): only the worker's own line, number masked, stays."""
    caplog.set_level(logging.INFO)
    message = make_sms(1)
    assert deliver(message.pk).status == "sent"
    backend = backends.get_backend()
    assert (
        backend.find_sent(to=message.recipient_phone, body=message.body, since=timezone.now())
        is None
    )
    assert twilio.requests == 2  # the create and the list went out
    assert not [
        r for r in caplog.records if r.name.startswith(("twilio", backends.TWILIO_HTTP_LOGGER))
    ]
    assert message.recipient_phone not in caplog.text
    assert f"SMS {message.pk} sent to +86139****0001" in caplog.text
