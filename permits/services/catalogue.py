"""The materials catalogue filled from the services' declarations (``ServiceType.materials``).

After every ``migrate`` (and when a test registers a service) the rows a service declares are
created when missing, matched by service + basis + code; a row an administrator edited in the
admin is never overwritten, and a row taken out of use stays out of use."""

from __future__ import annotations

from permits import service_types
from permits.models import MaterialRequirement


def sync_materials_catalogue(*, services=None, using: str = "default") -> int:
    """Create the catalogue rows that the registered services (or ``services``) declare and the
    database lacks; returns how many were created."""
    created = 0
    for service in services or service_types.all_services():
        for spec in service.materials:
            _row, made = MaterialRequirement.objects.using(using).get_or_create(
                service=service.code,
                basis=spec.basis,
                code=spec.code,
                defaults={
                    "name_zh": spec.name_zh,
                    "name_en": spec.name_en,
                    "description_zh": spec.description_zh,
                    "description_en": spec.description_en,
                    "required": spec.required,
                    "order": spec.order,
                },
            )
            created += made
    return created
