"""Sections of the personal center (个人中心) contributed by the permits app.

Imported automatically by ``core.personal_center.sections_for``. Residence registrations
use order 30; permits 40 and applications 50 (issue 6: the permit and the applications, each
with its next step).

The account's permits are read once per request and shared by the sections that show them
(held, cancelled, those a residence certificate can be asked for, whether a registered person
holds one): issue 18, one query where there were four.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from core import clock
from core.personal_center import Section, register
from permits.verification import verification_qr_svg, verification_url

from . import rules
from .constants import (
    FINAL_APPLICATION_STATES,
    HELD_PERMIT_STATUSES,
    CardSerialStatus,
    DocumentKind,
    PermitStatus,
)
from .models import CardSerial, Document, ResidencePermit
from .selectors.applications import application_rows, applications_of, displayed_rows
from .selectors.permits import permit_in_use
from .selectors.registrations import registrations_of, residence_facts_of

CENTER_APPLICATIONS = 5
CENTER_CANCELLED_PERMITS = 5
CENTER_REGISTRATIONS = 10


class _AccountPermits:
    """The account's held and cancelled permits (every person it acts for), read once."""

    def __init__(self, user):
        permits = list(
            ResidencePermit.objects.filter(
                holder__account=user, status__in=[*HELD_PERMIT_STATUSES, PermitStatus.CANCELLED]
            )
            .annotate(
                # a card reported lost stays invalid after a withdrawn or refused replacement
                card_invalid=Exists(
                    CardSerial.objects.filter(
                        serial=OuterRef("card_serial"), status=CardSerialStatus.INVALIDATED
                    )
                )
            )
            .select_related("holder")
            .order_by("holder__created_at", "-issued_on", "pk")
        )
        # held: by person, newest first; cancelled: last cancelled first (no date first, as
        # PostgreSQL sorts NULL in a descending order)
        self.held = [p for p in permits if p.status in HELD_PERMIT_STATUSES]
        self.cancelled = sorted(
            (p for p in permits if p.status == PermitStatus.CANCELLED),
            key=lambda p: (p.cancelled_on is None, p.cancelled_on or date.min, p.pk),
            reverse=True,
        )
        self.holder_ids = {p.holder_id for p in self.held}


def _account_permits(request) -> _AccountPermits:
    cached = getattr(request, "_center_permits", None)
    if cached is None or cached[0] != request.user.pk:
        cached = (request.user.pk, _AccountPermits(request.user))
        request._center_permits = cached
    return cached[1]


@register(order=30)
def registrations_section(request):
    """Each registration with its next step: since when the person has lived in the city, or
    that they already hold a permit."""
    registrations = list(registrations_of(request.user)[:CENTER_REGISTRATIONS])
    holders = _account_permits(request).holder_ids
    for registration in registrations:
        registration.holds_permit = registration.person_id in holders
        registration.facts = None
    # The next step of a permit holder needs no residence facts: only the others' are read, in
    # one query for all (issue 18).
    residence_facts_of([r for r in registrations if not r.holds_permit])
    return Section(
        title=_("Residence registrations (居住登记)"),
        template="permits/registrations/personal_center.html",
        context={"registrations": registrations},
        key="registrations",
    )


@register(order=40)
def permits_section(request):
    today = clock.today()
    account_permits = _account_permits(request)
    permits = account_permits.held
    for permit in permits:
        permit.residence_years, permit.residence_months = rules.years_and_months(
            permit.continuous_since, today
        )
        permit.renewal_opens_on = rules.renewal_opens_on(permit.valid_until)
        permit.renewal_window = str(rules.renewal_window(permit.valid_until, today))
        # a card reported lost no longer verifies
        if permit.status != PermitStatus.LOST and not permit.card_invalid:
            permit.verification_qr = verification_qr_svg(permit)
            permit.verification_url = verification_url(permit)
    # Cancelled on moving away (注销): shown with the date, never with a check code.
    cancelled = account_permits.cancelled[:CENTER_CANCELLED_PERMITS]
    return Section(
        title=_("Residence permits (居住证)"),
        template="permits/includes/personal_center_permits.html",
        context={"permits": permits, "cancelled_permits": cancelled, "today": today},
        key="permits",
    )


@register(order=50)
def applications_section(request):
    open_applications = applications_of(request.user).exclude(state__in=FINAL_APPLICATION_STATES)
    applications = displayed_rows(application_rows(open_applications)[:CENTER_APPLICATIONS])
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
    user = request.user
    today = clock.today()
    usable = [
        permit
        for permit in _account_permits(request).held
        if permit.status == PermitStatus.ACTIVE and permit_in_use(permit, today=today)
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
