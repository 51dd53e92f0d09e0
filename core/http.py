"""Request helpers every app shares."""

from __future__ import annotations


def client_ip(request) -> str:
    """The client's address, as the server saw it (REMOTE_ADDR); empty when unknown."""
    return request.META.get("REMOTE_ADDR", "") or ""
