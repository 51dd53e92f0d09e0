"""Sending one SmsMessage through the configured backend, at most once."""

import logging

from django.db import transaction
from django.utils import timezone

from .backends import get_backend
from .constants import SmsStatus
from .models import SmsMessage

logger = logging.getLogger(__name__)


def deliver(sms_id: int) -> None:
    with transaction.atomic():
        message = SmsMessage.objects.select_for_update().filter(pk=sms_id).first()
        if message is None or message.status != SmsStatus.QUEUED:
            return
        message.attempts += 1
        result = get_backend().send(to=message.recipient_phone, body=message.body)
        message.provider_id = result or ""
        message.status = SmsStatus.SENT
        message.sent_at = timezone.now()
        message.save()
