"""The notice of acceptance (受理通知书): issued when an officer accepts an application; it
names the day of acceptance and the day the decision is due."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from permits import rules
from permits.constants import DocumentKind

from .base import ApplicationPaper
from .registry import register


@register
class AcceptanceNotice(ApplicationPaper):
    code = DocumentKind.ACCEPTANCE
    order = 10
    label = _("Notice of acceptance (受理通知书)")
    title = _("Notice of acceptance")
    template_name = "permits/documents/acceptance.html"

    def facts(self, application, *, note: str = "", from_state: str = "") -> dict:
        mode = rules.configured_day_mode()
        accepted_on = timezone.localdate(application.accepted_at or timezone.now())
        deadline = application.deadline or rules.decision_deadline(accepted_on, mode=mode)
        return {
            "accepted_on": accepted_on.isoformat(),
            "decision_days": rules.DECISION_DAYS,
            "day_mode": str(mode),
            "deadline": deadline.isoformat(),
            # issue 31: accepted by a community service agency the station entrusted (Art. 9);
            # the decision and its papers stay the station's
            "agency_name": application.agency.name if application.agency_id else "",
            "agency_address": application.agency.address if application.agency_id else "",
        }
