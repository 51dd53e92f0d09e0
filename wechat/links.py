"""The one link into the portal from WeChat (a menu entry, a notice): the portal's WeChat
sign-in, then ``next``."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse


def sign_in_url(next_path: str) -> str:
    """The absolute URL of the WeChat sign-in (``SITE_URL``), going on to ``next_path``."""
    sign_in = reverse("wechat:sign_in")
    return f"{settings.SITE_URL.rstrip('/')}{sign_in}?{urlencode({'next': next_path})}"
