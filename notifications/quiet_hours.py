"""Quiet hours (issue 30): no reminder SMS leaves between 21:00 and 08:00 local time
(``SMS_QUIET_HOURS``), whatever runs: a daily job at night, a beat failover, a retry, the sweep.
A reminder (``SmsMessage.quiet_hours``; the kinds outside ``SENT_AT_ANY_HOUR``) made or due
during them waits, queued, until they end (``next_attempt_at``), and the sweep sends it then.
The claim that starts every send (``notifications.sms._claim``) refuses such a row while the
hours last, so nothing sends one at night by another path."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import timezone

from core import clock


def _hours() -> tuple[int, int] | None:
    spec = (getattr(settings, "SMS_QUIET_HOURS", "") or "").strip()
    if not spec:
        return None
    start, end = (int(part) for part in spec.split("-", 1))
    return start % 24, end % 24


def quiet_until(now: datetime.datetime | None = None) -> datetime.datetime | None:
    """The end of the quiet hours when ``now`` (default: the clock) falls inside them, else
    None. Local time of TIME_ZONE."""
    hours = _hours()
    if hours is None:
        return None
    start, end = hours
    local = timezone.localtime(now or clock.now())
    hour = local.hour
    inside = (start <= hour or hour < end) if start > end else (start <= hour < end)
    if not inside:
        return None
    ends = local.replace(hour=end, minute=0, second=0, microsecond=0)
    if ends <= local:
        ends += datetime.timedelta(days=1)
    return ends
