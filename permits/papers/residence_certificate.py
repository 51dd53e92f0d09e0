"""The residence certificate (居住证明): on demand, for a holder with a usable permit (active
and endorsed); name, ID number in full (see ``id_number_shown``), address, permit number,
continuous residence since ``continuous_since`` and the years and months that makes on the day;
valid for 30 days."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.errors import NotAllowed, NotEligible
from permits import rules
from permits.constants import DocumentKind, PermitStatus

from .base import FULL, OnDemandPaper
from .registry import register


@register
class ResidenceCertificate(OnDemandPaper):
    code = DocumentKind.RESIDENCE_CERTIFICATE
    order = 50
    label = _("Residence certificate (居住证明)")
    title = _("Residence certificate")
    template_name = "permits/documents/residence_certificate.html"
    # In full: the certificate is handed to a school, an employer or an office (school places,
    # social insurance), which checks the holder against the identity card by this number; a
    # masked number would not let it. The public verification still shows only the masked name.
    id_number_shown = FULL

    def check(self, *, user, permit, today) -> None:
        """Only the account that holds the permit (or files for its holder) may ask, and only on
        a permit in use."""
        if not (user and user.is_authenticated and permit.holder.account_id == user.pk):
            raise NotAllowed()
        from permits.selectors.permits import permit_in_use

        if permit.status != PermitStatus.ACTIVE or not permit_in_use(permit, today=today):
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
            "id_number": holder.id_number,
            "address": permit.house.address,
            "permit_number": permit.number,
            "permit_valid_until": permit.valid_until.isoformat(),
            "continuous_since": permit.continuous_since.isoformat(),
            "years": years,
            "months": months,
            "issued_on": today.isoformat(),
            "valid_days": rules.RESIDENCE_CERTIFICATE_VALID_DAYS,
        }

    def printed_facts(self, facts: dict, document) -> dict:
        # a certificate issued before the number was printed in full carries the masked one
        facts["id_number_printed"] = facts.get("id_number") or facts.get("id_number_masked", "")
        facts.setdefault("valid_days", rules.RESIDENCE_CERTIFICATE_VALID_DAYS)
        return facts

    def no_longer_holds(self, document, *, today) -> bool:
        """It attests residence under a permit: once the permit is cancelled (moved away) or its
        use suspended (rules.is_in_use), the certificate stops holding before its printed
        expiry. A card reported lost leaves the permit, and the certificate, standing."""
        from permits.selectors.permits import permit_in_use

        permit = document.permit
        if permit is None or permit.status == PermitStatus.LOST:
            return False
        return not permit_in_use(permit, today=today)

    def valid_until(self, today):
        return rules.residence_certificate_valid_until(today)
