"""Reads of My Affairs (我的事务) used on every page."""

from __future__ import annotations

from django.core.cache import caches
from django.db import transaction

from .models import Notification

# The unread count under the menu's "My Affairs" is drawn on every signed-in page. It is kept in
# the cache per account (issue 18: the COUNT and its queryset cost more than the rest of the
# page's frame) and forgotten on every write of a notification (notifications.signals, and
# mark_all_read's UPDATE), at once and again when the writing transaction commits, so a count
# read in between (before the commit) is not kept. UNREAD_TTL bounds anything missed, such as a
# notification written while Redis was unreachable: the "pages" cache then reads as a miss (the
# count comes from the database) and its writes are dropped (config.settings).
UNREAD_TTL = 300


def _unread_key(user_id) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user) -> int:
    cache = caches["pages"]
    key = _unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_TTL)
    return count


def forget_unread_count(user_id) -> None:
    cache = caches["pages"]
    key = _unread_key(user_id)
    cache.delete(key)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: cache.delete(key))
