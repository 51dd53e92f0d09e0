"""The `twilio` backend end to end: a real worker process, the real twilio client over HTTP to
a local stand-in for Twilio's REST API, real PostgreSQL and Redis, and the signed status
callback posted to a live server."""

import datetime
import email.utils
import json
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from twilio.request_validator import RequestValidator

from applicants.models import User
from notifications.constants import SmsStatus
from notifications.models import SmsMessage
from notifications.tasks import send_sms
from tests.services.conftest import ROOT, wait_for
from tests.services.conftest import test_database_url as worker_database_url

pytestmark = pytest.mark.services

ACCOUNT_SID = "AC" + "1" * 32
AUTH_TOKEN = "services-test-auth-token"  # noqa: S105
FROM = "+15005550006"
CALLBACK_PATH = "/my-affairs/sms/twilio/status/"


class StubTwilio:
    """A stand-in for Twilio's Messages resource on 127.0.0.1: POST …/Messages.json creates a
    message, GET …/Messages.json?To=…&DateSent>=… lists them (newest first, as Twilio does).

    ``script`` holds the answers to the next create calls, in order: ``(status, payload)`` or
    ``(status, payload, {"delay": seconds, "record": bool})`` (answer late; ``record`` False:
    the provider never kept the message). Once empty: 201 with a new sid. A 201 records the
    message when the request arrives, before any delay, as the real service does."""

    def __init__(self):
        self.requests = []
        self.lists = []
        self.messages = []  # what the provider has: {"sid", "to", "body", "created"}
        self.script = []
        self.lock = threading.Lock()
        self.released = threading.Event()  # set at teardown: late answers stop waiting
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                form = urllib.parse.parse_qs(self.rfile.read(length).decode())
                form = {k: v[0] for k, v in form.items()}
                with stub.lock:
                    stub.requests.append(
                        {
                            "path": self.path,
                            "form": form,
                            "auth": self.headers.get("Authorization", ""),
                            "at": time.monotonic(),
                        }
                    )
                    count = len(stub.requests)
                    entry = (
                        stub.script.pop(0)
                        if stub.script
                        else (201, {"sid": f"SM{count:032d}", "status": "queued"})
                    )
                    status, payload = entry[0], dict(entry[1])
                    options = entry[2] if len(entry) > 2 else {}
                    if status == 201:
                        payload.setdefault("sid", f"SM{count:032d}")
                        if options.get("record", True):
                            stub.messages.append(
                                {
                                    "sid": payload["sid"],
                                    "to": form.get("To"),
                                    "body": form.get("Body"),
                                    "created": datetime.datetime.now(datetime.UTC),
                                }
                            )
                if options.get("delay"):
                    stub.released.wait(options["delay"])
                self.answer(status, {"account_sid": ACCOUNT_SID, **payload})

            def do_GET(self):  # noqa: N802
                url = urllib.parse.urlsplit(self.path)
                query = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
                with stub.lock:
                    stub.lists.append({"path": url.path, "query": query})
                    since = query.get("DateSent>", "")[:10]  # Twilio filters by day
                    found = [
                        m
                        for m in reversed(stub.messages)
                        if m["to"] == query.get("To") and m["created"].date().isoformat() >= since
                    ]
                self.answer(
                    200,
                    {
                        "messages": [
                            {
                                "sid": m["sid"],
                                "account_sid": ACCOUNT_SID,
                                "to": m["to"],
                                "from": FROM,
                                "body": m["body"],
                                "status": "sent",
                                "date_created": email.utils.format_datetime(m["created"]),
                                "date_sent": email.utils.format_datetime(m["created"]),
                            }
                            for m in found
                        ],
                        "meta": {"key": "messages", "next_page_url": None, "page_size": 50},
                    },
                )

            def answer(self, status, payload):
                body = json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up waiting (timeout) or was killed
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def sends_for(self, phone):
        return [r for r in self.requests if r["form"].get("To") == phone]


@pytest.fixture
def twilio_stub():
    stub = StubTwilio()
    stub.thread.start()
    yield stub
    stub.released.set()
    stub.server.shutdown()
    stub.server.server_close()


