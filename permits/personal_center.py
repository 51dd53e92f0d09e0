"""Sections of the personal center (个人中心) contributed by the permits app.

Imported automatically by ``core.personal_center.sections_for``. Residence registrations
use order 30; permits 40 and applications 50 (issue 6: the permit and the applications, each
with its next step).
"""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.personal_center import Section, register
from permits.verification import verification_qr_svg, verification_url

from . import rules
from .constants import (
    FINAL_APPLICATION_STATES,
    HELD_PERMIT_STATUSES,
    CardSerialStatus,
    PermitStatus,
)
from .models import CardSerial, ResidencePermit
from .selectors.applications import applications_of

CENTER_APPLICATIONS = 5
CENTER_CANCELLED_PERMITS = 5


def years_of_residence(continuous_since, today) -> tuple[int, int]:
    """Whole years and months of continuous residence counted from ``continuous_since``."""
    if continuous_since is None or today < continuous_since:
        return 0, 0
    delta = relativedelta(today, continuous_since)
    return delta.years, delta.months


@register(order=40)
def permits_section(request):
    user = request.user
    today = timezone.localdate()
    permits = list(
        ResidencePermit.objects.filter(holder__account=user, status__in=HELD_PERMIT_STATUSES)
        .annotate(
            # a card reported lost stays invalid after a withdrawn or refused replacement
            card_invalid=Exists(
                CardSerial.objects.filter(
                    serial=OuterRef("card_serial"), status=CardSerialStatus.INVALIDATED
                )
            )
        )
        .select_related("holder", "station")
        .order_by("holder__created_at", "-issued_on")
    )
    for permit in permits:
        permit.residence_years, permit.residence_months = years_of_residence(
            permit.continuous_since, today
        )
        permit.renewal_opens_on = rules.renewal_opens_on(permit.valid_until)
        permit.renewal_window = str(rules.renewal_window(permit.valid_until, today))
        # a card reported lost no longer verifies
        if permit.status != PermitStatus.LOST and not permit.card_invalid:
            permit.verification_qr = verification_qr_svg(permit)
            permit.verification_url = verification_url(permit)
    # Cancelled on moving away (注销): shown with the date, never with a check code.
    cancelled = list(
        ResidencePermit.objects.filter(holder__account=user, status=PermitStatus.CANCELLED)
        .select_related("holder")
        .order_by("-cancelled_on", "-pk")[:CENTER_CANCELLED_PERMITS]
    )
    return Section(
        title=_("Residence permits (居住证)"),
        template="permits/includes/personal_center_permits.html",
        context={"permits": permits, "cancelled_permits": cancelled, "today": today},
        key="permits",
    )


@register(order=50)
def applications_section(request):
    user = request.user
    applications = list(
        applications_of(user).exclude(state__in=FINAL_APPLICATION_STATES)[:CENTER_APPLICATIONS]
    )
    return Section(
        title=_("My applications"),
        template="permits/includes/personal_center_applications.html",
        context={"applications": applications},
        key="applications",
    )


@register(order=45)
def residence_certificates_section(request):
    """Issue 16: a residence certificate (居住证明) on demand for each permit in use, and the
    certificates asked for that are still valid (each with its PDF)."""
    from .constants import DocumentKind
    from .models import Document

    user = request.user
    today = timezone.localdate()
    usable = [
        permit
        for permit in ResidencePermit.objects.filter(
            holder__account=user, status=PermitStatus.ACTIVE, valid_until__gte=today
        )
        .select_related("holder")
        .order_by("holder__created_at", "-issued_on")
        if not rules.is_endorsement_overdue(permit.valid_until, today)
    ]
    certificates = list(
        Document.objects.filter(
            holder__account=user,
            kind=DocumentKind.RESIDENCE_CERTIFICATE,
            valid_until__gte=today,
        ).order_by("-issued_at", "-pk")[:CENTER_APPLICATIONS]
    )
    if not usable and not certificates:
        return None
    return Section(
        title=_("Residence certificate (居住证明)"),
        template="permits/includes/personal_center_certificates.html",
        context={"certificate_permits": usable, "certificates": certificates},
        key="certificates",
    )
