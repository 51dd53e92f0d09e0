"""申领: a new residence permit (seed 003, Regulations Art. 2; seed 001 Art. 9)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from permits import rules
from permits.services import permits as permit_services

from . import register
from .base import AnswerField, EligibilityFacts, ServiceType
from .proofs import EMPLOYMENT_PROOF, ID_CARD, PHOTO, RESIDENCE_PROOF, STUDY_PROOF, material


def _household_region(value, context):
    """Seed 003 (Regulations Art. 2): the permit is for people who left the place of their
    household registration (户籍所在地): a region code outside the city (CITY_REGION_CODES)."""
    rules.check_household_registration(value, context.city_region_codes)
    return rules.normalize_region_code(value)


def _region_form_field(application):
    return forms.RegexField(
        label=_("Place of household registration (户籍所在地): region code"),
        regex=r"^\s*\d{6}\s*$",
        max_length=8,
        help_text=_(
            "The six-digit region code of the place where your household (户口) is registered, "
            "e.g. 110105. The first six digits of your ID number show where it was first issued."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": _("Enter the region code of your household registration."),
            "invalid": _("A region code is six digits, e.g. 110105."),
        },
    )


@register
class NewPermit(ServiceType):
    code = "new"
    label = _("New permit")
    menu_label = pgettext_lazy("menu", "Apply for a permit")
    conditions_basis = _(
        "Interim Regulations on Residence Permits, Art. 2 (the conditions for a residence permit)"
    )
    summary = _(
        "household registered outside this city, at least half a year of registered residence "
        "in the city, counted from the day the station recorded your residence registration "
        "(not the move-in date you typed; moving between houses of the city keeps the count, a "
        "gap of more than 30 days starts it again), with stable employment, stable residence or "
        "continuous study."
    )
    order = 10
    answers = (
        AnswerField(
            "household_region",
            label=_("Place of household registration (户籍所在地): region code"),
            summary_label=_("Household registration (户籍所在地), region code"),
            max_length=8,
            api_help_text=_(
                "New permit: the six-digit region code of the place of household registration "
                "(户籍所在地); a household registered in this city is refused."
            ),
            check=_household_region,
            form_field=_region_form_field,
        ),
        AnswerField(
            "household_place",
            label=_("Name of the place (optional)"),
            summary_label=_("Name of the place"),
            required=False,
            max_length=100,
            help_text=_("For example 北京市朝阳区."),
        ),
    )
    details_title = _("Place of household registration")
    details_heading = _("Where is your household registered (户籍所在地)?")
    details_template = "permits/service_types/new/details.html"
    asks_basis = True
    for_new_permit = True
    issues_new_card = True
    lessor_confirms = ("residence_proof",)
    materials = (
        material("id_card", "居民身份证", "Resident ID card", ID_CARD, order=10),
        material("photo", "本人近期照片", "Recent photo", PHOTO, order=20, certificate_photo=True),
        material(
            "residence_proof",
            "居住地址证明",
            "Proof of residence address",
            RESIDENCE_PROOF,
            order=30,
        ),
        material(
            "employment_proof",
            "就业证明",
            "Proof of employment",
            EMPLOYMENT_PROOF,
            order=40,
            basis="employment",
        ),
        material("study_proof", "就读证明", "Proof of study", STUDY_PROOF, order=50, basis="study"),
    )

    def rule_refusals(self, facts: EligibilityFacts) -> list:
        return rules.new_permit_refusals(
            identity_verified=facts.person.is_verified,
            registered_since=facts.registered_since,
            on=facts.today,
            has_current_permit=facts.permit is not None,
            check_basis=False,  # asked in the draft, checked on start and submit
            household_region=facts.household_region,
            city_region_codes=facts.city_region_codes,
        )

    def default_basis(self, *, person, permit, registration) -> str:
        return registration.basis if registration else ""

    def produce(self, application, *, user, today, serial: str) -> str:
        serial = serial or permit_services.next_card_serial()
        application.permit = permit_services.issue_permit(
            by=user,
            holder=application.person,
            house=application.registration.house,
            basis=application.basis,
            issued_on=today,
            card_serial=serial,
        )
        return serial
