"""Sections of the personal center (个人中心) contributed by the permits app.

Imported automatically by ``core.personal_center.sections_for``. Residence registrations
use order 30; permits 40 and applications 50 (issue 6: the permit and the applications, each
with its next step).
"""

from __future__ import annotations

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.personal_center import Section, register
from permits.verification import verification_qr_svg, verification_url

from . import rules
from .constants import FINAL_APPLICATION_STATES, HELD_PERMIT_STATUSES
from .models import ResidencePermit
from .selectors.applications import applications_of

CENTER_APPLICATIONS = 5


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
        .select_related("holder", "station")
        .order_by("holder__created_at", "-issued_on")
    )
    for permit in permits:
        permit.residence_years, permit.residence_months = years_of_residence(
            permit.continuous_since, today
        )
        permit.renewal_opens_on = rules.renewal_opens_on(permit.valid_until)
        permit.renewal_window = str(rules.renewal_window(permit.valid_until, today))
        permit.verification_qr = verification_qr_svg(permit)
        permit.verification_url = verification_url(permit)
    return Section(
        title=_("Residence permits (居住证)"),
        template="permits/includes/personal_center_permits.html",
        context={"permits": permits, "today": today},
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
