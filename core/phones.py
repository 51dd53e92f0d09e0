"""Mobile phone numbers: parsed and validated with phonenumbers, stored in E.164."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def normalize_phone(raw: str, *, region: str | None = None) -> str:
    """Return the number in E.164 (+8613800138000) or raise ValidationError."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a mobile phone number."), code="required")
    try:
        number = phonenumbers.parse(text, region or settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException as exc:
        raise ValidationError(
            _("This is not a phone number. Enter 11 digits, for example 13800138000."),
            code="invalid",
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("This phone number does not exist. Check the digits."), code="invalid"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def mask_phone(e164: str) -> str:
    """+8613800138000 -> +86138****8000 (for lists and logs)."""
    if not e164 or len(e164) < 8:
        return "****"
    return f"{e164[:-8]}****{e164[-4:]}"
