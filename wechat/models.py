from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core import page_cache

from .constants import NoticeStatus, NotifyBy


@page_cache.watch
class WechatBinding(models.Model):
    """One WeChat user of the official account (its openid) and, when bound, the portal account
    it signs into. The server endpoint keeps ``subscribed`` from the follow/unfollow events;
    unbinding clears ``user`` (the follow state stays)."""

    openid = models.CharField(_("openid"), max_length=64, unique=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="wechat_binding",
    )
    bound_at = models.DateTimeField(_("bound at"), null=True, blank=True)
    # None: not known (signed in before any follow event reached the server)
    subscribed = models.BooleanField(_("follows the account"), null=True, blank=True)
    subscription_changed_at = models.DateTimeField(
        _("follow state changed at"), null=True, blank=True
    )
    notify_by = models.CharField(
        _("results by"), max_length=10, choices=NotifyBy.choices, default=NotifyBy.WECHAT
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("WeChat binding")
        verbose_name_plural = _("WeChat bindings")

    def __str__(self) -> str:
        return f"{self.openid[:6]}… → {self.user_id or '-'}"

    def page_accounts(self):
        return [self.user_id]


class WechatNotice(models.Model):
    """One result sent by WeChat: one row per event (the notification) on this channel."""

    notification = models.OneToOneField(
        "notifications.Notification",
        verbose_name=_("notification"),
        on_delete=models.CASCADE,
        related_name="wechat_notice",
    )
    openid = models.CharField(_("openid"), max_length=64)
    sms_text = models.TextField(_("SMS text if WeChat refuses"))
    # whether that SMS may leave in the quiet hours, as notify() was told (None: by its kind)
    sms_at_any_hour = models.BooleanField(_("SMS at any hour"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=NoticeStatus.choices, default=NoticeStatus.QUEUED
    )
    msgid = models.CharField(_("WeChat msgid"), max_length=32, blank=True)
    error_code = models.CharField(_("error code"), max_length=20, blank=True)
    error_message = models.TextField(_("error text"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)

    class Meta:
        verbose_name = _("WeChat notice")
        verbose_name_plural = _("WeChat notices")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["msgid"], name="wechat_notice_msgid", condition=~models.Q(msgid="")
            ),
            # the sweep's every minute (stale_queued, stale_sending): the few rows not yet
            # settled, never a scan of every notice ever sent
            models.Index(
                fields=["status", "updated_at"],
                name="wechat_notice_unsettled",
                condition=models.Q(status__in=("queued", "sending")),
            ),
        ]

    def __str__(self) -> str:
        return f"notification {self.notification_id} [{self.status}]"
