"""The personal center, as a way into the portal for a channel's menu (``core.entry_points``)."""

from functools import partial

from django.urls import reverse
from django.utils.translation import gettext

from core.entry_points import MINE, EntryPoint, register


@register
def personal_center() -> list[EntryPoint]:
    return [
        EntryPoint(
            key="personal_center",
            label=partial(gettext, "Personal center"),
            path=partial(reverse, "applicants:me"),
            group=MINE,
            order=20,
        )
    ]
