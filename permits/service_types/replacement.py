"""丢失补领/损坏换领: a new card for a lost one, or for one damaged beyond recognition
(seed 002 三).

A lost card stops verifying once its loss is reported with the submitted replacement; if the
application is withdrawn or refused the permit returns to its earlier status and the reported card
stays invalid (seeds 002, 003). A damaged card stays valid until the new one is produced, and is
handed in on collection."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.fsm import run_transition
from permits.constants import PermitStatus, ReplacementReason
from permits.services import permits as permit_services

from . import register
from .base import AnswerField, EligibilityFacts, ServiceType
from .proofs import material

DAMAGED_CARD_PHOTO = "damaged_card"  # the catalogue's code (migration 0003)


def _lost(application) -> bool:
    return (application.answers or {}).get("reason") == ReplacementReason.LOST


@register
class Replacement(ServiceType):
    code = "replacement"
    label = _("Replacement (lost or damaged card)")
    menu_label = pgettext_lazy("menu", "Replace a card")
    conditions_basis = _(
        "Interim Regulations on Residence Permits, Art. 11 (a lost card, or one damaged "
        "beyond recognition, is replaced)"
    )
    summary = _("the card was lost, or damaged beyond recognition.")
    order = 40
    answers = (
        AnswerField(
            "reason",
            label=_("Why do you need a new card?"),
            summary_label=_("Reason"),
            kind="choice",
            choices=ReplacementReason,
            help_text=_(
                "A lost card stops being valid as soon as you submit. A damaged card is handed in."
            ),
            invalid=_("Choose whether the card was lost or damaged."),
            error_messages={"required": _("Choose lost or damaged.")},
        ),
    )
    details_title = _("Lost or damaged")
    details_heading = _("Was the card lost or damaged?")
    details_template = "permits/service_types/replacement/details.html"
    detail_template = "permits/service_types/replacement/detail.html"
    basis_editable = False
    issues_new_card = True
    materials = (
        material(
            DAMAGED_CARD_PHOTO,
            "损坏的居住证照片",
            "Photo of the damaged card",
            (
                "损坏换领时上传损坏证件的照片；原证件在领证时交回。丢失补领无需上传。",
                "For a damaged card, a photo of it (the card itself is handed in on collection). "
                "Not needed for a lost card.",
            ),
            order=120,
            required=False,
        ),
    )

    def permit_refusals(self, facts: EligibilityFacts) -> list:
        if facts.permit is None:
            return [_("There is no residence permit to replace.")]
        return []

    def initial_basis(self, basis: str, permit) -> str:
        return permit.basis

    def requirements(self, application, queryset):
        if _lost(application):  # seed 002 三: a lost card leaves nothing to photograph
            return queryset.exclude(code=DAMAGED_CARD_PHOTO)
        return queryset

    def card_handed_in(self, application) -> bool:
        return (application.answers or {}).get("reason") == ReplacementReason.DAMAGED

    def after_submit(self, application, *, user, today) -> None:
        """The loss is reported with the submitted replacement: the card stops verifying."""
        permit = application.permit
        if _lost(application) and permit.status != PermitStatus.LOST:
            run_transition(permit, "report_lost", user=user, on=today, note=application.reference)

    def after_closed(self, application, *, user, today) -> None:
        """Withdrawn or refused: the permit returns to its earlier status
        (rules.status_after_lost_report_withdrawn); the reported card stays invalid."""
        permit = application.permit
        if _lost(application) and permit is not None and permit.status == PermitStatus.LOST:
            run_transition(
                permit, "restore_after_lost_report", user=user, on=today, note=application.reference
            )

    def produce(self, application, *, user, today, serial: str) -> str:
        permit = application.permit
        serial = serial or permit_services.next_card_serial()
        run_transition(
            permit,
            "replace_card",
            user=user,
            new_serial=serial,
            reason=(application.answers or {}).get("reason", ReplacementReason.LOST),
            on=today,
            note=application.reference,
        )
        return serial
