"""Caches pointed at a port where nothing listens, shaped as config.settings shapes them with
REDIS_URL set: "default" strict, "pages" reading an outage as a miss."""

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
