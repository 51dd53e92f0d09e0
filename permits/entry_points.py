"""The services, as ways into the portal for a channel's menu (``core.entry_points``): each opens
its start page; its name is the service's own ``menu_label``."""

from functools import partial
from urllib.parse import urlencode

from django.urls import reverse

from core.entry_points import SERVICES, EntryPoint, register

from . import service_types


def _start_page(code: str) -> str:
    return f"{reverse('permits:application_start')}?{urlencode({'service': code})}"


@register
def services() -> list[EntryPoint]:
    return [
        EntryPoint(
            key=service.code,
            label=partial(str, service.menu_label or service.label),
            path=partial(_start_page, service.code),
            group=SERVICES,
            order=service.order,
        )
        for service in service_types.all_services()
    ]
