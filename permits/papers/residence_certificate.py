"""The residence certificate (居住证明): on demand, for a holder with a usable permit (active
and endorsed); name, masked ID number, address, permit number, continuous residence since
``continuous_since`` and the years and months that makes on the day; valid for 30 days."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import NotAllowed, NotEligible
from permits import rules
from permits.constants import DocumentKind, PermitStatus

from .base import OnDemandPaper
from .registry import register


@register
class ResidenceCertificate(OnDemandPaper):
    code = DocumentKind.RESIDENCE_CERTIFICATE
    order = 50
    label = _("Residence certificate (居住证明)")
    title = _("Residence certificate")
    template_name = "permits/documents/residence_certificate.html"

    def check(self, *, user, permit, today) -> None:
        """Only the account that holds the permit (or files for its holder) may ask, and only on
        a permit in use."""
        if not (user and user.is_authenticated and permit.holder.account_id == user.pk):
            raise NotAllowed()
        if permit.status != PermitStatus.ACTIVE or rules.is_endorsement_overdue(
            permit.valid_until, today
        ):
            raise NotEligible(
                _(
                    "A residence certificate is issued only on a permit in use "
                    "(active and endorsed)."
                ),
                code="permit_not_usable",
            )

    def facts(self, permit, *, today) -> dict:
        years, months = rules.years_and_months(permit.continuous_since, today)
        holder = permit.holder
        return {
            "name": holder.full_name,
            "id_number_masked": holder.masked_id_number,
            "address": permit.house.address,
            "permit_number": permit.number,
            "permit_valid_until": permit.valid_until.isoformat(),
            "continuous_since": permit.continuous_since.isoformat(),
            "years": years,
            "months": months,
            "issued_on": today.isoformat(),
        }

    def valid_until(self, today):
        return rules.residence_certificate_valid_until(today)
