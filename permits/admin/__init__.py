"""Admin registrations, one module per area: places (stations, houses, registrations) and
applications (catalogue, applications, permits)."""

from . import (
    applications,  # noqa: F401
    photo_receipts,  # noqa: F401
    places,  # noqa: F401
)
