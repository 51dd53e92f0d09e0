"""The notice of refusal: not accepted (不予受理通知书) before acceptance, not approved
(不予批准通知书) after it; the reason, the law it rests on and the applicant's remedies."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permits import rules, service_types
from permits.constants import ApplicationRejectionReason, ApplicationState, DocumentKind

from .base import ApplicationPaper, choice_label
from .registry import register

NOT_ACCEPTED, NOT_APPROVED = "not_accepted", "not_approved"
TITLES = {
    NOT_ACCEPTED: _("Notice of non-acceptance"),
    NOT_APPROVED: _("Notice of refusal"),
}
# The law a refusal rests on, per reason (named in full on the paper). A refusal for not meeting
# the conditions cites the article of the service's own conditions (``conditions_basis`` of its
# declaration in ``permits.service_types``) before these.
LEGAL_BASIS = {
    ApplicationRejectionReason.NOT_ELIGIBLE: _("Administrative Licensing Law, Art. 38."),
    ApplicationRejectionReason.FALSE_INFORMATION: _(
        "Administrative Licensing Law, Art. 31 (the applicant answers for the truth of the "
        "material) and Art. 38; Interim Regulations on Residence Permits, Art. 9."
    ),
    ApplicationRejectionReason.MATERIALS_NOT_PROVIDED: _(
        "Interim Regulations on Residence Permits, Art. 9 (the material notified at one time was "
        "not supplied); Administrative Licensing Law, Arts. 32 and 38."
    ),
    ApplicationRejectionReason.OTHER: _(
        "Interim Regulations on Residence Permits, Art. 9; Administrative Licensing Law, Art. 38."
    ),
}


def legal_basis(service: str, reason: str) -> str:
    """What a refusal of ``service`` for ``reason`` cites, in the active language."""
    basis = str(LEGAL_BASIS.get(reason, LEGAL_BASIS["other"]))
    if reason == ApplicationRejectionReason.NOT_ELIGIBLE:
        try:
            conditions = service_types.get(service).conditions_basis
        except KeyError:
            conditions = ""
        if conditions:
            return _("%(conditions)s; %(basis)s") % {"conditions": conditions, "basis": basis}
    return basis


@register
class RefusalNotice(ApplicationPaper):
    code = DocumentKind.REFUSAL
    order = 30
    label = _("Notice of refusal (不予受理/不予批准通知书)")
    title = TITLES[NOT_APPROVED]
    template_name = "permits/documents/refusal.html"

    def title_for(self, document) -> str:
        """Before acceptance the station does not accept the application (不予受理); after it,
        it does not approve it (不予批准)."""
        return str(TITLES.get(document.payload.get("stage"), self.title))

    def facts(self, application, *, note: str = "", from_state: str = "") -> dict:
        decided_on = timezone.localdate(application.decided_at or timezone.now())
        remedies = rules.refusal_remedies(decided_on)  # as the case's page states them
        return {
            "stage": NOT_ACCEPTED if from_state != ApplicationState.ACCEPTED else NOT_APPROVED,
            "reason": application.rejection_reason,
            "reason_note": application.rejection_note,
            "decided_on": decided_on.isoformat(),
            "received_on": remedies.received_on.isoformat(),
            "reconsideration_days": remedies.reconsideration_days,
            "reconsider_by": remedies.reconsider_by.isoformat(),
            "lawsuit_months": remedies.lawsuit_months,
            "sue_by": remedies.sue_by.isoformat(),
        }

    def printed_facts(self, facts: dict, document) -> dict:
        facts = super().printed_facts(facts, document)
        reason = facts.get("reason")
        facts["reason_label"] = choice_label(ApplicationRejectionReason, reason)
        facts["legal_basis"] = legal_basis(facts.get("service"), reason)
        # what the remedies cite, in the language printed (the rules' own, never the template's)
        facts["reconsideration_basis"] = rules.RECONSIDERATION_BASIS
        facts["lawsuit_basis"] = rules.LAWSUIT_BASIS
        facts["last_day_basis"] = rules.LAST_DAY_BASIS
        return facts
