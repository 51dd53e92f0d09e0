"""Residence registration form: who, which house (its code), since when, on which basis."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from applicants.constants import IdentityState
from core import clock
from core.errors import InvalidInput
from core.uploads import DocumentUploadField

from ..constants import Basis
from ..selectors.registrations import find_house, normalize_house_code


def person_label(person) -> str:
    """The whole label translated, never half of it: "本人（王测试）", "李小明（监护人）"."""
    if person.is_dependent:
        return _("%(name)s (%(relationship)s)") % {
            "name": person.full_name,
            "relationship": person.get_relationship_display(),
        }
    return _("Myself (%(name)s)") % {"name": person.full_name}


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class RegistrationForm(forms.Form):
    person = PersonChoiceField(
        label=_("Who lives here"),
        queryset=None,
        empty_label=None,
        help_text=_("Yourself, or a person you act for. The identity must be verified."),
    )
    house_code = forms.CharField(
        label=_("House code (门牌码)"),
        max_length=300,
        help_text=_("The code on the door plate, or scan the QR code with your phone camera."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    since = forms.DateField(
        label=_("Living here since"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    basis = forms.ChoiceField(
        label=_("Why you live in the city"),
        choices=Basis.choices,
        widget=forms.RadioSelect,
    )
    proof = DocumentUploadField(
        label=_("Proof document"),
        help_text=_(
            "Residence: lease, property certificate, purchase contract or accommodation "
            "certificate. Employment: business licence, labour contract or employer's "
            "certificate. Study: student card or school certificate. A photo or a PDF."
        ),
        required=False,
    )
    lessor_phone = forms.CharField(
        label=_("Rented? The lessor's mobile phone (optional)"),
        max_length=20,
        required=False,
        help_text=_(
            "The lessor gets a link by SMS to confirm that you live here. For a residence basis "
            "the confirmation stands for the lease: the proof document may then be left out."
        ),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )

    def __init__(self, *args, account, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = account.identities.filter(
            state=IdentityState.VERIFIED
        ).order_by("created_at")
        self.house = None

    def clean_house_code(self):
        raw = self.cleaned_data["house_code"]
        try:
            self.house = find_house(raw)
        except InvalidInput as exc:
            raise ValidationError(exc.fields["house_code"]) from exc
        return normalize_house_code(raw)

    def clean(self):
        cleaned = super().clean()
        lessor_stands_for_it = cleaned.get("lessor_phone") and cleaned.get("basis") == (
            Basis.RESIDENCE
        )
        if not cleaned.get("proof") and not lessor_stands_for_it and "proof" not in self.errors:
            self.add_error("proof", _("Upload the proof document."))
        return cleaned

    def clean_since(self):
        since = self.cleaned_data["since"]
        if since > clock.today():
            raise ValidationError(_("The date cannot be in the future."))
        return since


class CancelRegistrationForm(forms.Form):
    moved_on = forms.DateField(
        label=_("Moved away on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class ReviewRegistrationForm(forms.Form):
    """The station's decision in the admin; a rejection needs the reason."""

    note = forms.CharField(
        label=_("Note (required to reject)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
