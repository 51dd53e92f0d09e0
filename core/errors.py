"""One exception family for every refusal of a service (every app raises these).

A ``ServiceError`` carries a stable ``code`` (for callers and tests) and a lazily translated
``message`` (English source, ``%(name)s`` placeholders filled from ``params``): ``str(exc)``
renders it in the active language, so a view or API shows it in the caller's language. A service
that raises has changed nothing (its transaction is rolled back).
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    default_code = "refused"
    default_message = _("This action is not possible.")

    def __init__(
        self,
        message: Any = None,
        *,
        code: str | None = None,
        params: dict[str, Any] | None = None,
        reasons: list[str] | None = None,
    ):
        self.code = code or self.default_code
        self.message = message if message is not None else self.default_message
        self.params = dict(params or {})
        self.reasons = list(reasons or [])
        super().__init__(self.code)

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text

    def __repr__(self) -> str:
        return f"{type(self).__name__}(code={self.code!r})"

    @classmethod
    def from_rule(cls, violation) -> ServiceError:
        """Re-raise a rule's violation (``code``, ``message``, ``params``) as this error."""
        return cls(violation.message, code=violation.code, params=violation.params)


class NotAllowed(ServiceError):
    """The acting user may not do this (wrong role, other station, not the filer)."""

    default_code = "not_allowed"
    default_message = _("You are not allowed to do this.")


class NotEligible(ServiceError):
    """The person does not meet the conditions; ``reasons`` lists each one in plain words."""

    default_code = "not_eligible"
    default_message = _("This application is not possible: %(reasons)s")


class WrongState(ServiceError):
    """The application (or permit) is not in a state where this act is possible."""

    default_code = "wrong_state"
    default_message = _("This is not possible while the application is “%(state)s”.")


class StaleState(ServiceError):
    """Someone else changed the application meanwhile (django-fsm ConcurrentTransition)."""

    default_code = "stale"
    default_message = _(
        "The application was changed by someone else in the meantime. Reload it and try again."
    )


class InvalidInput(ServiceError):
    default_code = "invalid"
    default_message = _("Some information is missing or invalid.")


class WrongPassword(ServiceError):
    default_code = "wrong_password"
    default_message = _("The password is not correct. Enter your login password to confirm.")


class RuleRefused(ServiceError):
    """A statutory rule (permits.rules) refuses the act; code and message come from the rule."""

    default_code = "rule"
