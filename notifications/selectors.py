"""Reads of My Affairs (我的事务): the unread count used on every page, and the title of a notice
in the language of the page."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.template import Context
from django.utils import translation

from .models import Notification
from .texts import text_engine, tidy

# The unread count under the menu's "My Affairs" is drawn on every signed-in page. It is kept in
# the cache per account (issue 18: the COUNT and its queryset cost more than the rest of the
# page's frame) and forgotten on every write of a notification (notifications.signals, and
# mark_all_read's UPDATE), at once and again when the writing transaction commits, so a count
# read in between (before the commit) is not kept. UNREAD_TTL bounds anything missed, such as a
# notification written while Redis was unreachable: the "pages" cache then reads as a miss (the
# count comes from the database) and its writes are dropped (config.settings).
UNREAD_TTL = 300


def unread_key(user_id) -> str:
    return f"notifications:unread:{user_id}"


def unread_count(user) -> int:
    cache = caches["pages"]
    key = unread_key(user.pk)
    count = cache.get(key)
    if count is None:
        count = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
        cache.set(key, count, UNREAD_TTL)
    return count


def forget_unread_count(user_id) -> None:
    cache = caches["pages"]
    key = unread_key(user_id)
    cache.delete(key)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: cache.delete(key))


# --- titles in the page's language ----------------------------------------------------------

_titles: dict[tuple[str, str], str] = {}


def kind_title(kind: str, language: str | None = None) -> str:
    """The title of a notification kind in ``language`` (default: the active one); titles use
    no context (see the kinds' title.txt). Empty for a kind without a template."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    key = (kind, language)
    if key not in _titles:
        try:
            template = text_engine().get_template(f"notifications/kinds/{kind}/title.txt")
        except Exception:  # noqa: BLE001 - a kind without a template keeps its stored title
            return ""
        with translation.override(language):
            text = template.render(Context({}, autoescape=False))
        _titles[key] = tidy(text, single_line=True)
    return _titles[key]


def display_title(notification) -> str:
    """The title in the language of the page: "My Affairs" in English shows the English title
    of a notification written in Chinese (a title of its own is shown as written)."""
    standard = {kind_title(notification.kind, code) for code, _name in settings.LANGUAGES}
    if notification.title in standard:
        return kind_title(notification.kind) or notification.title
    return notification.title
