"""Sending one WechatNotice, at most once, like an SMS (notifications/sms.py).

1. claim the row: one UPDATE … WHERE status='queued' (a duplicate or redelivered task matches
   nothing, so no row is sent twice);
2. call WeChat (template message, or subscription notice with WECHAT_NOTICE_API=subscribe); an
   expired token is refreshed once, shared by every worker (``client``);
3. record the outcome, only over ``sending``:
   - sent: the msgid (WeChat's TEMPLATESENDJOBFINISH event later says delivered or refused);
   - refused for this person or template (unfollowed 43004, subscription refused 43101, template
     removed 40036/40037, quota 45009, any other error code): ``sms_instead``, and the event's
     SMS goes out once (``send_notification_sms``: the SMS's own idempotency key, so never two);
   - nothing reached WeChat (no connection, HTTP 5xx, busy -1, a token still refused after the
     refresh): back to ``queued`` with a backoff, at most WECHAT_MAX_ATTEMPTS, then SMS instead;
   - no answer (read timeout): ``unknown``, never resent (WeChat may have it).

A notice left ``sending`` (a worker killed mid-call, or its SMS instead rolled back) is taken by
the sweep after SMS_SENDING_TIMEOUT_SECONDS and its SMS sent instead (``settle_stale_sending``).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from wechatpy.exceptions import WeChatClientException

from core import page_cache
from notifications.services import send_notification_sms
from notifications.sms import retry_delay

from ..client import get_client
from ..constants import BUSY, TOKEN_ERRORS, UNFOLLOWED, NoticeStatus
from ..links import sign_in_url
from ..models import WechatBinding, WechatNotice

logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Outcome:
    status: str  # "sent", "retry", "unknown", "sms_instead" or "skipped"
    retry_in: float | None = None


SKIPPED = Outcome("skipped")


class _Transient(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def notice_url(notification) -> str:
    """The link in the notice: the portal's WeChat sign-in, then the case (or the inbox entry)."""
    return sign_in_url(notification.link or reverse("notifications:detail", args=[notification.pk]))


def _payload(notice: WechatNotice) -> tuple[str, dict]:
    notification = notice.notification
    kind = notification.kind
    ids = settings.WECHAT_TEMPLATE_IDS
    template_id = ids.get(kind) or ids.get("default") or ""
    when = date_format(timezone.localtime(notification.created_at), "Y-m-d H:i")
    if settings.WECHAT_NOTICE_API == "subscribe":
        data = {
            "thing1": {"value": notification.title[:20]},
            "time2": {"value": when},
            "thing3": {
                "value": notification.body.splitlines()[0][:20] if notification.body else ""
            },
        }
    else:
        data = {
            "first": {"value": notification.title},
            "keyword1": {"value": notification.get_kind_display()},
            "keyword2": {"value": when},
            "remark": {"value": notification.body[:200]},
        }
    return template_id, data


def _call(notice: WechatNotice) -> str:
    template_id, data = _payload(notice)
    if not template_id:  # no template for this kind: as if WeChat had removed it
        raise WeChatClientException(40037, "no template id configured")
    client = get_client()
    url = notice_url(notice.notification)
    if settings.WECHAT_NOTICE_API == "subscribe":
        answer = client.message.send_subscribe_message(notice.openid, template_id, data, page=url)
    else:
        answer = client.message.send_template(notice.openid, template_id, data, url=url)
    return str(answer.get("msgid", "") or "")


def _claim(notice_id: int) -> bool:
    return bool(
        WechatNotice.objects.filter(pk=notice_id, status=NoticeStatus.QUEUED).update(
            status=NoticeStatus.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=None,
            updated_at=timezone.now(),
        )
    )


def _record(notice: WechatNotice, **fields) -> bool:
    fields["updated_at"] = timezone.now()
    return bool(
        WechatNotice.objects.filter(pk=notice.pk, status=NoticeStatus.SENDING).update(**fields)
    )


def deliver(notice_id: int) -> Outcome:
    if not _claim(notice_id):
        return SKIPPED
    notice = WechatNotice.objects.select_related("notification__recipient").get(pk=notice_id)
    try:
        msgid = _call(notice)
    except requests.ReadTimeout as exc:
        _record(notice, status=NoticeStatus.UNKNOWN, error_code="timeout", error_message=repr(exc))
        logger.warning("WeChat notice %s: no answer; not resent", notice.pk)
        return Outcome("unknown")
    except requests.RequestException as exc:
        return _transient(notice, _Transient("network", repr(exc)[:300]))
    except WeChatClientException as exc:
        code = exc.errcode
        if code is None or code == BUSY or code in TOKEN_ERRORS:
            return _transient(notice, _Transient(str(code or "http"), str(exc.errmsg or "")))
        if code == UNFOLLOWED:
            with transaction.atomic():
                unfollowed = WechatBinding.objects.filter(openid=notice.openid)
                unfollowed.update(subscribed=False, subscription_changed_at=timezone.now())
                page_cache.bump([unfollowed.values("user_id")])  # the personal center shows it
        return _sms_instead(notice, str(code), str(exc.errmsg or ""))
    except Exception as exc:  # a bug or misconfiguration: keep it retryable, report it
        logger.exception("WeChat notice %s: unexpected error", notice.pk)
        return _transient(notice, _Transient("error", repr(exc)[:300]))
    _record(
        notice,
        status=NoticeStatus.SENT,
        msgid=msgid,
        sent_at=timezone.now(),
        error_code="",
        error_message="",
    )
    logger.info("WeChat notice %s sent (attempt %s)", notice.pk, notice.attempts)
    return Outcome("sent")


