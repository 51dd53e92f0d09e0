"""Is this error a backing service that cannot be reached (issue 30)? Read by the API's error
handler and by ``core.outages`` (the web's 503 page)."""

from __future__ import annotations

from django.db import InterfaceError, OperationalError


def database_unreachable(exc: BaseException | None) -> bool:
    """The database answered nothing (connection refused or lost, server shutting down)."""
    return isinstance(exc, OperationalError | InterfaceError)


def cache_unreachable(exc: BaseException | None) -> bool:
    """Redis (the cache through django-redis, or redis-py itself) cannot be reached."""
    try:
        from django_redis.exceptions import ConnectionInterrupted
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError
    except ImportError:  # pragma: no cover - redis and django-redis are dependencies
        return False
    if isinstance(exc, ConnectionInterrupted):  # django-redis wraps redis-py's error
        exc = exc.__cause__
    return isinstance(exc, RedisConnectionError | RedisTimeoutError)


def is_outage(exc: BaseException | None) -> bool:
    return database_unreachable(exc) or cache_unreachable(exc)
