"""Admin registrations, one module per area: places (stations, houses, registrations) and
applications (catalogue, applications, permits)."""

from . import places  # noqa: F401
