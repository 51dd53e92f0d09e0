from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .phones import normalize_phone


class PhoneLoginForm(AuthenticationForm):
    """Login with a mobile phone number; the same message whether or not the number exists."""

    username = forms.CharField(
        label=_("Mobile phone"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "tel", "inputmode": "tel", "autofocus": True}
        ),
    )
    error_messages = {
        "invalid_login": _("The phone number or the password is not correct."),
        "inactive": _("This account is disabled."),
    }

    def clean_username(self):
        raw = self.cleaned_data["username"]
        try:
            return normalize_phone(raw)
        except ValidationError:
            # Unparseable numbers fail like a wrong password: no hint about accounts.
            return raw
