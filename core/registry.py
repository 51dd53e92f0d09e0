"""A registry of declarations, in the spirit of Open Forms' plugin registries: one class per
thing (a service, a kind of paper), in a module of its own, registered under its ``code`` when
that module is imported. ``permits.service_types`` and ``permits.papers`` each keep one.

A declaration has a ``code``, a ``label`` and an ``order`` (its place in lists and choices)."""

from __future__ import annotations


class Registry:
    def __init__(self, what: str, *, missing: type[LookupError] = LookupError):
        self.what = what  # "service", "paper", for the messages
        self.missing = missing  # raised by ``get`` for a code not registered
        self._entries: dict[str, object] = {}

    def register(self, declaration):
        """Register a declaration (a class, instantiated once, or an instance) under its code;
        the same code claimed by another class is an error. Returns what it was given, so it
        serves as a class decorator."""
        instance = declaration() if isinstance(declaration, type) else declaration
        code = str(instance.code or "")
        if not code:
            raise ValueError(f"{type(instance).__qualname__} declares no code")
        existing = self._entries.get(code)
        if existing is not None and type(existing).__qualname__ != type(instance).__qualname__:
            raise ValueError(
                f"The {self.what} {code!r} is already registered by {type(existing)!r}"
            )
        self._entries[code] = instance
        return declaration

    def unregister(self, code) -> None:
        self._entries.pop(str(code), None)

    def get(self, code):
        try:
            return self._entries[str(code)]
        except KeyError:
            raise self.missing(f"No {self.what} {code!r} is registered") from None

    def is_registered(self, code) -> bool:
        return str(code) in self._entries

    def all(self) -> list:
        """Every registered declaration, by its ``order`` (then its code)."""
        return sorted(self._entries.values(), key=lambda entry: (entry.order, str(entry.code)))

    def choices(self) -> list[tuple[str, object]]:
        return [(str(entry.code), entry.label) for entry in self.all()]

    def label(self, code) -> str:
        """The declaration's name (the code itself for one no longer registered)."""
        entry = self._entries.get(str(code))
        return str(entry.label) if entry is not None else str(code or "")
