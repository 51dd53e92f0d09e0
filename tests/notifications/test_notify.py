import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from notifications.constants import NotificationKind, SmsStatus
from notifications.models import Notification, SmsMessage
from notifications.services import notify, send_direct_sms
from notifications.tasks import send_sms, sweep_queued_sms
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_notify_creates_inbox_entry_and_sms_and_sends_once(
    sms_backend, django_capture_on_commit_callbacks
):
    user = UserFactory(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(
            user, NotificationKind.APPLICATION_APPROVED, {"reference": "HK-1"}, link="/x/1/"
        )
    assert notification.title == "Application approved"
    assert "HK-1" in notification.body
    message = notification.sms
    assert message.idempotency_key == f"notification:{notification.pk}"
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert message.attempts == 1
    assert sms_backend.sent == [(user.phone, message.body)]


def test_calling_notify_twice_for_one_event_creates_and_sends_nothing_new(
    sms_backend, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = notify(user, "identity_verified", {}, event_key="identity:1:verified")
        second = notify(user, "identity_verified", {}, event_key="identity:1:verified")
    assert first.pk == second.pk
    assert Notification.objects.count() == 1
    assert SmsMessage.objects.count() == 1
    assert len(sms_backend.sent) == 1


def test_default_event_key_uses_the_related_object(sms_backend):
    user = UserFactory()
    other = UserFactory()
    notify(user, "certificate_produced", {}, related=other)
    notify(user, "certificate_produced", {}, related=other)
    notify(user, "certificate_produced", {}, related=user)
    assert Notification.objects.count() == 2
    assert Notification.objects.filter(related_id=other.pk).get().related == other


def test_idempotency_key_is_unique_in_the_database():
    from django.db import IntegrityError

    SmsMessage.objects.create(recipient_phone="+8613900000001", body="a", idempotency_key="k")
    with pytest.raises(IntegrityError), transaction.atomic():
        SmsMessage.objects.create(recipient_phone="+8613900000001", body="b", idempotency_key="k")


def test_send_direct_sms_twice_with_one_key_sends_once(
    sms_backend, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_direct_sms(phone="+8613900000002", text="code 123456", idempotency_key="code:1")
        send_direct_sms(phone="+8613900000002", text="code 123456", idempotency_key="code:1")
    assert len(sms_backend.sent) == 1


def test_sms_is_enqueued_only_when_the_transaction_commits(
    sms_backend, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(user, "application_accepted", {})
        assert sms_backend.calls == 0
    # the SMS's publication (another callback forgets the cached unread count)
    assert [c.__qualname__ for c in callbacks if "enqueue_sms" in c.__qualname__] == [
        "enqueue_sms.<locals>._publish"
    ]
    assert sms_backend.calls == 0
    for callback in callbacks:
        callback()
    assert sms_backend.calls == 1


def test_rolled_back_caller_leaves_no_notification_and_sends_nothing(
    sms_backend, django_capture_on_commit_callbacks
):
    user = UserFactory()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        notify(user, "application_accepted", {})
        raise RuntimeError("the caller failed")
    assert Notification.objects.count() == 0
    assert sms_backend.calls == 0


def test_notification_is_rendered_in_the_recipients_language(sms_backend):
    en_user = UserFactory(language="en")
    zh_user = UserFactory(language="zh-hans")
    context = {"reference": "HK-77", "station": "Xiuying"}
    en = notify(en_user, "certificate_produced", context)
    zh = notify(zh_user, "certificate_produced", context)
    assert en.title == "Certificate produced"
    assert "HK-77" in en.body and "HK-77" in zh.body
    assert "window pickup" in en.sms.body


def test_link_must_stay_inside_the_portal():
    user = UserFactory()
    for bad in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        with pytest.raises(ValueError):
            notify(user, "identity_verified", {}, link=bad)


def test_broker_down_at_commit_keeps_rows_and_the_sweep_sends_later(
    sms_backend, monkeypatch, django_capture_on_commit_callbacks
):
    user = UserFactory()

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError("redis is down")

    with monkeypatch.context() as patch:
        patch.setattr(send_sms, "delay", broker_down)
        with django_capture_on_commit_callbacks(execute=True):
            notification = notify(user, "application_rejected", {"reason": "x"})  # no raise
    message = SmsMessage.objects.get(notification=notification)
    assert message.status == SmsStatus.QUEUED
    assert sms_backend.calls == 0

    assert sweep_queued_sms() == 0  # too recent: the original task may still be on its way
    SmsMessage.objects.filter(pk=message.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=2)
    )
    assert sweep_queued_sms() == 1
    message.refresh_from_db()
    assert message.status == SmsStatus.SENT
    assert len(sms_backend.sent) == 1
    assert sweep_queued_sms() == 0  # nothing left, nothing sent twice
    assert len(sms_backend.sent) == 1


def test_sweep_with_broker_still_down_does_not_raise(monkeypatch):
    message = SmsMessage.objects.create(
        recipient_phone="+8613900000003", body="x", idempotency_key="down"
    )
    SmsMessage.objects.filter(pk=message.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=5)
    )

    def broker_down(*args, **kwargs):
        raise ConnectionRefusedError

    monkeypatch.setattr(send_sms, "delay", broker_down)
    assert sweep_queued_sms() == 0
    message.refresh_from_db()
    assert message.status == SmsStatus.QUEUED


def test_sweep_waits_for_a_scheduled_retry():
    old = timezone.now() - datetime.timedelta(minutes=5)
    waiting = SmsMessage.objects.create(
        recipient_phone="+8613900000004", body="x", idempotency_key="w1"
    )
    SmsMessage.objects.filter(pk=waiting.pk).update(
        updated_at=old, next_attempt_at=timezone.now() + datetime.timedelta(minutes=5)
    )
    from notifications.sms import stale_queued

    assert stale_queued() == []
    SmsMessage.objects.filter(pk=waiting.pk).update(next_attempt_at=old)
    assert stale_queued() == [waiting.pk]