def _transient(notice: WechatNotice, exc: _Transient) -> Outcome:
    if notice.attempts >= settings.WECHAT_MAX_ATTEMPTS:
        return _sms_instead(notice, exc.code, exc.message)
    delay = retry_delay(notice.attempts)
    _record(
        notice,
        status=NoticeStatus.QUEUED,
        next_attempt_at=timezone.now() + timedelta(seconds=delay),
        error_code=exc.code[:20],
        error_message=exc.message[:1000],
    )
    logger.warning(
        "WeChat notice %s attempt %s failed (%s); retry in %.1fs",
        notice.pk,
        notice.attempts,
        exc.code,
        delay,
    )
    return Outcome("retry", retry_in=delay)


def _sms_instead(notice: WechatNotice, code: str, message: str) -> Outcome:
    with transaction.atomic():
        if not _record(
            notice,
            status=NoticeStatus.SMS_INSTEAD,
            error_code=code[:20],
            error_message=message[:1000],
        ):
            return SKIPPED
        send_notification_sms(
            notice.notification, text=notice.sms_text, at_any_hour=notice.sms_at_any_hour
        )
    logger.warning("WeChat notice %s refused (%s); the SMS goes instead", notice.pk, code)
    return Outcome("sms_instead")


def reconcile_job_finished(*, msgid: str, status: str) -> bool:
    """WeChat's late answer for a sent template message (TEMPLATESENDJOBFINISH): ``success``
    marks it delivered; a refusal (``failed:user block``, ``failed: system failed``) sends the
    SMS instead, once. Returns True when the row changed."""
    if not msgid:
        return False
    with transaction.atomic():
        notice = (
            WechatNotice.objects.select_for_update()
            .select_related("notification__recipient")
            .filter(msgid=msgid)
            .filter(Q(status=NoticeStatus.SENT) | Q(status=NoticeStatus.DELIVERED))
            .first()
        )
        if notice is None:
            return False
        if (status or "").strip().lower() == "success":
            if notice.status == NoticeStatus.DELIVERED:
                return False
            notice.status = NoticeStatus.DELIVERED
            notice.save(update_fields=["status", "updated_at"])
            return True
        notice.status = NoticeStatus.SMS_INSTEAD
        notice.error_code = "job_finished"
        notice.error_message = (status or "")[:1000]
        notice.save(update_fields=["status", "error_code", "error_message", "updated_at"])
        send_notification_sms(
            notice.notification, text=notice.sms_text, at_any_hour=notice.sms_at_any_hour
        )
    logger.warning("WeChat notice %s not delivered (%s); the SMS goes instead", notice.pk, status)
    return True


def left(status: str, cutoff):
    """Notices still ``status`` (queued or sending) and untouched since ``cutoff``: what the
    sweep looks for, on the partial index ``wechat_notice_unsettled``."""
    return WechatNotice.objects.filter(status=status, updated_at__lt=cutoff)


def stale_sending(*, limit: int = 500) -> list[int]:
    """Notices left ``sending`` longer than SMS_SENDING_TIMEOUT_SECONDS: the worker holding one
    was killed mid-call, or its SMS instead was rolled back with the row's record (a refused
    notice whose fallback SMS was never written). No live worker still holds them (the call
    times out after WECHAT_TIMEOUT_SECONDS)."""
    cutoff = timezone.now() - timedelta(seconds=settings.SMS_SENDING_TIMEOUT_SECONDS)
    return list(
        left(NoticeStatus.SENDING, cutoff).order_by("pk").values_list("pk", flat=True)[:limit]
    )


def settle_stale_sending(notice_id: int) -> Outcome:
    """A notice left ``sending`` (``stale_sending``): whether WeChat has it cannot be asked (no
    msgid came back), so the SMS goes instead, once (its own idempotency key), rather than
    nothing: the person may be told twice, on two channels, never not at all and never by two
    SMS. Only over ``sending`` (two sweeps never both act)."""
    notice = (
        WechatNotice.objects.select_related("notification__recipient")
        .filter(pk=notice_id, status=NoticeStatus.SENDING)
        .first()
    )
    if notice is None:
        return SKIPPED
    return _sms_instead(notice, "stale_sending", "left sending: its worker stopped mid-call")


def stale_queued(*, limit: int = 500) -> list[int]:
    """Notices left ``queued`` (never enqueued, or their task was lost) and due."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.SMS_SWEEP_AFTER_SECONDS)
    return list(
        left(NoticeStatus.QUEUED, cutoff)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lt=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
