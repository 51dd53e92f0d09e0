"""The services the portal offers, declared once (in the spirit of Open Forms' plugin registries).

Each service is a module of this package (``new``, ``renewal``, ``change``, ``replacement``,
``cancellation``) holding a ``ServiceType`` subclass: its answers, eligibility, materials,
state-machine hooks, papers and messages. ``PermitsConfig.ready()`` imports the modules, which
register themselves; a later service is one more module (README "Add a service").

Everything else reads the registry:

- ``get(code)``: the service of an application (``application.service_type`` on the model);
- ``all_services()``: every service in the order the start page lists them;
- ``choices()``: the model fields' and the forms' choices (a callable, so a service registered
  later is a valid value everywhere);
- ``codes(**flags)``: the codes whose declaration has these flags (``codes(rewrites_card=True)``).
"""

from __future__ import annotations

from .base import AnswerContext, AnswerField, EligibilityFacts, MaterialSpec, ServiceType

_REGISTRY: dict[str, ServiceType] = {}


def register(service: ServiceType | type[ServiceType]) -> ServiceType:
    """Register a service (an instance, or a class to instantiate); usable as a decorator."""
    instance = service() if isinstance(service, type) else service
    if not instance.code:
        raise ValueError("A service needs a code.")
    _REGISTRY[instance.code] = instance
    return service


def unregister(code: str) -> None:
    _REGISTRY.pop(code, None)


def get(code: str) -> ServiceType:
    try:
        return _REGISTRY[str(code)]
    except KeyError:
        raise LookupError(f"No service {code!r} is registered.") from None


def is_registered(code) -> bool:
    return str(code) in _REGISTRY


def all_services() -> list[ServiceType]:
    return sorted(_REGISTRY.values(), key=lambda s: (s.order, s.code))


def label(code) -> str:
    """The service's name (the code itself for one no longer registered)."""
    service = _REGISTRY.get(str(code))
    return str(service.label) if service is not None else str(code or "")


def choices() -> list[tuple[str, str]]:
    return [(s.code, s.label) for s in all_services()]


def codes(**flags) -> list[str]:
    return [
        s.code
        for s in all_services()
        if all(getattr(s, name) == value for name, value in flags.items())
    ]


__all__ = [
    "AnswerContext",
    "AnswerField",
    "EligibilityFacts",
    "MaterialSpec",
    "ServiceType",
    "all_services",
    "choices",
    "codes",
    "get",
    "is_registered",
    "label",
    "register",
    "unregister",
]
