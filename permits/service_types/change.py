"""登记信息变更: a change of address, employer or school, reported within 30 days (seed 002 二)."""

from __future__ import annotations

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core import clock
from core.errors import InvalidInput
from core.fsm import run_transition
from permits import rules
from permits.constants import ChangedField

from . import register
from .base import AnswerField, EligibilityFacts, ServiceType, permit_in_force
from .proofs import material


class _PastDateField(forms.DateField):
    def validate(self, value):
        super().validate(value)
        if value and value > clock.today():
            raise forms.ValidationError(
                _("The date of the change cannot be in the future."), code="change_in_future"
            )


def _changed_on_form_field(application):
    return _PastDateField(
        label=_("Date of the change"),
        help_text=_("Report a change within 30 days. For example 2026-03-15."),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the date of the change."),
            "invalid": _("Enter a real date, for example 2026-03-15."),
        },
    )


@register
class Change(ServiceType):
    code = "change"
    label = _("Change of registered details")
    menu_label = pgettext_lazy("menu", "Change details")
    conditions_basis = _(
        "Interim Regulations on Residence Permits, Art. 4 (the address the permit records); "
        "Haikou residence permit guide (a change is reported within 30 days)"
    )
    summary = _(
        "within 30 days after the address, employer or school changed (a last day on a weekend "
        "or public holiday moves to the next working day)."
    )
    order = 30
    answers = (
        AnswerField(
            "changed_field",
            label=_("What changed?"),
            summary_label=_("What changed"),
            kind="choice",
            choices=ChangedField,
            invalid=_("Choose what changed: address, employer or school."),
            error_messages={"required": _("Choose what changed.")},
        ),
        AnswerField(
            "new_value",
            label=_("The new address, employer or school"),
            summary_label=_("New value"),
            help_text=_("Write it in full, as on the proof you upload."),
            error_messages={"required": _("Enter the new address, employer or school.")},
        ),
        AnswerField(
            "changed_on",
            label=_("Date of the change"),
            summary_label=_("Date of the change"),
            kind="date",
            invalid=_("Enter the date of the change as YYYY-MM-DD."),
            check=lambda day, context: rules.check_change_date(day, context.today),
            form_field=_changed_on_form_field,
        ),
    )
    details_title = _("What changed")
    details_heading = _("What changed?")
    details_template = "permits/service_types/change/details.html"
    rewrites_card = True
    follows_a_move = True
    materials = (
        material(
            "change_proof",
            "信息变更证明材料",
            "Proof of the change",
            (
                "证明新的居住地址、工作单位或就读学校的材料，例如新的租赁合同、劳动合同或在读证明。",
                "Material proving the new address, employer or school, e.g. the new lease, "
                "labour contract or school certificate.",
            ),
            order=110,
        ),
    )

    lessor_confirms = ("change_proof",)

    def lessor_confirmable(self, application) -> tuple[str, ...]:
        """A new address only: the lessor says nothing of an employer or a school."""
        if (application.answers or {}).get("changed_field") == ChangedField.ADDRESS:
            return self.lessor_confirms
        return ()

    def permit_refusals(self, facts: EligibilityFacts) -> list:
        permit = facts.permit
        if not permit_in_force(permit):
            return [_("There is no residence permit whose details could be changed.")]
        return []

    def initial_basis(self, basis: str, permit) -> str:
        return basis or permit.basis

    def check_submission(self, application, *, answers, registration, today) -> None:
        if (
            answers["changed_field"] == ChangedField.ADDRESS
            and application.permit is not None
            and registration.house_id == application.permit.house_id
        ):
            raise InvalidInput(
                _(
                    "Register your residence at the new address first (居住登记); the change "
                    "then moves your permit there."
                ),
                code="new_address_not_registered",
            )

    def before_submit(self, application, *, answers, registration, today) -> None:
        super().before_submit(application, answers=answers, registration=registration, today=today)
        changed_on = datetime.date.fromisoformat(answers["changed_on"])
        application.is_late = rules.is_change_late(changed_on, today)

    def produce(self, application, *, user, today, serial: str) -> str:
        """The permit follows the registration: house, station and basis."""
        permit = application.permit
        run_transition(
            permit,
            "change_details",
            user=user,
            house=application.registration.house,
            basis=application.basis,
            note=application.reference,
        )
        return permit.card_serial
