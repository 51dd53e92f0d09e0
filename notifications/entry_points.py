"""My Affairs, as a way into the portal for a channel's menu (``core.entry_points``)."""

from functools import partial

from django.urls import reverse
from django.utils.translation import gettext

from core.entry_points import MINE, EntryPoint, register


@register
def my_affairs() -> list[EntryPoint]:
    return [
        EntryPoint(
            key="my_affairs",
            label=partial(gettext, "My Affairs"),
            path=partial(reverse, "notifications:inbox"),
            group=MINE,
            order=10,
        )
    ]