@pytest.fixture
def callback_url(live_server, settings):
    url = live_server.url + CALLBACK_PATH
    settings.TWILIO_AUTH_TOKEN = AUTH_TOKEN
    settings.TWILIO_STATUS_CALLBACK_URL = url
    return url


@pytest.fixture
def worker_env(twilio_stub, callback_url):
    return {
        "SMS_BACKEND": "twilio",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": FROM,
        "TWILIO_API_BASE_URL": twilio_stub.url,
        "TWILIO_STATUS_CALLBACK_URL": callback_url,
        "TWILIO_TIMEOUT_SECONDS": "5",
        "SMS_RETRY_BASE_SECONDS": "0.2",
        "SMS_RETRY_MAX_SECONDS": "1",
        "SMS_MAX_ATTEMPTS": "5",
    }


def make_sms(key, phone):
    return SmsMessage.objects.create(recipient_phone=phone, body=f"text {key}", idempotency_key=key)


def settled(message):
    def check():
        message.refresh_from_db()
        return message.status not in (SmsStatus.QUEUED, SmsStatus.SENDING, SmsStatus.UNKNOWN)

    return check


def test_twilio_backend_sends_retries_and_fails_through_a_real_worker(
    celery_worker_process, twilio_stub, callback_url
):
    queue, log_path = celery_worker_process

    # 1. 201 with a sid: sent, the sid stored, the request as Twilio expects it.
    first = make_sms("svc-1", "+8613900000011")
    send_sms.apply_async((first.pk,), queue=queue)
    assert wait_for(settled(first)), log_path.read_text()
    assert first.status == SmsStatus.SENT, (first.error_code, first.error_message)
    assert first.attempts == 1
    assert first.provider_id == f"SM{1:032d}"
    request = twilio_stub.requests[0]
    assert request["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert request["form"] == {
        "To": "+8613900000011",
        "From": FROM,
        "Body": "text svc-1",
        "StatusCallback": callback_url,
    }
    assert request["auth"].startswith("Basic ")

    # 2. 500 twice, then 201: sent exactly once, after three attempts.
    twilio_stub.script = [
        (500, {"code": 20500, "message": "Internal Server Error", "status": 500}),
        (500, {"code": 20500, "message": "Internal Server Error", "status": 500}),
    ]
    second = make_sms("svc-2", "+8613900000012")
    send_sms.apply_async((second.pk,), queue=queue)
    assert wait_for(settled(second)), log_path.read_text()
    assert second.status == SmsStatus.SENT, (second.error_code, second.error_message)
    assert second.attempts == 3
    assert len(twilio_stub.sends_for("+8613900000012")) == 3
    assert second.provider_id == f"SM{len(twilio_stub.requests):032d}"  # the one accepted

    # 3. 400 with code 21211: failed at once, no retry.
    twilio_stub.script = [
        (400, {"code": 21211, "message": "The 'To' number is not valid.", "status": 400}),
    ]
    third = make_sms("svc-3", "+8613900000013")
    send_sms.apply_async((third.pk,), queue=queue)
    assert wait_for(settled(third)), log_path.read_text()
    assert third.status == SmsStatus.FAILED
    assert third.error_code == "21211"
    assert third.attempts == 1
    time.sleep(1.5)  # longer than any retry countdown here: nothing more arrives
    assert len(twilio_stub.sends_for("+8613900000013")) == 1
    third.refresh_from_db()
    assert third.attempts == 1

    # 4. A redelivered task for a sent message sends nothing.
    send_sms.apply_async((first.pk,), queue=queue)
    send_sms.apply_async((second.pk,), queue=queue)
    marker = make_sms("svc-4", "+8613900000014")
    send_sms.apply_async((marker.pk,), queue=queue)  # solo worker: runs after the two above
    assert wait_for(settled(marker)), log_path.read_text()
    assert len(twilio_stub.sends_for("+8613900000011")) == 1
    assert len(twilio_stub.sends_for("+8613900000012")) == 3

    # 5. Status callbacks over real HTTP: signed moves to delivered; forged gets 403.
    # (The live server runs production-like settings behind a TLS-terminating proxy.)
    validator = RequestValidator(AUTH_TOKEN)
    proxy = {"X-Forwarded-Proto": "https"}
    delivered = {"MessageSid": first.provider_id, "MessageStatus": "delivered"}
    forged = requests.post(
        callback_url,
        data=delivered,
        headers={
            **proxy,
            "X-Twilio-Signature": RequestValidator("wrong").compute_signature(
                callback_url, delivered
            ),
        },
        timeout=10,
    )
    assert forged.status_code == 403
    unsigned = requests.post(callback_url, data=delivered, headers=proxy, timeout=10)
    assert unsigned.status_code == 403
    first.refresh_from_db()
    assert first.status == SmsStatus.SENT

    signed = requests.post(
        callback_url,
        data=delivered,
        headers={
            **proxy,
            "X-Twilio-Signature": validator.compute_signature(callback_url, delivered),
        },
        timeout=10,
    )
    assert signed.status_code == 204
    first.refresh_from_db()
    assert first.status == SmsStatus.DELIVERED

    late_sent = {"MessageSid": first.provider_id, "MessageStatus": "sent"}
    response = requests.post(
        callback_url,
        data=late_sent,
        headers={
            **proxy,
            "X-Twilio-Signature": validator.compute_signature(callback_url, late_sent),
        },
        timeout=10,
    )
    assert response.status_code == 204
    first.refresh_from_db()
    assert first.status == SmsStatus.DELIVERED


