"""Accounts proved by an SMS code: sign-up and password reset."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from core.errors import InvalidInput

from ..constants import PhoneCodePurpose
from ..models import User
from .phone_codes import consume_phone_code, normalized_phone, wrong_code


def _check_password(password: str, *, user: User, field: str) -> None:
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise InvalidInput.from_validation_error(exc, field=field) from exc


def sign_up(
    *, phone: str, code: str, password: str, display_name: str = "", client_ip: str = ""
) -> User:
    """Create an account for a phone number proved by its SMS code.

    The code is checked (and a wrong try counted, committed) before the account is written.
    """
    phone = normalized_phone(phone)
    _check_password(password, user=User(phone=phone, display_name=display_name), field="password")
    consume_phone_code(
        phone=phone, purpose=PhoneCodePurpose.SIGN_UP, code=code, client_ip=client_ip
    )
    try:
        with transaction.atomic():
            user = User.objects.create_user(phone, password, display_name=display_name)
    except IntegrityError as exc:  # the number got an account meanwhile: same answer as a bad code
        raise wrong_code() from exc
    return user


def reset_password(*, phone: str, code: str, new_password: str, client_ip: str = "") -> User:
    """Set a new password for the account of ``phone`` after checking its SMS code.

    The code is checked (and a wrong try counted, committed) before anything else is written.
    """
    phone = normalized_phone(phone)
    account = User.objects.filter(phone=phone).first()
    _check_password(new_password, user=account or User(phone=phone), field="new_password")
    consume_phone_code(
        phone=phone, purpose=PhoneCodePurpose.RESET_PASSWORD, code=code, client_ip=client_ip
    )
    with transaction.atomic():
        user = User.objects.select_for_update().get(phone=phone)
        user.set_password(new_password)
        user.save(update_fields=["password"])
    return user


def sign_in_with_code(*, phone: str, code: str, client_ip: str = "") -> User:
    """The account of ``phone`` proved by its SMS code (the station kiosk: no password is typed
    at a public machine). Staff and inactive accounts never sign in this way; for them, as for an
    unknown number, no code was sent, so the answer is the same as for a wrong code.

    The code is checked (and a wrong try counted, committed) before anything else."""
    phone = normalized_phone(phone)
    consume_phone_code(
        phone=phone, purpose=PhoneCodePurpose.SIGN_IN, code=code, client_ip=client_ip
    )
    user = User.objects.filter(phone=phone, is_active=True, is_staff=False).first()
    if user is None:
        raise wrong_code()
    return user
