"""What a service is: its answers, eligibility, materials, state-machine hooks, papers and messages.

One subclass of ``ServiceType`` per service, in a module of its own (``permits.service_types.new``,
``renewal``, …), registered with ``permits.service_types.register``. Forms, serializers, the
check-answers page, the desks, the papers and the kiosk read these declarations; none of them
branches on a particular service.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.errors import InvalidInput, RuleRefused
from permits import rules
from permits.constants import ApplicationState, Basis, PermitStatus

# --- answers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerField:
    """One answer a service asks (a key of ``PermitApplication.answers``).

    ``kind`` is "text", "choice" or "date"; from it (or the factories given) the web form's field,
    the API's field and the check-answers row are derived. ``check(value, context)`` applies the
    statutory rule (it may raise ``rules.RuleViolation``) and returns the value to keep (None:
    the value as it is)."""

    name: str
    label: Any  # the question on the form
    summary_label: Any  # the row's label on the check page and the desk
    kind: str = "text"
    required: bool = True  # needed to submit
    choices: Any = None  # a TextChoices class for kind "choice"
    max_length: int = 200
    help_text: Any = ""
    api_help_text: Any = ""
    invalid: Any = ""  # message for a value of the wrong shape (an unknown choice, a bad date)
    error_messages: dict = field(default_factory=dict)
    check: Callable[[Any, AnswerContext], Any] | None = None
    form_field: Callable[[Any], forms.Field] | None = None  # (application) -> a form field

    # -- cleaning (the service layer: web, API and kiosk alike) --
    def clean(self, value, context: AnswerContext):
        if self.kind == "choice":
            value = value or ""
            if value and value not in self.choices.values:
                raise InvalidInput(self.invalid)
        elif self.kind == "date":
            if value:
                try:
                    day = (
                        value
                        if isinstance(value, datetime.date)
                        else datetime.date.fromisoformat(str(value))
                    )
                except ValueError as exc:
                    raise InvalidInput(self.invalid) from exc
                value = day
            else:
                value = ""
        else:
            value = str(value or "").strip()[: self.max_length]
        if value and self.check is not None:
            try:
                checked = self.check(value, context)
            except rules.RuleViolation as violation:
                raise RuleRefused.from_rule(violation) from violation
            value = value if checked is None else checked
        if isinstance(value, datetime.date):
            value = value.isoformat()
        return value

    # -- the web form --
    def make_form_field(self, application) -> forms.Field:
        if self.form_field is not None:
            return self.form_field(application)
        messages = {"required": self.error_messages.get("required", "")} if self.required else {}
        messages.update({k: v for k, v in self.error_messages.items() if k != "required"})
        messages = {k: v for k, v in messages.items() if v}
        common = {
            "label": self.label,
            "help_text": self.help_text,
            "required": self.required,
            "error_messages": messages,
        }
        if self.kind == "choice":
            return forms.ChoiceField(
                choices=self.choices.choices, widget=forms.RadioSelect, **common
            )
        if self.kind == "date":
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        return forms.CharField(max_length=self.max_length, **common)

    # -- the API --
    def make_serializer_field(self) -> serializers.Field:
        common = {"required": False, "help_text": self.api_help_text or None}
        if self.kind == "choice":
            return serializers.ChoiceField(choices=self.choices.choices, **common)
        if self.kind == "date":
            return serializers.DateField(**common)
        return serializers.CharField(max_length=self.max_length, allow_blank=True, **common)

    # -- the check page and the desk --
    def display(self, value) -> str:
        if self.kind == "choice" and value in self.choices.values:
            return str(self.choices(value).label)
        return str(value)


@dataclass(frozen=True)
class AnswerContext:
    """What a rule on an answer may look at."""

    today: datetime.date
    city_region_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MaterialSpec:
    """A row of the materials catalogue this service asks for (seed 001 Art. 9): filled into
    ``MaterialRequirement`` after migrations when missing (an edited row is never overwritten)."""

    code: str
    name_zh: str
    name_en: str
    description_zh: str = ""
    description_en: str = ""
    basis: str = ""  # "" = whatever the basis
    required: bool = True
    order: int = 0
    # the certificate photo (证件照): checked on upload (``permits.photo_check``, issue 31) and
    # the one material a photo studio's receipt number can bring (``permits.photo_receipts``)
    certificate_photo: bool = False


def permit_in_force(permit) -> bool:
    """A permit is held and in force (active, or suspended until endorsed): one a renewal, a
    change or a cancellation acts on."""
    return permit is not None and permit.status in (PermitStatus.ACTIVE, PermitStatus.SUSPENDED)


@dataclass
class EligibilityFacts:
    """What eligibility looks at (``permits.services.applications.eligibility`` gathers it)."""

    person: Any
    permit: Any  # the permit held, or None
    registered_since: datetime.date | None
    today: datetime.date
    household_region: str | None
    city_region_codes: tuple[str, ...]


class ServiceType:
    """A service of the portal. Subclass it in a module of its own and register an instance."""

    code: str = ""
    label: Any = ""
    summary: Any = ""  # one line on the start page: who may use it, and when
    # its name in an outside channel's menu (``permits.entry_points``: the WeChat menu takes at
    # most 8 characters); empty: ``label``
    menu_label: Any = ""
    order: int = 100
    # the article setting this service's conditions: a refusal for not meeting them cites it
    conditions_basis: Any = ""

    # answers (the "details" step) and the condition (the "basis" step)
    answers: tuple[AnswerField, ...] = ()
    details_title: Any = ""  # the step's title in the list of steps
    details_heading: Any = ""  # the step's question
    details_template: str = ""  # explanations shown above the form (optional)
    asks_basis: bool = False  # the basis step; a basis is then required
    basis_editable: bool = True  # the basis may be changed while drafting
    materials: tuple[MaterialSpec, ...] = ()
    # the materials a lessor's confirmation of the registration's house stands for (issue 31;
    # seed 004 Art. 9: "an accommodation certificate issued by the lessor")
    lessor_confirms: tuple[str, ...] = ()

    # the permit and its card
    for_new_permit: bool = False  # no permit held yet (the permit is issued when produced)
    rewrites_card: bool = False  # the card held is rewritten: the old card comes back first
    issues_new_card: bool = False  # a new card with a serial of its own
    returns_card: bool = False  # submitted, it waits for the card to come back (no acceptance)
    keeps_permit_in_use_while_pending: bool = False  # the daily suspension spares it

    # where the service is offered, and what it reuses
    offered_at_kiosk: bool = False
    follows_a_move: bool = False  # offered (and reminded) when a holder registers a new house
    reuses_condition_proofs: bool = False  # last application's proof of the condition

    # the papers issued by an act for this service, beyond the common ones: {act name: kind}
    papers: dict[str, str] = {}
    # its messages: {the common message of an act: the one this service sends instead}
    # (``message_context`` adds facts of its own to a message)
    messages: dict[str, str] = {}
    # facts of its own on the application's page (an optional include)
    detail_template: str = ""  # extra facts on the application's page

    def __str__(self) -> str:
        return str(self.label)

    def certificate_photo_code(self) -> str | None:
        """The code of this service's certificate photo material, if it asks for one."""
        return next((spec.code for spec in self.materials if spec.certificate_photo), None)

    def is_certificate_photo(self, code: str) -> bool:
        """Material ``code`` of this service is the certificate photo (its declaration says)."""
        return any(spec.code == code and spec.certificate_photo for spec in self.materials)

    # --- answers ---------------------------------------------------------------------------
    def clean_answers(self, answers: dict, *, complete: bool, context: AnswerContext) -> dict:
        """The answers kept (normalized, statutory rules applied); ``complete``: every required
        answer must be there (submit)."""
        answers = dict(answers or {})
        cleaned = {f.name: f.clean(answers.get(f.name, ""), context) for f in self.answers}
        missing = [f.name for f in self.answers if f.required and not cleaned[f.name]]
        if complete and missing:
            raise InvalidInput(
                _("Some answers are missing: %(fields)s."), params={"fields": ", ".join(missing)}
            )
        return cleaned

    def answers_complete(self, answers: dict) -> bool:
        answers = answers or {}
        return all(answers.get(f.name) for f in self.answers if f.required)

    def answers_form_class(self, application) -> type[forms.Form]:
        """The details step's form, built from ``answers``; ``form.answers()`` gives the dict
        the service layer takes."""
        fields = {f.name: f.make_form_field(application) for f in self.answers}
        kinds = {f.name: f.kind for f in self.answers}

        def answers_of(form) -> dict:
            values = {}
            for name, value in form.cleaned_data.items():
                if kinds.get(name) == "date" and value:
                    value = value.isoformat()
                elif isinstance(value, str):
                    value = value.strip()
                values[name] = value if value is not None else ""
            return values

        return type(
            f"{self.code.title()}AnswersForm", (forms.Form,), {**fields, "answers": answers_of}
        )

    def answer_rows(self, answers: dict) -> list[tuple[str, str]]:
        answers = answers or {}
        return [
            (str(f.summary_label), f.display(answers[f.name]))
            for f in self.answers
            if answers.get(f.name) not in ("", None)
        ]

    def check_basis(self, basis) -> str:
        if self.asks_basis and basis not in Basis.values:
            raise InvalidInput(
                _("Choose one condition: legally stable employment, residence or continuous study.")
            )
        if basis and basis not in Basis.values:
            raise InvalidInput(_("Unknown condition."))
        return basis or ""

    # --- eligibility -----------------------------------------------------------------------
    def rule_refusals(self, facts: EligibilityFacts) -> list:
        """The statutory refusals (``rules``) for this service; by default those of any
        applicant: identity verified, residence registered."""
        return rules.applicant_refusals(
            identity_verified=facts.person.is_verified, registered_since=facts.registered_since
        )

    def permit_refusals(self, facts: EligibilityFacts) -> list:
        """Reasons about the permit held (none by default)."""
        return []

    # --- the draft -------------------------------------------------------------------------
    def default_basis(self, *, person, permit, registration) -> str:
        """The first answer of the basis step, which the applicant confirms or changes."""
        return ""

    def initial_basis(self, basis: str, permit) -> str:
        return basis

    def filed_under(self, *, person, permit, registration):
        """(registration, station id) a draft is filed under: the registration in force and
        its house's station by default."""
        station_id = registration.house.station_id if registration is not None else None
        return registration, station_id

    def requirements(self, application, queryset):
        """The catalogue rows asked of ``application`` (``queryset``: this service's rows for
        its basis)."""
        return queryset

    def lessor_confirmable(self, application) -> tuple[str, ...]:
        """The material codes of ``application`` a confirmed lessor stands for."""
        return self.lessor_confirms

    # --- the state machine's hooks -----------------------------------------------------------
    def submit_target(self, application) -> str:
        return (
            ApplicationState.AWAITING_CARD_RETURN
            if self.returns_card
            else ApplicationState.SUBMITTED
        )

    def check_submission(self, application, *, answers: dict, registration, today) -> None:
        """Refuse a submission for a reason only this service has (raise a ServiceError)."""

    def before_submit(self, application, *, answers: dict, registration, today) -> None:
        """Inside the submit, before the transition: the case is filed under the registration
        in force and its station."""
        application.registration = registration
        application.station_id = registration.house.station_id

    def after_submit(self, application, *, user, today) -> None:
        """Inside the submit, after the transition."""

    def message_context(self, kind: str, application) -> dict:
        """Facts of this service for message ``kind`` (may set its ``event_key``)."""
        return {}

    def after_closed(self, application, *, user, today) -> None:
        """Inside a withdrawal or a refusal, after the transition."""

    def produce(self, application, *, user, today, serial: str) -> str:
        """制证完成: what producing does to the permit, inside the act; returns the card's serial
        (empty when the service has no card)."""
        return ""

    def card_handed_in(self, application) -> bool:
        """The card held is handed in at the window when the new one is collected."""
        return False
