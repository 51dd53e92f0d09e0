from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.password_validation import (
    get_default_password_validators,
    password_validators_help_text_html,
    validate_password,
)
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext_lazy

from core.errors import add_service_errors
from core.phones import normalize_phone
from core.uploads import DocumentUploadField, ImageUploadField

from .constants import MINOR_AGE_LIMIT, AgentReason, IdentityRejectionReason, Relationship
from .id_numbers import parse_id_number
from .models import User

# Django's own password messages, listed so the project catalogue keeps its wording of them:
# the portal addresses people as "您" (Django's Chinese says "你"). Issue 15, point 7.
DJANGO_MESSAGES_AS_THE_PORTAL_SAYS_THEM = (
    gettext_noop("Your old password was entered incorrectly. Please enter it again."),
    gettext_noop("Your password can’t be too similar to your other personal information."),
    gettext_noop("Your password can’t be a commonly used password."),
    gettext_noop("Your password can’t be entirely numeric."),
    ngettext_lazy(
        "Your password must contain at least %(min_length)d character.",
        "Your password must contain at least %(min_length)d characters.",
        "min_length",
    ),
)

__all__ = ["add_service_errors"]  # the one helper (core.errors) that shows a service's refusal


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


class StaffLoginForm(PhoneLoginForm, AdminAuthenticationForm):
    """The admin's login: the phone formats applicants may type (13800000101, +86 138 0000
    0101, 138-0000-0101) and a message about phones, not Django's "case-sensitive" one."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "The phone number or the password is not correct, or the account is not a staff "
            "account."
        ),
    }


class PhoneField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile phone"))
        kwargs.setdefault("max_length", 20)
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"})
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        return normalize_phone(value) if value else value


class PhoneCodeRequestForm(forms.Form):
    phone = PhoneField(help_text=_("We send a 6-digit code to this number by SMS."))


class CodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("SMS code"))
        kwargs.setdefault("max_length", 6)
        kwargs.setdefault("min_length", 6)
        kwargs.setdefault("help_text", _("The 6 digits from the SMS. Valid for 10 minutes."))
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9]*"}
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean((value or "").strip())
        if value and not value.isdigit():
            raise ValidationError(_("The code has 6 digits."), code="invalid")
        return value


class NewPasswordMixin:
    """Two password fields checked against each other and Django's password validators."""

    password_user_fields = ("phone", "display_name")

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are not the same."))
        elif first:
            user = User(
                **{f: cleaned.get(f, "") or "" for f in self.password_user_fields if f in cleaned}
            )
            try:
                validate_password(first, user=user)
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


def _applicant_password_validators():
    """The password rules that apply to an applicant (staff-only rules are not shown)."""
    return [
        v
        for v in get_default_password_validators()
        if not getattr(v, "applies_to_staff_only", False)
    ]


_password_help_text = lazy(
    lambda: password_validators_help_text_html(_applicant_password_validators()), SafeString
)


def _password_fields():
    return (
        forms.CharField(
            label=_("Password"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
            # lazy: rendered in the language of each page, not of the process that imported it
            help_text=_password_help_text(),
        ),
        forms.CharField(
            label=_("Password again"),
            strip=False,
            widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        ),
    )


class SignUpForm(NewPasswordMixin, forms.Form):
    phone = PhoneField()
    code = CodeField()
    display_name = forms.CharField(
        label=_("Your name (optional)"),
        max_length=60,
        required=False,
        help_text=_("How the portal greets you. Your real name is asked for later."),
    )
    password1, password2 = _password_fields()


class PasswordResetConfirmForm(NewPasswordMixin, forms.Form):
    phone = PhoneField()
    code = CodeField()
    password1, password2 = _password_fields()


class IdentityForm(forms.Form):
    """Full name, ID number and the three photos. On a resubmission, photos already on file
    may be kept (leave the field empty)."""

    full_name = forms.CharField(
        label=_("Full name"),
        max_length=60,
        help_text=_("Exactly as printed on the ID card."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=22,
        help_text=_(
            "18 characters; the last one may be X. Date of birth and sex are read from it."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    id_card_front = ImageUploadField(label=_("ID card, front (photo side)"))
    id_card_back = ImageUploadField(label=_("ID card, back (national emblem side)"))
    face_photo = ImageUploadField(label=_("Face photo"))

    def __init__(self, *args, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing
        for name in ("id_card_front", "id_card_back", "face_photo"):
            if existing is not None and getattr(existing, name):
                self.fields[name].required = False
                self.fields[name].help_text = _(
                    "A photo is on file; upload a new one only to replace it."
                )

    def clean_id_number(self):
        return parse_id_number(self.cleaned_data["id_number"]).number


class DependentForm(IdentityForm):
    relationship = forms.ChoiceField(
        label=_("Your relationship to this person"),
        choices=[
            (Relationship.GUARDIAN, Relationship.GUARDIAN.label),
            (Relationship.CLOSE_RELATIVE, Relationship.CLOSE_RELATIVE.label),
        ],
    )
    agent_reason = forms.ChoiceField(
        label=_("Why you act for this person"),
        choices=[(c, label) for c, label in AgentReason.choices if c],
    )
    agent_proof = DocumentUploadField(
        label=_("Proof of the relationship"),
        help_text=_(
            "Household register page, birth certificate, guardianship or disability "
            "certificate: a photo or a PDF."
        ),
    )
    field_order = [
        "relationship",
        "agent_reason",
        "full_name",
        "id_number",
        "id_card_front",
        "id_card_back",
        "face_photo",
        "agent_proof",
    ]

    def __init__(self, *args, existing=None, **kwargs):
        super().__init__(*args, existing=existing, **kwargs)
        self.fields["full_name"].help_text = _("The person's name, as on the ID card.")
        self.fields["agent_reason"].help_text = _(
            "A minor is under %(age)s on the date of birth in the ID number."
        ) % {"age": MINOR_AGE_LIMIT}
        self.fields["id_card_front"].label = _(
            "ID card front (for a child without one: household register page)"
        )
        self.fields["id_card_back"].required = False
        if existing is not None and existing.agent_proof:
            self.fields["agent_proof"].required = False


class IdentityRejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=IdentityRejectionReason.choices)
    note = forms.CharField(
        label=_("Details for the applicant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say what to correct. Required when the reason is 'Other'."),
    )


class CountedPasswordChangeForm(PasswordChangeForm):
    """Django's password change, its current password counted like a login (issue 30, as the
    submit's): a wrong one is a failed login of the lockout (django-axes), and a locked account
    is refused whatever was typed (the lock's 429 answers the request)."""

    def __init__(self, user, *args, request=None, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        from .lockout import password_confirmed

        old_password = self.cleaned_data["old_password"]
        if not password_confirmed(self.request, self.user, old_password):
            raise ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password
