from django import forms
from django.utils.translation import gettext_lazy as _

from applicants.forms import CodeField, PhoneCodeRequestForm

from .constants import NotifyBy

BindPhoneForm = PhoneCodeRequestForm


class BindCodeForm(forms.Form):
    code = CodeField()


class NotifyByForm(forms.Form):
    notify_by = forms.ChoiceField(
        label=_("Send me results by"), choices=NotifyBy.choices, widget=forms.RadioSelect
    )
