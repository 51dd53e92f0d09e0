"""Where a case may be handed in (issue 31; Art. 9 of the Provisional Regulations, seed 004):
the station of the person's house, or a community service agency the station entrusted."""

from __future__ import annotations

from ..models import Agency


def agencies_for(station_id) -> list[Agency]:
    """The agencies of ``station_id`` that the station lets receive applications."""
    if station_id is None:
        return []
    return list(Agency.objects.filter(station_id=station_id, accepts_applications=True))
