"""A statutory rule refuses an act: ``RuleViolation``, the one exception every rule raises."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = ["RuleViolation"]


class RuleViolation(ValueError):
    """A statutory rule refuses an act.

    ``code`` is stable (for callers and tests), ``message`` is a lazily translated source string
    in English with ``%(name)s`` placeholders, ``params`` fills them. ``str(exc)`` renders the
    message in the active language, like Django's ``ValidationError``.
    """

    def __init__(self, code: str, message: Any, params: Mapping[str, Any] | None = None):
        self.code = code
        self.message = message
        self.params: dict[str, Any] = dict(params or {})
        super().__init__(code, message, self.params)

    def __str__(self) -> str:
        text = str(self.message)
        return text % self.params if self.params else text

    def __repr__(self) -> str:
        return f"RuleViolation(code={self.code!r}, params={self.params!r})"

    def as_validation_error(self):
        """The same refusal as a Django ``ValidationError`` (for forms and DRF serializers)."""
        from django.core.exceptions import ValidationError

        return ValidationError(self.message, code=self.code, params=self.params or None)
