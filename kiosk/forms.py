"""The kiosk's forms: large fields, nothing remembered by the browser (autocomplete off)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from applicants.forms import CodeField, PhoneField

OFF = {"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false"}


class SetUpForm(forms.Form):
    token = forms.CharField(
        label=_("Kiosk token"),
        max_length=100,
        help_text=_("The token shown once when the supervisor enabled this kiosk."),
        widget=forms.PasswordInput(attrs=OFF),
    )


class PhoneForm(forms.Form):
    phone = PhoneField(
        help_text=_("We send a 6-digit code to this number by SMS."),
        widget=forms.TextInput(attrs={**OFF, "inputmode": "tel"}),
    )


class FreshInput(forms.TextInput):
    """A field shown empty again after a refusal: a wrong code does not stay typed (issue 27)."""

    def format_value(self, value):
        return None


class CodeForm(forms.Form):
    code = CodeField(widget=FreshInput(attrs={**OFF, "inputmode": "numeric", "pattern": "[0-9]*"}))


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("Scan or photo of the document"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )
