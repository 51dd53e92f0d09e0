"""One exception family for every refusal of a service (every app raises these).

A ``ServiceError`` carries a stable ``code`` (for callers and tests) and a lazily translated
``message`` (English source, ``%(name)s`` placeholders filled from ``params``): ``str(exc)``
renders it in the active language, so a view or API shows it in the caller's language. A service
that raises has changed nothing (its transaction is rolled back).

``fields`` maps a field name to its messages (``NON_FIELD`` for the form as a whole): a web form
shows them on its fields (``add_service_errors``), the API answers them as ``fields``. The type
says what kind of refusal it is; ``core.api.errors`` maps each type to one HTTP status.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

NON_FIELD = NON_FIELD_ERRORS  # "__all__": a message about the input as a whole


def _as_list(messages) -> list:
    if isinstance(messages, DjangoValidationError):
        return list(messages.messages)
    if isinstance(messages, str | Promise) or not isinstance(messages, Iterable):
        return [messages]
    return list(messages)


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
        fields: Mapping[str, Any] | None = None,
    ):
        self.code = code or self.default_code
        self.message = message if message is not None else self.default_message
        self.params = dict(params or {})
        self.reasons = list(reasons or [])
        self.fields = {str(name): _as_list(value) for name, value in (fields or {}).items()}
        super().__init__(self.code)

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text

    @property
    def messages(self) -> list[str]:
        """Every message in the caller's language: the field messages, else the message."""
        if self.fields:
            return [str(message) for messages in self.fields.values() for message in messages]
        return [str(self)]

    def field_messages(self) -> dict[str, list[str]]:
        """``fields`` rendered in the active language."""
        return {name: [str(m) for m in messages] for name, messages in self.fields.items()}

    @classmethod
    def from_validation_error(
        cls, exc: DjangoValidationError, *, field: str | None = None, code: str | None = None
    ) -> ServiceError:
        """A Django ValidationError (an ID number's, a password validator's, an upload's) as
        this error, its messages on ``field`` (or on their own fields for a dict)."""
        if hasattr(exc, "error_dict"):
            fields = {
                name: DjangoValidationError(errors).messages
                for name, errors in exc.error_dict.items()
            }
        else:
            fields = {field or NON_FIELD: list(exc.messages)}
        code = code or getattr(exc, "code", None) or None
        return cls(code=code, fields=fields)

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
    """Missing or wrong input; ``fields`` says which (the API answers 400 with them)."""

    default_code = "invalid"
    default_message = _("Some information is missing or invalid.")


class WrongPassword(ServiceError):
    default_code = "wrong_password"
    default_message = _("The password is not correct. Enter your login password to confirm.")


class RuleRefused(ServiceError):
    """A statutory rule (permits.rules) refuses the act; code and message come from the rule."""

    default_code = "rule"


class RateLimited(ServiceError):
    """Too many tries in a window (SMS codes, code checks); ``retry_after`` in seconds if known."""

    default_code = "rate_limited"
    default_message = _("Too many requests: wait for Retry-After seconds.")

    def __init__(self, message: Any = None, *, retry_after: int | None = None, **kwargs):
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


def add_service_errors(form, exc: ServiceError | DjangoValidationError) -> None:
    """Show a service's refusal on a web form: each field message on its field when the form
    has that field, every other message above the form (a non-field error)."""
    if isinstance(exc, ServiceError):
        if not exc.fields:
            form.add_error(None, str(exc))
            return
        for name, messages in exc.field_messages().items():
            target = name if name in form.fields else None
            for message in messages:
                form.add_error(target, message)
        return
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            target = name if name in form.fields else None
            for error in errors:
                form.add_error(target, error)
    else:
        form.add_error(None, exc)
