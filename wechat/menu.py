"""The official account's menu: 办事大厅 (the services) and 我的 (My Affairs, the personal
center), read from what the apps declare (``core.entry_points``), so a service registered later
appears without a line here. Each entry opens the portal through the WeChat sign-in, so one tap
signs the person in and lands on the page.

WeChat's limits (its menu/create API, 自定义菜单): at most 3 buttons, each with at most 5
sub-buttons; a button's name at most 16 bytes, a sub-button's at most 60; a URL at most 1024
bytes. A group with more than 5 entries takes a second button (更多服务); a menu that would
still break a limit is refused here, before WeChat is asked, with what is too long or too many.
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import pgettext

from core.entry_points import MINE, SERVICES, entry_points

from .links import sign_in_url

MAX_BUTTONS = 3
MAX_SUB_BUTTONS = 5
MAX_BUTTON_NAME_BYTES = 16
MAX_SUB_BUTTON_NAME_BYTES = 60
MAX_URL_BYTES = 1024


class MenuTooLarge(ValueError):
    """The entries do not fit in WeChat's menu."""


def _groups():
    """(button titles, group) in the menu's order: the first title, then the continuation's."""
    return (
        (
            (pgettext("wechat menu", "Service hall"), pgettext("wechat menu", "More services")),
            SERVICES,
        ),
        ((pgettext("wechat menu", "Mine"), pgettext("wechat menu", "More")), MINE),
    )


def _entry(name: str, path: str) -> dict:
    return {"type": "view", "name": name, "url": sign_in_url(path)}


def _check(buttons: list[dict]) -> None:
    def fits(what: str, text: str, limit: int) -> None:
        if len(text.encode()) > limit:
            raise MenuTooLarge(f"{what} is over {limit} bytes")

    if len(buttons) > MAX_BUTTONS:
        raise MenuTooLarge(f"{len(buttons)} buttons: WeChat takes at most {MAX_BUTTONS}")
    for button in buttons:
        fits(f"button name {button['name']!r}", button["name"], MAX_BUTTON_NAME_BYTES)
        for sub in button["sub_button"]:
            fits(f"menu entry name {sub['name']!r}", sub["name"], MAX_SUB_BUTTON_NAME_BYTES)
            fits(f"menu entry {sub['name']!r}: its URL", sub["url"], MAX_URL_BYTES)


def menu_data(language: str | None = None) -> dict:
    """The menu for WeChat's menu/create call, in ``language`` (default: LANGUAGE_CODE)."""
    with translation.override(language or settings.LANGUAGE_CODE):
        buttons = []
        for titles, group in _groups():
            entries = [_entry(str(entry.label()), entry.path()) for entry in entry_points(group)]
            for n, start in enumerate(range(0, len(entries), MAX_SUB_BUTTONS)):
                buttons.append(
                    {
                        "name": titles[min(n, 1)],
                        "sub_button": entries[start : start + MAX_SUB_BUTTONS],
                    }
                )
        _check(buttons)
        return {"button": buttons}