REQUEST_WHILE_REDIS_IS_DOWN = """
import os
import time
from django.db import transaction
from applicants.models import User
from notifications.services import notify
user = User.objects.get(pk=int(os.environ["TEST_USER_ID"]))
started = time.monotonic()
with transaction.atomic():
    notify(user, "certificate_produced", {"reference": "HK-9"})
print("elapsed", round(time.monotonic() - started, 2))
"""


def test_redis_down_at_commit_then_the_sweep_sends_once_it_is_back(
    celery_worker_process, twilio_stub, monkeypatch
):
    """A web process whose broker is down commits at once; the sweep sends the SMS later."""
    queue, log_path = celery_worker_process
    user = User.objects.create_user("+8613900000021", "pw-Long-enough-1")
    env = {
        "TEST_USER_ID": str(user.pk),
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": worker_database_url(),
        "REDIS_URL": "redis://127.0.0.1:1/0",  # nothing listens there
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "DB_CONN_MAX_AGE": "0",
    }
    started = time.monotonic()
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "shell", "-c", REQUEST_WHILE_REDIS_IS_DOWN],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - started < 30
    elapsed = float(result.stdout.split("elapsed")[-1])
    assert elapsed < 10, result.stdout + result.stderr

    message = SmsMessage.objects.get(recipient_phone="+8613900000021")
    assert message.status == SmsStatus.QUEUED
    assert message.notification.title
    assert twilio_stub.requests == []

    # Redis is back (the test process uses the real one); a minute later the sweep runs.
    from django.utils import timezone

    from notifications.tasks import sweep_queued_sms

    SmsMessage.objects.filter(pk=message.pk).update(
        updated_at=timezone.now() - timezone.timedelta(minutes=2)
    )
    monkeypatch.setattr(send_sms, "delay", lambda *args: send_sms.apply_async(args, queue=queue))
    assert sweep_queued_sms() == 1
    assert wait_for(settled(message)), log_path.read_text()
    assert message.status == SmsStatus.SENT
    assert message.attempts == 1
    assert sweep_queued_sms() == 0
    assert len(twilio_stub.sends_for("+8613900000021")) == 1


# --- issue 14 point 10: a late answer is not "not sent" ----------------------------------------


def log_line(path, text):
    return any(text in line for line in path.read_text().splitlines())


