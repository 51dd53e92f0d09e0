"""Forms of the applicant's web flow (issue 6): one question per page.

Forms only validate what was typed; every act is a service in ``permits.services.applications``.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from applicants.forms import PhoneField
from core.uploads import DocumentUploadField

from .. import service_types
from ..constants import Basis, DeliveryMethod
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
        choices=service_types.choices,  # every registered service (permits.service_types)
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


class PhotoReceiptForm(forms.Form):
    """The digital photo receipt (数码相片回执, seed 001 item 6): the number a certified photo
    studio gave, instead of an upload of the certificate photo."""

    receipt_number = forms.CharField(
        label=_("Digital photo receipt number"),
        max_length=40,
        help_text=_(
            "Had your ID photo taken at a certified photo studio? Type the number on its "
            "receipt (数码相片回执) and the photo is fetched for you."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
        error_messages={"required": _("Type the number printed on the receipt.")},
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


class PlaceForm(forms.Form):
    """Where the case is handed in (issue 31): the station, or one of its agencies."""

    agency = forms.ChoiceField(
        label=_("Where do you apply?"),
        required=False,
        widget=forms.RadioSelect,
        help_text=_(
            "The police station, or a community service agency it entrusted (Art. 9): the "
            "agency receives and accepts your application; the station decides it and makes "
            "the card."
        ),
    )

    def __init__(self, *args, station, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [
            ("", _("%(station)s (the police station)") % {"station": station.name}),
            *[(str(a.pk), f"{a.name} · {a.address}") for a in agencies],
        ]

    def clean_agency(self):
        value = self.cleaned_data["agency"]
        return int(value) if value else None


class PickupPlaceField(forms.ChoiceField):
    """Where to collect the card (issue 31): the station, or the agency the case was filed at
    when the station lets it hand over cards."""

    def __init__(self, application, **kwargs):
        super().__init__(
            label=_("Where do you collect the card?"),
            choices=[
                ("station", application.station.name),
                ("agency", application.agency.name),
            ],
            initial="agency",
            widget=forms.RadioSelect,
            error_messages={"required": _("Choose where you collect the card.")},
            **kwargs,
        )
