"""The official account's menu (办事大厅): each entry opens the portal through the WeChat sign-in,
so one tap signs the person in and lands on the service."""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

# (label, the page it opens: a path, with ?service= for a service's start page)
SERVICES = (
    (lambda: pgettext("wechat menu", "Apply for a permit"), "new"),
    (lambda: pgettext("wechat menu", "Endorse"), "renewal"),
    (lambda: pgettext("wechat menu", "Change details"), "change"),
    (lambda: pgettext("wechat menu", "Replace a card"), "replacement"),
    (lambda: pgettext("wechat menu", "Cancel"), "cancellation"),
)


def _entry(name: str, path: str) -> dict:
    sign_in = reverse("wechat:sign_in")
    url = f"{settings.SITE_URL.rstrip('/')}{sign_in}?{urlencode({'next': path})}"
    return {"type": "view", "name": name, "url": url}


def menu_data(language: str | None = None) -> dict:
    """One top-level button, 办事大厅, with the five services and My affairs."""
    start = reverse("permits:application_start")
    with translation.override(language or settings.LANGUAGE_CODE):
        entries = [_entry(label(), f"{start}?service={code}") for label, code in SERVICES]
        entries.append(_entry(_("My Affairs"), reverse("notifications:inbox")))
        return {
            "button": [{"name": pgettext("wechat menu", "Service hall"), "sub_button": entries}]
        }
