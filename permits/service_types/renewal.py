"""续签/签注: the yearly endorsement (seed 002 一; Interim Regulations Art. 10): within the month
before the permit expires; a late one restores a suspended permit."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.fsm import run_transition
from permits import rules

from . import register
from .base import EligibilityFacts, ServiceType, permit_in_force
from .proofs import EMPLOYMENT_PROOF, ID_CARD, OLD_PERMIT, RESIDENCE_PROOF, STUDY_PROOF, material


@register
class Renewal(ServiceType):
    code = "renewal"
    label = _("Renewal (endorsement)")
    menu_label = pgettext_lazy("menu", "Endorse")
    conditions_basis = _(
        "Interim Regulations on Residence Permits, Art. 10 (the yearly endorsement, within the "
        "month before each year of residence is complete)"
    )
    summary = _(
        "once a year, from one month before the permit expires; a late one restores a suspended "
        "permit."
    )
    order = 20
    asks_basis = True
    rewrites_card = True
    keeps_permit_in_use_while_pending = True  # an on-time renewal being decided
    offered_at_kiosk = True
    reuses_condition_proofs = True
    lessor_confirms = ("residence_proof",)
    materials = (
        material("residence_permit", "居住证", "Residence permit", OLD_PERMIT, order=60),
        material("id_card", "居民身份证", "Resident ID card", ID_CARD, order=70),
        material(
            "residence_proof",
            "合法稳定住所证明",
            "Proof of stable residence",
            RESIDENCE_PROOF,
            order=80,
            basis="residence",
        ),
        material(
            "employment_proof",
            "合法稳定就业证明",
            "Proof of stable employment",
            EMPLOYMENT_PROOF,
            order=90,
            basis="employment",
        ),
        material(
            "study_proof",
            "连续就读证明",
            "Proof of continuous study",
            STUDY_PROOF,
            order=100,
            basis="study",
        ),
    )

    def permit_refusals(self, facts: EligibilityFacts) -> list:
        permit = facts.permit
        if not permit_in_force(permit):
            return [_("There is no active or suspended residence permit to endorse.")]
        try:
            rules.check_renewal_window(permit.valid_until, facts.today)
        except rules.RuleViolation as violation:
            return [str(violation)]
        return []

    def default_basis(self, *, person, permit, registration) -> str:
        return permit.basis if permit else ""

    def produce(self, application, *, user, today, serial: str) -> str:
        """On time: one more year; late: restored, one year from today, residence counted from
        the day the holder filed it."""
        permit = application.permit
        run_transition(
            permit,
            "endorse",
            user=user,
            endorsed_on=today,
            applied_on=timezone.localdate(application.submitted_at),
            note=application.reference,
        )
        return permit.card_serial  # the same card, its chip rewritten
