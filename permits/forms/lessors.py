"""The lessor's confirmation (issue 31): the tenant names the lessor's phone; the lessor proves
the phone with a code and answers."""

from django import forms
from django.utils.translation import gettext_lazy as _


class LessorPhoneForm(forms.Form):
    lessor_phone = forms.CharField(
        label=_("The lessor's mobile phone"),
        max_length=20,
        help_text=_(
            "The lessor gets a link by SMS to confirm that you live at this address; the "
            "confirmation then stands for the lease contract."
        ),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        error_messages={"required": _("Enter the lessor's mobile phone.")},
    )


class LessorCodeForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from the SMS"),
        regex=r"^\s*\d{6}\s*$",
        max_length=10,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
        error_messages={
            "required": _("Enter the 6-digit code from the SMS."),
            "invalid": _("The code is 6 digits."),
        },
    )


class LessorDecisionForm(forms.Form):
    lessor_name = forms.CharField(
        label=_("Your name (the lessor)"),
        max_length=100,
        required=False,
        help_text=_("Needed to confirm."),
    )
