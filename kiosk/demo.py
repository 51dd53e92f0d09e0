"""Demo data: one kiosk at the demo applicant's station, set up with a known token, so that
``make run`` shows the kiosk at once (open /kiosk/setup/ and enter the token printed)."""

from core.demo import register

DEMO_KIOSK_TOKEN = "demo-kiosk-token-2026"  # noqa: S105 - demo data only; seed_demo refuses in production


@register(order=60)
def seed_demo_kiosk() -> list[tuple[str, str]]:
    from applicants.models import User
    from permits.constants import StaffGroup
    from permits.models import ResidencePermit

    from .models import KioskDevice
    from .services.devices import token_hash

    permit = (
        ResidencePermit.objects.filter(holder__account__is_staff=False)
        .select_related("station")
        .order_by("pk")
        .first()
    )
    supervisor = User.objects.filter(is_staff=True, groups__name=StaffGroup.SUPERVISOR).first()
    if permit is None or supervisor is None:
        return []
    KioskDevice.objects.update_or_create(
        token_hash=token_hash(DEMO_KIOSK_TOKEN),
        defaults={
            "name": "演示终端",
            "station": permit.station,
            "enabled_by": supervisor,
            "revoked_at": None,
            "revoked_by": None,
        },
    )
    return [("kiosk token (/kiosk/setup/)", DEMO_KIOSK_TOKEN)]
