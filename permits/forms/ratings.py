"""The rating form (好差评): five levels and an optional comment."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import RatingScore


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("How satisfied are you with how this case was handled?"),
        choices=[(value, label) for value, label in reversed(RatingScore.choices)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose one of the five levels.")},
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
