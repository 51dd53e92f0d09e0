"""Issue 14.4: registered and unknown numbers take the same path on sign-up, password reset and
phone-code requests (web and API): the request does the same queries and enqueues one task on
the SMS queue in both cases; the task alone looks at accounts. Checked by the work done, not by
wall time."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from applicants import tasks
from applicants.models import PhoneCode
from config.celery import SMS_QUEUE, TASK_QUEUES
from notifications.models import SmsMessage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

REGISTERED = "+8613711110001"
UNKNOWN = "+8613711110002"


@pytest.fixture
def enqueued(monkeypatch):
    calls = []
    monkeypatch.setattr(tasks.deliver_phone_code_task, "delay", lambda **kw: calls.append(kw))
    return calls


def _web(url_name, phone):
    def ask(client):
        return client.post(reverse(url_name), {"phone": phone})

    return ask


def _api(purpose, phone):
    def ask(client):
        return APIClient().post(
            "/api/v1/auth/phone-code/", {"phone": phone, "purpose": purpose}, format="json"
        )

    return ask


@pytest.mark.parametrize(
    ("door", "purpose"),
    [
        ("applicants:signup", "sign_up"),
        ("applicants:password_reset", "reset_password"),
        ("api", "sign_up"),
        ("api", "reset_password"),
    ],
)
def test_registered_and_unknown_numbers_do_the_same_work(client, enqueued, door, purpose):
    UserFactory(phone=REGISTERED)
    seen = {}
    for phone in (REGISTERED, UNKNOWN):
        ask = _api(purpose, phone) if door == "api" else _web(door, phone)
        # each number from a browser of its own: both requests start a session (one browser
        # would create it on the first and update it on the second)
        with CaptureQueriesContext(connection) as queries:
            response = ask(Client())
        seen[phone] = (response.status_code, len(queries), [q["sql"] for q in queries])
    assert seen[REGISTERED][0] == seen[UNKNOWN][0] and seen[REGISTERED][0] in (202, 302)
    assert seen[REGISTERED][1] == seen[UNKNOWN][1], seen
    # No query of the request looks at accounts or codes: only the task does.
    for _status, _count, sqls in seen.values():
        assert not any("applicants_user" in sql or "applicants_phonecode" in sql for sql in sqls)
    assert [call["phone"] for call in enqueued] == [REGISTERED, UNKNOWN]
    assert {call["purpose"] for call in enqueued} == {purpose}
    assert not SmsMessage.objects.exists() and not PhoneCode.objects.exists()


def test_the_task_runs_on_the_sms_queue():
    assert TASK_QUEUES["applicants.deliver_phone_code"] == SMS_QUEUE


def test_the_task_does_what_each_number_needs_once(client):
    """With the task run (in-process here): a code for a new number, an 'already registered'
    SMS for a registered one, nothing for a reset of an unknown one; a redelivered task does
    nothing more."""
    UserFactory(phone=REGISTERED)
    client.post(reverse("applicants:signup"), {"phone": UNKNOWN})
    assert PhoneCode.objects.filter(phone=UNKNOWN).count() == 1
    client.post(reverse("applicants:signup"), {"phone": REGISTERED})
    assert "already has an account" in SmsMessage.objects.get(recipient_phone=REGISTERED).body
    client.post(reverse("applicants:password_reset"), {"phone": "+8613711110003"})
    assert not SmsMessage.objects.filter(recipient_phone="+8613711110003").exists()

    arguments = {"phone": UNKNOWN, "purpose": "sign_up", "language": "en", "request_id": "r1"}
    tasks.deliver_phone_code_task(**arguments)
    tasks.deliver_phone_code_task(**arguments)  # redelivered
    assert PhoneCode.objects.filter(phone=UNKNOWN).count() == 2
    assert SmsMessage.objects.filter(recipient_phone=UNKNOWN).count() == 2
