"""Demo data of the permits app (``manage.py seed_demo``): every station's pickup windows for
window appointments, weekdays 9:00-12:00 and 14:30-17:00, four bookings per 30-minute slot."""

import datetime

from core.demo import register
from permits.models import PickupWindow, Station

DEMO_WINDOWS = ((datetime.time(9), datetime.time(12)), (datetime.time(14, 30), datetime.time(17)))


@register(order=50)
def seed_pickup_windows() -> list[tuple[str, str]]:
    for station in Station.objects.all():
        for weekday in range(5):
            for starts_at, ends_at in DEMO_WINDOWS:
                PickupWindow.objects.get_or_create(
                    station=station,
                    weekday=weekday,
                    starts_at=starts_at,
                    defaults={"ends_at": ends_at, "capacity": 4},
                )
    return []
