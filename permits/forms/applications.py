"""Forms of the applicant's web flow (issue 6): one question per page.

Forms only validate what was typed; every act is a service in ``permits.services.applications``.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from applicants.forms import PhoneField
from core.uploads import DocumentUploadField

from .. import rules
from ..constants import (
    Basis,
    CardReturn,
    ChangedField,
    DeliveryMethod,
    ReplacementReason,
    Service,
)
from .registrations import person_label


class StateGuardForm(forms.Form):
    """Every form that acts carries the state the page was rendered in: a form posted from a
    stale page (another tab, the back button, a double click) is refused, never applied."""

    seen_state = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, application=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.application = application
        if application is not None and not self.is_bound:
            self.initial.setdefault("seen_state", application.state)

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_state")
        if self.application is not None and seen and seen != self.application.state:
            raise forms.ValidationError(
                _(
                    "This page was out of date: the application is now “%(state)s”. "
                    "Nothing was changed. Check it below and try again."
                ),
                code="stale",
                params={"state": self.application.get_state_display()},
            )
        return cleaned


class StartForm(forms.Form):
    service = forms.ChoiceField(
        label=_("What do you want to do?"),
        choices=Service.choices,
        widget=forms.RadioSelect,
    )
    person = forms.TypedChoiceField(
        label=_("Who is it for?"),
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("Yourself, or a person you act for whose identity is verified."),
    )

    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.people = {p.pk: p for p in people}
        self.fields["person"].choices = [(p.pk, person_label(p)) for p in people]
        if len(people) == 1:
            self.initial.setdefault("person", people[0].pk)

    def clean_person(self):
        pk = self.cleaned_data["person"]
        if pk not in self.people:
            raise forms.ValidationError(_("Choose a person from the list."), code="invalid")
        return self.people[pk]


class ConfirmIdentityForm(forms.Form):
    confirmed = forms.BooleanField(
        label=_("The name and ID number above are correct"),
        error_messages={"required": _("Confirm that the name and ID number are correct.")},
    )


class BasisForm(forms.Form):
    basis = forms.ChoiceField(
        label=_("Which condition do you meet?"),
        choices=Basis.choices,
        widget=forms.RadioSelect,
        help_text=_("You upload the proof of this condition in a later step."),
        error_messages={"required": _("Choose the condition you meet.")},
    )


class ChangeDetailsForm(forms.Form):
    """A change of registered details (seed 002 二): what changed, when, and the new value."""

    changed_field = forms.ChoiceField(
        label=_("What changed?"),
        choices=ChangedField.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what changed.")},
    )
    new_value = forms.CharField(
        label=_("The new address, employer or school"),
        max_length=200,
        help_text=_("Write it in full, as on the proof you upload."),
        error_messages={"required": _("Enter the new address, employer or school.")},
    )
    changed_on = forms.DateField(
        label=_("Date of the change"),
        help_text=_("Report a change within 30 days. For example 2026-03-15."),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the date of the change."),
            "invalid": _("Enter a real date, for example 2026-03-15."),
        },
    )

    def clean_changed_on(self):
        value = self.cleaned_data["changed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(
                _("The date of the change cannot be in the future."), code="change_in_future"
            )
        return value

    def answers(self) -> dict:
        data = self.cleaned_data
        return {
            "changed_field": data["changed_field"],
            "new_value": data["new_value"].strip(),
            "changed_on": data["changed_on"].isoformat(),
        }


class HouseholdRegistrationForm(forms.Form):
    """A new permit (seed 003, Regulations Art. 2): the place of household registration
    (户籍所在地); the permit is for people whose household registration is elsewhere."""

    household_region = forms.RegexField(
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
    household_place = forms.CharField(
        label=_("Name of the place (optional)"),
        max_length=100,
        required=False,
        help_text=_("For example 北京市朝阳区."),
    )

    def answers(self) -> dict:
        data = self.cleaned_data
        return {
            "household_region": data["household_region"].strip(),
            "household_place": data["household_place"].strip(),
        }


class ReplacementForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why do you need a new card?"),
        choices=ReplacementReason.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "A lost card stops being valid as soon as you submit. A damaged card is handed in."
        ),
        error_messages={"required": _("Choose lost or damaged.")},
    )


class CancellationForm(forms.Form):
    """Cancellation on moving away (seed 001 procedure 3): when, and how the card goes back."""

    moved_on = forms.DateField(
        label=_("Date of moving away"),
        help_text=_(
            "The day you leave (or left) this address; at most %(days)s days from today. For "
            "example 2026-03-15."
        ),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Enter the date of moving away."),
            "invalid": _("Enter a real date, for example 2026-03-15."),
        },
    )
    card_return = forms.ChoiceField(
        label=_("How do you return the card?"),
        choices=CardReturn.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose to mail the card or hand it in at the window.")},
    )

    def __init__(self, *args, offers_mail=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["moved_on"].help_text = self.fields["moved_on"].help_text % {
            "days": rules.CANCELLATION_DAYS_AHEAD
        }
        if not offers_mail:
            self.fields["card_return"].choices = [(CardReturn.WINDOW, CardReturn.WINDOW.label)]

    def answers(self) -> dict:
        data = self.cleaned_data
        return {"moved_on": data["moved_on"].isoformat(), "card_return": data["card_return"]}


class _SeveralFiles(forms.ClearableFileInput):
    allow_multiple_selected = True


class PagesField(DocumentUploadField):
    """One material, one or several files (the pages of a lease): each is checked again by
    the service when the pages are put together."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "widget",
            _SeveralFiles(attrs={"accept": "image/jpeg,image/png,image/webp,application/pdf"}),
        )
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            if len(data) > 1:
                return [super(PagesField, self).clean(item, initial) for item in data]
            data = data[0] if data else None
        return super().clean(data, initial)


