"""Password rules for staff accounts (in AUTH_PASSWORD_VALIDATORS); applicants are not affected."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CHARACTER_CLASSES = (
    ("lower", lambda c: c.islower()),
    ("upper", lambda c: c.isupper()),
    ("digit", lambda c: c.isdigit()),
    ("symbol", lambda c: c in string.punctuation or c.isspace() or not c.isalnum()),
)


def character_classes(password: str) -> set[str]:
    return {name for name, test in CHARACTER_CLASSES if any(test(c) for c in password)}


class StaffPasswordValidator:
    """Staff (is_staff) passwords: at least ``min_length`` characters and at least
    ``min_classes`` of lower-case letters, upper-case letters, digits and symbols."""

    # Applicants' forms leave this rule out of the hints they show (it never applies to them).
    applies_to_staff_only = True

    def __init__(self, min_length: int = 12, min_classes: int = 3):
        self.min_length = min_length
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if not (getattr(user, "is_staff", False) or getattr(user, "is_superuser", False)):
            return
        errors = []
        if len(password) < self.min_length:
            errors.append(
                ValidationError(
                    ngettext(
                        "A staff password must contain at least %(min_length)d character.",
                        "A staff password must contain at least %(min_length)d characters.",
                        self.min_length,
                    ),
                    code="staff_password_too_short",
                    params={"min_length": self.min_length},
                )
            )
        if len(character_classes(password)) < self.min_classes:
            errors.append(
                ValidationError(
                    _(
                        "A staff password must mix at least %(min_classes)d of: lower-case "
                        "letters, upper-case letters, digits and symbols."
                    ),
                    code="staff_password_too_simple",
                    params={"min_classes": self.min_classes},
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return _(
            "Staff accounts: at least %(min_length)d characters, mixing at least "
            "%(min_classes)d of lower-case letters, upper-case letters, digits and symbols."
        ) % {"min_length": self.min_length, "min_classes": self.min_classes}
