"""SMS records and My Affairs entries. Traits: an SMS per status (queued, delivered, failed)."""

import factory
from factory.django import DjangoModelFactory

from notifications.constants import NotificationKind, SmsStatus
from notifications.models import Notification, SmsMessage
from tests.factories import UserFactory


class NotificationFactory(DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    kind = NotificationKind.choices[0][0]
    event_key = factory.Sequence(lambda n: f"test-event-{n}")
    title = "您的申请有新的进展"
    body = "您的申请有新的进展。"


class SmsMessageFactory(DjangoModelFactory):
    class Meta:
        model = SmsMessage

    recipient_phone = "+8613900000001"
    body = "【市公安局】您的申请有新的进展。"
    idempotency_key = factory.Sequence(lambda n: f"test-sms-{n}")
    status = SmsStatus.QUEUED

    class Params:
        delivered = factory.Trait(status=SmsStatus.DELIVERED)
        failed = factory.Trait(status=SmsStatus.FAILED)
        sending = factory.Trait(status=SmsStatus.SENDING)