class MaterialUploadForm(forms.Form):
    file = PagesField(label=_("File"))

    def __init__(self, *args, requirement=None, has_current=False, **kwargs):
        super().__init__(*args, **kwargs)
        if requirement is not None:
            self.fields["file"].label = requirement.name
        # Optional materials, or one already uploaded, may be skipped.
        required = bool(requirement and requirement.required)
        self.fields["file"].required = required and not has_current
        self.fields["file"].help_text = _(
            "A photo (JPEG, PNG, WebP) or a PDF. Several pages (a lease)? Choose every page: "
            "they are kept together as one document."
        )


class SubmitForm(StateGuardForm):
    password = forms.CharField(
        label=_("Your login password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("To confirm that it is you who sends it."),
        error_messages={"required": _("Enter your login password to submit.")},
    )


class WithdrawForm(StateGuardForm):
    confirmed = forms.BooleanField(
        label=_("Yes, withdraw this application"),
        error_messages={"required": _("Tick the box to confirm the withdrawal.")},
    )


class ResubmitForm(SubmitForm):
    """Send the requested material back to the station: the password again (seed 002)."""


class SupplementForm(StateGuardForm):
    """One upload field for each item the officer flagged, and nothing else."""

    def __init__(self, *args, requirements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.requirements = list(requirements)
        for requirement in self.requirements:
            self.fields[f"file_{requirement.code}"] = DocumentUploadField(
                label=requirement.name, required=False
            )

    def uploads(self):
        """(requirement, cleaned file) for every field filled in."""
        for requirement in self.requirements:
            file = self.cleaned_data.get(f"file_{requirement.code}")
            if file:
                yield requirement, file

    def clean(self):
        cleaned = super().clean()
        if self.requirements and not self.errors and not any(True for _r in self.uploads()):
            raise forms.ValidationError(
                _("Choose at least one file to upload."), code="nothing_uploaded"
            )
        return cleaned


class DeliveryChoiceForm(StateGuardForm):
    method = forms.ChoiceField(
        label=_("How do you want to receive the certificate?"),
        choices=DeliveryMethod.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose window pickup or mail.")},
    )


class MailForm(StateGuardForm):
    recipient_name = forms.CharField(
        label=_("Recipient name"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    address = forms.CharField(
        label=_("Mailing address"),
        max_length=200,
        help_text=_("Province, city, district, street, building and room."),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    phone = PhoneField(
        label=_("Recipient phone"),
        help_text=_("The courier calls this number. 11 digits, for example 13800138000."),
    )

    def clean_recipient_name(self):
        return self.cleaned_data["recipient_name"].strip()

    def clean_address(self):
        value = " ".join(self.cleaned_data["address"].split())
        if len(value) < 6:
            raise forms.ValidationError(
                _("Enter the full address: district, street, building and room."),
                code="too_short",
            )
        return value
