"""The personal center, as a way into the portal for a channel's menu (``core.entry_points``)."""

from django.utils.translation import gettext_lazy as _

from core.entry_points import MINE, register_page

register_page(
    key="personal_center",
    label=_("Personal center"),
    url_name="applicants:me",
    group=MINE,
    order=20,
)
