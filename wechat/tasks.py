"""Thin Celery tasks: they take ids and call wechat.services."""

import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(bind=True, name="wechat.send_notice", max_retries=None, ignore_result=True)
def send_notice(self, notice_id: int) -> str:
    """Send one WechatNotice at most once; transient failures come back after a backoff
    (bounded by WECHAT_MAX_ATTEMPTS on the row, then the SMS goes instead)."""
    from .services import deliver

    outcome = deliver(notice_id)
    while outcome.status == "retry":
        if not self.request.is_eager:
            raise self.retry(countdown=outcome.retry_in)
        outcome = deliver(notice_id)  # in-process (no broker): at once, still bounded
    return outcome.status


@shared_task(name="wechat.sweep_queued_notices", ignore_result=True)
def sweep_queued_notices() -> int:
    """Re-enqueue notices stuck in ``queued`` (the broker was down at commit, a lost retry);
    send the SMS instead of those left ``sending`` (a worker killed mid-call, a fallback rolled
    back: ``settle_stale_sending``). Returns the number re-enqueued."""
    from django.utils import timezone

    from .constants import NoticeStatus
    from .models import WechatNotice
    from .services.notices import settle_stale_sending, stale_queued, stale_sending

    for notice_id in stale_sending():
        try:
            settle_stale_sending(notice_id)
        except Exception:  # the next sweep tries again (still sending)
            logger.exception("Sweep could not settle WeChat notice %s; will try again", notice_id)
    enqueued = []
    for notice_id in stale_queued():
        try:
            send_notice.delay(notice_id)
        except Exception:
            logger.warning("Sweep could not enqueue WeChat notice %s; will try again", notice_id)
            break
        enqueued.append(notice_id)
    WechatNotice.objects.filter(pk__in=enqueued, status=NoticeStatus.QUEUED).update(
        updated_at=timezone.now()
    )
    return len(enqueued)
