"""WeChat as a channel of ``notifications.notify()`` (registered in apps.ready)."""

from __future__ import annotations

import logging

from notifications.services import send_notification_sms

from . import client
from .constants import NotifyBy
from .models import WechatBinding, WechatNotice

logger = logging.getLogger(__name__)


class WechatChannel:
    code = "wechat"

    def route(self, user) -> tuple[bool, bool]:
        """(by WeChat, SMS too): WeChat when the account is bound (and not known to have
        unfollowed) and the person chose WeChat or both; the SMS unless they chose WeChat only."""
        if not client.enabled() or user.is_staff:
            return (False, True)
        binding = WechatBinding.objects.filter(user=user).only("notify_by", "subscribed").first()
        if binding is None or binding.subscribed is False:
            return (False, True)
        return (binding.notify_by != NotifyBy.SMS, binding.notify_by != NotifyBy.WECHAT)

    def create(self, notification, *, sms_text: str, at_any_hour: bool | None = None) -> int | None:
        binding = WechatBinding.objects.filter(user_id=notification.recipient_id).first()
        if binding is None:  # unbound since route(): the SMS carries it, never nothing
            send_notification_sms(notification, text=sms_text, at_any_hour=at_any_hour)
            return None
        notice = WechatNotice.objects.create(
            notification=notification,
            openid=binding.openid,
            sms_text=sms_text,
            sms_at_any_hour=at_any_hour,
        )
        return notice.pk

    def enqueue(self, pk: int) -> None:
        from .tasks import send_notice

        try:
            send_notice.delay(pk)
        except Exception:  # broker down: the row stays queued and the sweep sends it later
            logger.warning("WeChat notice %s not enqueued (broker unavailable)", pk)


WECHAT = WechatChannel()