def test_a_201_after_the_timeout_gives_one_sms_and_a_sent_row(start_worker, twilio_stub):
    """Twilio kept the message but answered after the client's timeout: the row goes to
    `unknown`, the reconciliation finds the message by listing, the row is `sent` with its sid,
    and nothing is sent again."""
    worker = start_worker(TWILIO_TIMEOUT_SECONDS="1")
    twilio_stub.script = [(201, {"sid": "SM" + "7" * 32, "status": "queued"}, {"delay": 3})]
    message = make_sms("svc-late-201", "+8613900000031")
    started = time.monotonic()
    send_sms.apply_async((message.pk,), queue=worker.queue)
    assert wait_for(lambda: twilio_stub.lists, timeout=20), worker.log_path.read_text()
    assert wait_for(settled(message), timeout=20), worker.log_path.read_text()
    seconds = time.monotonic() - started
    print(
        f"\nlate 201: status={message.status} attempts={message.attempts} "
        f"creates={len(twilio_stub.sends_for('+8613900000031'))} lists={len(twilio_stub.lists)} "
        f"in {seconds:.2f}s"
    )
    assert message.status == SmsStatus.SENT, (message.error_code, message.error_message)
    assert message.provider_id == "SM" + "7" * 32
    assert message.attempts == 1
    assert log_line(worker.log_path, "got no answer")
    time.sleep(1.5)  # longer than any retry here: no second create arrives
    assert len(twilio_stub.sends_for("+8613900000031")) == 1
    listed = twilio_stub.lists[0]
    assert listed["path"] == f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages.json"
    assert listed["query"]["To"] == "+8613900000031"
    assert "DateSent>" in listed["query"]


def test_a_timeout_the_provider_never_kept_is_sent_again_once(start_worker, twilio_stub):
    """No answer and not at the provider (asked first): sent again, one SMS in the end."""
    worker = start_worker(TWILIO_TIMEOUT_SECONDS="1")
    twilio_stub.script = [(201, {"status": "queued"}, {"delay": 3, "record": False})]
    message = make_sms("svc-lost", "+8613900000032")
    send_sms.apply_async((message.pk,), queue=worker.queue)
    assert wait_for(settled(message), timeout=20), worker.log_path.read_text()
    assert message.status == SmsStatus.SENT, (message.error_code, message.error_message)
    assert message.attempts == 2
    assert len(twilio_stub.sends_for("+8613900000032")) == 2
    assert [m["to"] for m in twilio_stub.messages] == ["+8613900000032"]  # one kept
    assert len(twilio_stub.lists) == 1  # asked before the second create


def test_a_worker_killed_mid_send_is_reconciled_not_resent(
    start_worker, twilio_stub, settings, monkeypatch
):
    """The worker dies while Twilio holds the create call: the row is left `sending`. Once it
    is older than SMS_SENDING_TIMEOUT_SECONDS the sweep reconciles it on another worker: found
    at Twilio, the row is `sent`, and no second SMS goes out."""
    from notifications.tasks import reconcile_sms, sweep_queued_sms

    first = start_worker()
    twilio_stub.script = [(201, {"sid": "SM" + "8" * 32, "status": "queued"}, {"delay": 30})]
    message = make_sms("svc-killed", "+8613900000033")
    send_sms.apply_async((message.pk,), queue=first.queue)
    assert wait_for(lambda: twilio_stub.sends_for("+8613900000033")), first.log_path.read_text()
    first.kill()
    killed_at = time.monotonic()
    message.refresh_from_db()
    assert message.status == SmsStatus.SENDING and message.attempts == 1

    second = start_worker(SMS_SENDING_TIMEOUT_SECONDS="1")
    enqueued = []

    def to_second_worker(*args):
        enqueued.append(args)
        return reconcile_sms.apply_async(args, queue=second.queue)

    monkeypatch.setattr(reconcile_sms, "delay", to_second_worker)
    settings.SMS_SENDING_TIMEOUT_SECONDS = 300
    sweep_queued_sms()  # too young: its worker may still be waiting for Twilio
    assert enqueued == []
    settings.SMS_SENDING_TIMEOUT_SECONDS = 1
    time.sleep(max(0.0, 1.2 - (time.monotonic() - killed_at)))
    sweep_queued_sms()
    assert wait_for(settled(message), timeout=20), second.log_path.read_text()
    print(
        f"\nkilled mid-send: status={message.status} attempts={message.attempts} "
        f"creates={len(twilio_stub.sends_for('+8613900000033'))} lists={len(twilio_stub.lists)} "
        f"settled {time.monotonic() - killed_at:.2f}s after the kill"
    )
    assert message.status == SmsStatus.SENT
    assert message.provider_id == "SM" + "8" * 32
    assert message.attempts == 1
    assert len(twilio_stub.lists) == 1
    time.sleep(1.0)
    assert len(twilio_stub.sends_for("+8613900000033")) == 1
    sweep_queued_sms()
    assert len(enqueued) == 1  # settled: nothing more to reconcile
