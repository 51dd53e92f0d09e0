"""注销: cancellation on moving away from the city (seed 001, procedure 3: cancel the registration
and return the card).

No material; the date of moving away and how the card goes back to the station (mailed to it, or
handed in at the window: the pickup/mail choice of the other services, reversed). Submitted, it
waits for the card (``awaiting_card_return``); the clerk's and the officer's acts that follow are
in ``permits.services.applications.cancellation``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from core.errors import NotEligible
from notifications.constants import NotificationKind
from permits import rules
from permits.constants import CardReturn
from permits.services.applications import cancellation

from . import register
from .base import AnswerField, EligibilityFacts, ServiceType, permit_in_force


def _moved_on_form_field(application):
    return forms.DateField(
        label=_("Date of moving away"),
        help_text=_(
            "The day you leave (or left) this address; at most %(days)s days from today. For "
            "example 2026-03-15."
        )
        % {"days": rules.CANCELLATION_DAYS_AHEAD},
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the date of moving away."),
            "invalid": _("Enter a real date, for example 2026-03-15."),
        },
    )


def _card_return_form_field(application):
    choices = CardReturn.choices
    if application is not None and not application.station.offers_mail:
        choices = [(CardReturn.WINDOW, CardReturn.WINDOW.label)]
    return forms.ChoiceField(
        label=_("How do you return the card?"),
        choices=choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose to mail the card or hand it in at the window.")},
    )


@register
class Cancellation(ServiceType):
    code = "cancellation"
    label = _("Cancellation (moving away)")
    menu_label = pgettext_lazy("menu", "Cancel")
    conditions_basis = _(
        "Interim Regulations on Residence Permits, Art. 3 (the permit proves residence in the "
        "city; it is cancelled on moving away)"
    )
    summary = _(
        "you move away from the city: the card goes back to the station by mail or at the "
        "window, and the permit and your residence registration are cancelled."
    )
    order = 50
    answers = (
        AnswerField(
            "moved_on",
            label=_("Date of moving away"),
            summary_label=_("Date of moving away"),
            kind="date",
            api_help_text=_("Cancellation: the date of moving away."),
            invalid=_("Enter the date of moving away as YYYY-MM-DD."),
            check=lambda day, context: rules.check_moved_away_date(day, context.today),
            form_field=_moved_on_form_field,
        ),
        AnswerField(
            "card_return",
            label=_("How do you return the card?"),
            summary_label=_("How the card goes back"),
            kind="choice",
            choices=CardReturn,
            api_help_text=_(
                "Cancellation: the card is mailed to the station or handed in at the window."
            ),
            invalid=_("Choose how you return the card: by mail or at the window."),
            form_field=_card_return_form_field,
        ),
    )
    details_title = _("Moving away and the card")
    details_heading = _("When do you move away, and how do you return the card?")
    details_template = "permits/service_types/cancellation/details.html"
    returns_card = True
    messages = {NotificationKind.APPLICATION_SUBMITTED: NotificationKind.CANCELLATION_SUBMITTED}

    def rule_refusals(self, facts: EligibilityFacts) -> list:
        """Moving away: no registration in force is needed."""
        refusals = super().rule_refusals(facts)
        return [r for r in refusals if r.code != "not_registered"]

    def permit_refusals(self, facts: EligibilityFacts) -> list:
        permit = facts.permit
        if not permit_in_force(permit):
            return [_("There is no active or suspended residence permit to cancel.")]
        return []

    def initial_basis(self, basis: str, permit) -> str:
        return permit.basis

    def filed_under(self, *, person, permit, registration):
        """The card goes back to the station of the permit."""
        registration = cancellation.registration_for(person, permit)
        if registration is None:
            raise NotEligible(params={"reasons": _("No residence registration was found.")})
        return registration, permit.station_id

    def check_submission(self, application, *, answers, registration, today) -> None:
        cancellation.check_submission(application, answers)

    def before_submit(self, application, *, answers, registration, today) -> None:
        """Filed under its registration and permit; the return of the card is chosen now."""
        cancellation.before_submit(application, answers)

    def message_context(self, kind: str, application) -> dict:
        if kind == NotificationKind.CANCELLATION_SUBMITTED:
            return cancellation.submitted_message_context(application)
        return {}
