"""An application's transition log, in plain words for the applicant's timeline."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fsm import TransitionLogBase

from .applications import PermitApplication

# Plain words for the applicant's timeline, one per transition name.
TIMELINE_LABELS = {
    "submit": _("You submitted the application."),
    "resubmit": _("You sent the requested material."),
    "withdraw": _("The application was withdrawn."),
    "accept": _("The station accepted the application (受理)."),
    "request_supplement": _("The station asked for more material (listed below)."),
    "extend_deadline": _("The decision deadline was extended."),
    "approve": _("The application was approved."),
    "reject": _("The application was rejected."),
    "mark_produced": _("Your certificate is ready (制证完成). Choose pickup or mail."),
    "choose_pickup": _("You chose to pick up the certificate at the station window."),
    "choose_mail": _("You chose to receive the certificate by mail."),
    "record_old_card_received": _("The station received your old card."),
    "record_mailed": _("The station mailed your certificate."),
    "record_delivered": _("Your certificate was delivered."),
    "record_collected": _("The certificate was collected at the window."),
    "record_card_returned": _("The station received your residence permit card."),
    "complete_cancellation": _(
        "The permit and the residence registration were cancelled (注销). The card is no longer "
        "valid."
    ),
}


class ApplicationTransition(TransitionLogBase):
    application = models.ForeignKey(
        PermitApplication,
        verbose_name=_("application"),
        on_delete=models.CASCADE,
        related_name="transitions",
    )
    items = models.JSONField(
        _("items flagged"),
        default=list,
        blank=True,
        help_text=_("For a request for more material: every item with its reason."),
    )

    class Meta(TransitionLogBase.Meta):
        verbose_name = _("application transition")
        verbose_name_plural = _("application transitions")

    @property
    def label(self) -> str:
        """What happened, in plain words for the applicant's timeline."""
        return str(TIMELINE_LABELS.get(self.transition, self.transition))
