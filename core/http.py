"""Request helpers every app shares."""

from __future__ import annotations

from django.conf import settings
from ipware import get_client_ip


def proxy_count() -> int:
    return max(0, int(getattr(settings, "PROXY_COUNT", 0) or 0))


def client_ip(request) -> str:
    """The client's address (django-ipware); empty when unknown. The one helper for views,
    throttles, login lockout (django-axes) and audit lines.

    With ``PROXY_COUNT`` = 0 it is REMOTE_ADDR and any X-Forwarded-For is ignored (a client can
    send one). With N proxies in front, each appends the address it saw to X-Forwarded-For, so
    the client is the N-th entry from the right; entries further left were written by the client
    and are never trusted. A request with a shorter header (one that skipped the proxies) falls
    back to REMOTE_ADDR.
    """
    meta = getattr(request, "META", None)
    if meta is None:
        return ""
    remote = meta.get("REMOTE_ADDR", "") or ""
    count = proxy_count()
    if count == 0:
        address, _routable = get_client_ip(request, request_header_order=["REMOTE_ADDR"])
        return address or remote
    # ipware counts the proxies listed inside the header (the last one is REMOTE_ADDR), and
    # non-strict takes the entry that many places in from the right.
    address, _routable = get_client_ip(
        request,
        proxy_count=count - 1,
        request_header_order=["HTTP_X_FORWARDED_FOR"],
        strict=False,
    )
    return address or remote
