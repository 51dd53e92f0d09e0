"""My Affairs, as a way into the portal for a channel's menu (``core.entry_points``)."""

from django.utils.translation import gettext_lazy as _

from core.entry_points import MINE, register_page

register_page(
    key="my_affairs", label=_("My Affairs"), url_name="notifications:inbox", group=MINE, order=10
)
