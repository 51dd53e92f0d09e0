"""The one-time notice of missing material (一次性告知书): issued when an officer asks for
material; every flagged item at once, with the day it must be supplied by."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permits import rules
from permits.constants import DocumentKind, SupplementReason

from .base import ApplicationPaper, choice_label
from .registry import register


@register
class SupplementNotice(ApplicationPaper):
    code = DocumentKind.SUPPLEMENT
    order = 20
    label = _("One-time notice of missing material (一次性告知书)")
    title = _("One-time notice of missing material")
    template_name = "permits/documents/supplement.html"

    def facts(self, application, *, note: str = "", from_state: str = "") -> dict:
        requirements = {r.code: r for r in application.requirements()}
        items = []
        for item in application.flagged_items or []:
            requirement = requirements.get(item.get("code", ""))
            items.append(
                {
                    "code": item.get("code", ""),
                    "name_zh": requirement.name_zh if requirement else item.get("code", ""),
                    "name_en": requirement.name_en if requirement else item.get("code", ""),
                    "reason": item.get("reason", ""),
                    "note": item.get("note", ""),
                }
            )
        mode = rules.configured_day_mode()
        requested_on = timezone.localdate(application.supplement_requested_at or timezone.now())
        return {
            "items": items,
            "officer_note": note or "",
            "requested_on": requested_on.isoformat(),
            "supply_by": rules.supply_due_by(requested_on, mode=mode).isoformat(),
            "supply_days": rules.SUPPLY_DAYS,
            "day_mode": str(mode),
        }

    def printed_facts(self, facts: dict, document) -> dict:
        facts = super().printed_facts(facts, document)
        zh = document.language.startswith("zh")
        facts["items"] = [
            {
                "name": item.get("name_zh" if zh else "name_en") or item.get("code", ""),
                "reason": choice_label(SupplementReason, item.get("reason")),
                "note": item.get("note", ""),
            }
            for item in facts.get("items", [])
        ]
        return facts
