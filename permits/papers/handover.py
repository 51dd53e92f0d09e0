"""The receipt of handover (证件交付回执): issued when the card is handed over at the window or
mailed; how, when, to whom, and the card's numbers."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permits.constants import DeliveryMethod, DocumentKind

from .base import ApplicationPaper, choice_label, iso_date
from .registry import register


@register
class HandoverReceipt(ApplicationPaper):
    code = DocumentKind.HANDOVER
    order = 40
    label = _("Receipt of handover (证件交付回执)")
    title = _("Receipt of handover")
    template_name = "permits/documents/handover.html"

    def facts(self, application, *, note: str = "", from_state: str = "") -> dict:
        permit = application.permit
        at_agency = application.pickup_at_agency and application.agency_id is not None
        return {
            "method": application.delivery_method,
            "completed_on": iso_date(application.completed_at or timezone.now()),
            "mailed_on": iso_date(application.mailed_at),
            "tracking_number": application.tracking_number,
            "recipient_name": application.mail_recipient_name,
            "mail_address": application.mail_address,
            "by_agent": application.collected_by_agent,
            "permit_number": permit.number if permit else "",
            "card_serial": application.new_card_serial or (permit.card_serial if permit else ""),
            "valid_until": permit.valid_until.isoformat() if permit else "",
            # issue 31: collected at the community service agency it was filed at (Art. 9)
            "agency_name": application.agency.name if at_agency else "",
            "agency_address": application.agency.address if at_agency else "",
        }

    def printed_facts(self, facts: dict, document) -> dict:
        facts = super().printed_facts(facts, document)
        facts["method_label"] = choice_label(DeliveryMethod, facts.get("method"))
        return facts
