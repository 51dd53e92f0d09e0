"""Caches pointed at a port where nothing listens, shaped as config.settings shapes them with
REDIS_URL set: "default" strict, "pages" reading an outage as a miss. And a page as the page
cache's tests compare it (``normal_page``)."""

import re

CLOSED = "redis://127.0.0.1:1/0"  # nothing listens there


def unreachable_caches(timeout: float = 1) -> dict:
    options = {"SOCKET_CONNECT_TIMEOUT": timeout, "SOCKET_TIMEOUT": timeout}
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CLOSED,
            "OPTIONS": options,
        },
        "pages": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": CLOSED,
            "OPTIONS": {**options, "IGNORE_EXCEPTIONS": True},
        },
    }


_CSRF_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"')


def normal_page(response) -> str:
    """A page's HTML with the one part drawn differently each time, the masked CSRF token,
    blanked: a kept page and the same page drawn without the cache compare equal."""
    return _CSRF_TOKEN.sub(r'\1-"', response.content.decode())
